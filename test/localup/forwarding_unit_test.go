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
