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
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
	os.Exit(framework.ServerPackage{
		Name: "e2e/plugin",
		What: "every kubectl plugin test",
		Setup: func(dir string) error {
			pluginDir, homeDir = filepath.Join(dir, "bin"), filepath.Join(dir, "home")
			if err := buildPlugin(pluginDir); err != nil {
				return err
			}
			return os.MkdirAll(homeDir, 0o700)
		},
		SeedKubeEdge: true,
	}.Run(m, &cp, &ew))
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
