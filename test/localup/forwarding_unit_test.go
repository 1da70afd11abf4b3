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

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

func TestWithoutKind(t *testing.T) {
	root, err := framework.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(root, "artifacts", "deploy", "syncer.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := withoutKind(string(manifest), "DaemonSet")
	if strings.Contains(got, "kind: DaemonSet") {
		t.Error("the DaemonSet is still there")
	}
	for _, kind := range []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"} {
		if !strings.Contains(got, "\nkind: "+kind+"\n") {
			t.Errorf("the %s is gone", kind)
		}
	}
}

func TestForwardingBannerOff(t *testing.T) {
	got := forwardingBanner(&runEnv{forwardingOff: "network namespaces and iptables need root (euid 1000)"})
	if want := "\nForwarding demo is off: network namespaces and iptables need root (euid 1000).\n"; got != want {
		t.Errorf("banner = %q, want %q", got, want)
	}
}
