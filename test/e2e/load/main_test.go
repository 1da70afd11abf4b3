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
	"os"
	"testing"

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
	os.Exit(framework.ServerPackage{
		Name:               "load",
		What:               "the load test",
		RunWithoutBinaries: func(err error) { skipReason = err.Error() },
		StartEdgeWatcher: func(ctx context.Context, _ *framework.ControlPlane) (*framework.EdgeWatcher, error) {
			var err error
			ew, consoleAddr, err = startServer(ctx)
			return ew, err
		},
	}.Run(m, &cp, &ew))
}
