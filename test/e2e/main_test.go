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

// Package e2e tests EdgeWatcher end to end through a real kube-apiserver, etcd and kubectl.
package e2e

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
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if ok, code := framework.BinariesForMain("e2e", "every end-to-end test"); !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var err error
	cp, err = framework.StartControlPlane(ctx, framework.ControlPlaneOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: starting the control plane: %v\n", err)
		return 1
	}
	defer func() { _ = cp.Stop() }()
	ew, err = cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: starting edgewatcher-apiserver: %v\n", err)
		return 1
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "----- edgewatcher-apiserver log tail -----\n%s\n", ew.LogTail(60))
	}
	return code
}
