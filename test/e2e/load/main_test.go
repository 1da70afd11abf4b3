/*
Copyright The EdgeWatcher Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package load puts 200 concurrent clients on EdgeWatcher for 60 s, through a real kube-apiserver and the
// console's plain-HTTP listener, and checks errors, progress, latency, memory and goroutines.
package load

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

var (
	cp *framework.ControlPlane
	ew *framework.EdgeWatcher
	// consoleAddr is the host:port of the console route's plain-HTTP listener.
	consoleAddr string
	// skipReason says why there is no control plane outside CI; the load test skips, the self-checks run.
	skipReason string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := framework.CheckBinaries(); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "load: CI is set and the control-plane binaries are required: %v\n", err)
			return 1
		}
		skipReason = err.Error()
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var err error
	cp, err = framework.StartControlPlane(ctx, framework.ControlPlaneOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "load: starting the control plane: %v\n", err)
		return 1
	}
	defer func() { _ = cp.Stop() }()
	if ew, consoleAddr, err = startServer(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "load: starting edgewatcher-apiserver: %v\n", err)
		return 1
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "----- edgewatcher-apiserver log tail -----\n%s\n", ew.LogTail(60))
	}
	return code
}
