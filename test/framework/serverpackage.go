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

package framework

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// ServerPackage is the TestMain of a test package whose tests share one control plane and one
// edgewatcher-apiserver. Run checks for the control-plane binaries (missing ones skip the package outside CI and
// fail it under CI), starts both, runs the tests, and prints the server's log tail when they fail.
type ServerPackage struct {
	// Name prefixes every message, such as "e2e/plugin".
	Name string
	// What names what is skipped when the binaries are missing, such as "every kubectl plugin test".
	What string
	// RunWithoutBinaries, if set, is called instead of skipping the package when the binaries are missing
	// outside CI; the tests then run without a control plane and must skip the ones that need it.
	RunWithoutBinaries func(err error)
	// Setup, if set, runs before the control plane starts, with a scratch directory removed at the end.
	Setup func(dir string) error
	// SeedKubeEdge seeds the KubeEdge objects (framework.SeedKubeEdge) before the server starts.
	SeedKubeEdge bool
	// EdgeWatcher are the server's options.
	EdgeWatcher EdgeWatcherOptions
	// StartEdgeWatcher, if set, starts the server in place of cp.StartEdgeWatcher(ctx, EdgeWatcher).
	StartEdgeWatcher func(ctx context.Context, cp *ControlPlane) (*EdgeWatcher, error)
}

// Run runs m as described on ServerPackage, stores the control plane and the server in *cp and *ew, and
// returns the exit code.
func (p ServerPackage) Run(m *testing.M, cp **ControlPlane, ew **EdgeWatcher) int {
	if p.RunWithoutBinaries != nil && os.Getenv("CI") == "" {
		if err := CheckBinaries(); err != nil {
			p.RunWithoutBinaries(err)
			return m.Run()
		}
	}
	if ok, code := BinariesForMain(p.Name, p.What); !ok {
		return code
	}
	if p.Setup != nil {
		dir, err := os.MkdirTemp("", "edgewatcher-e2e-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
			return 1
		}
		defer func() { _ = os.RemoveAll(dir) }()
		if err := p.Setup(dir); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
			return 1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var err error
	*cp, err = StartControlPlane(ctx, ControlPlaneOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: starting the control plane: %v\n", p.Name, err)
		return 1
	}
	defer func() { _ = (*cp).Stop() }()
	if p.SeedKubeEdge {
		if err := SeedKubeEdge(ctx, (*cp).Client()); err != nil {
			fmt.Fprintf(os.Stderr, "%s: seeding KubeEdge objects: %v\n", p.Name, err)
			return 1
		}
	}
	if p.StartEdgeWatcher != nil {
		*ew, err = p.StartEdgeWatcher(ctx, *cp)
	} else {
		*ew, err = (*cp).StartEdgeWatcher(ctx, p.EdgeWatcher)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: starting edgewatcher-apiserver: %v\n", p.Name, err)
		return 1
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "----- edgewatcher-apiserver log tail -----\n%s\n%s", (*ew).LogTail(60), (*cp).LogTail(40))
	}
	return code
}
