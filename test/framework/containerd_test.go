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
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// requireContainerd skips or fails (with $CI set) the test when a private containerd cannot run here.
func requireContainerd(t *testing.T) {
	t.Helper()
	netns.RequireRoot(t)
	if err := CheckContainerdTools(); err != nil {
		netns.SkipOrFail(t, "%v", err)
	}
}

// systemContainerdPaths must look the same before and after a private containerd ran.
var systemContainerdPaths = []string{"/run/containerd", "/var/lib/containerd", "/opt/containerd"}

// TestPrivateContainerdRunsImportedImages starts containerd on an edge host, imports the pause and busybox
// images built here, and runs busybox in a container with the host network: the edge host's namespace.
func TestPrivateContainerdRunsImportedImages(t *testing.T) {
	requireContainerd(t)
	before := statPaths(systemContainerdPaths)
	ctx := t.Context()
	dir := t.TempDir()
	ns := netns.New(t, netip.MustParsePrefix("192.0.2.77/24"))
	host, err := StartEdgeHost(dir, ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Stop() })
	c, err := StartContainerd(ctx, host, dir+"/containerd", PauseImageName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(formatTail("containerd", c.LogPath, 40))
		}
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	pause, err := PauseImage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	busybox, err := BusyboxImage(BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	for name, archive := range map[string][]byte{PauseImageName: pause, BusyboxImageName: busybox} {
		if err := c.ImportImage(ctx, name, archive); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.Ctr(ctx, ContainerdNamespace, "run", "--rm", "--net-host", "--cgroup", host.CgroupParent+"/smoke", BusyboxImageName, "edgewatcher-smoke",
		"/bin/sh", "-c", "echo hello from busybox; ip addr 2>/dev/null || cat /proc/net/fib_trie")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "hello from busybox") || !strings.Contains(out, "192.0.2.77") {
		t.Errorf("the container did not run in the edge host's network namespace; it printed:\n%s", out)
	}
	if err := c.Stop(); err != nil {
		t.Error(err)
	}
	if err := host.Stop(); err != nil {
		t.Error(err)
	}
	if left, _ := filepath.Glob("/sys/fs/cgroup/*" + host.CgroupParent); len(left) > 0 {
		t.Errorf("cgroups left behind: %v", left)
	}
	if after := statPaths(systemContainerdPaths); after != before {
		t.Errorf("the system's containerd paths changed:\nbefore: %s\nafter:  %s", before, after)
	}
}

// statPaths describes whether each path exists, for before/after comparisons.
func statPaths(paths []string) string {
	var b strings.Builder
	for _, p := range paths {
		_, err := os.Lstat(p)
		b.WriteString(p + "=" + map[bool]string{true: "present", false: "absent"}[err == nil] + " ")
	}
	return b.String()
}
