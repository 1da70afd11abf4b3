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

// Package plugin tests the kubectl-edgenode plugin end to end: the real kubectl discovers it on PATH and
// runs it against a real kube-apiserver, etcd and edgewatcher-apiserver.
package plugin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

var (
	cp *framework.ControlPlane
	ew *framework.EdgeWatcher
	// pluginDir holds the freshly built kubectl-edgenode and is kubectl's whole PATH.
	pluginDir string
	// homeDir is kubectl's HOME, so no personal kubeconfig, cache or plugin leaks in.
	homeDir string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if ok, code := framework.BinariesForMain("e2e/plugin", "every kubectl plugin test"); !ok {
		return code
	}
	tmp, err := os.MkdirTemp("", "kubectl-edgenode-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/plugin: %v\n", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	pluginDir, homeDir = filepath.Join(tmp, "bin"), filepath.Join(tmp, "home")
	if err := buildPlugin(pluginDir); err != nil {
		fmt.Fprintf(os.Stderr, "e2e/plugin: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(homeDir, 0o700); err != nil {
		fmt.Fprintf(os.Stderr, "e2e/plugin: %v\n", err)
		return 1
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cp, err = framework.StartControlPlane(ctx, framework.ControlPlaneOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/plugin: starting the control plane: %v\n", err)
		return 1
	}
	defer func() { _ = cp.Stop() }()
	ew, err = cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/plugin: starting edgewatcher-apiserver: %v\n", err)
		return 1
	}
	if err := framework.SeedKubeEdge(ctx, cp.Client()); err != nil {
		fmt.Fprintf(os.Stderr, "e2e/plugin: seeding KubeEdge objects: %v\n", err)
		return 1
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "----- edgewatcher-apiserver log tail -----\n%s\n", ew.LogTail(60))
	}
	return code
}

// buildPlugin compiles ./cmd/kubectl-edgenode into dir, so the tests never run a stale binary.
func buildPlugin(dir string) error {
	root, err := framework.RepoRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "kubectl-edgenode"), "./cmd/kubectl-edgenode")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/kubectl-edgenode: %w\n%s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
