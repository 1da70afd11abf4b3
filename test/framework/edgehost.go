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
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// edgeHostScript runs as the edge host's first process, inside its network namespace and a fresh private mount
// namespace: $1 is a directory for the writable layers. /etc and /var become overlays whose writable layer is a
// tmpfs, and /run a tmpfs, so what containerd and edgecore write to their built-in paths (containerd's shim
// sockets and runc state under /run/containerd, /etc/kubeedge, /var/lib/kubelet, /var/log/pods) never reaches
// the host. /sys is left as it is: `ip netns exec` would remount it and lose the cgroup hierarchies runc needs.
// It prints "ready" and then holds the namespaces open until it is stopped.
const edgeHostScript = `set -eu
w=$1
mount -t tmpfs -o mode=0700 edgewatcher-edge "$w"
for d in etc var; do
	mkdir -p "$w/$d/upper" "$w/$d/work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$w/$d/upper,workdir=$w/$d/work" "/$d"
done
mount -t tmpfs -o mode=0755 edgewatcher-edge-run /run
echo ready
exec sleep infinity
`

// EdgeHost is an edge device for the real-edgecore test: a network namespace (the device's network) and a
// private mount namespace that keeps containerd and edgecore off the host's /etc, /var and /run. Processes
// started through Command share both, so edgecore's kubelet and containerd see the same mounts.
type EdgeHost struct {
	// Netns is the device's network namespace.
	Netns *netns.Namespace
	// Dir holds the host's logs and the mount point of its writable layers; it must not be under /etc, /var
	// or /run, which the mount namespace hides.
	Dir string
	// CgroupParent is the cgroup (NewCgroupParent) under which the host's containers get their cgroups; Stop
	// removes it.
	CgroupParent string

	holder *Process
}

// StartEdgeHost starts the process that holds the edge host's mount namespace inside ns and waits until its
// mounts are in place.
func StartEdgeHost(dir string, ns *netns.Namespace) (*EdgeHost, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, hidden := range []string{"/etc", "/var", "/run"} {
		if abs == hidden || strings.HasPrefix(abs, hidden+"/") {
			return nil, fmt.Errorf("edge host directory %s is under %s, which the edge host's mount namespace hides", abs, hidden)
		}
	}
	layers := filepath.Join(abs, "layers")
	if err := os.MkdirAll(layers, 0o700); err != nil {
		return nil, err
	}
	logPath := filepath.Join(abs, "edge-host.log")
	p, err := StartProcess("edge host", logPath, "nsenter", "--net=/run/netns/"+ns.Name, "--",
		"unshare", "--mount", "--propagation", "private", "--", "sh", "-c", edgeHostScript, "edge-host", layers)
	if err != nil {
		return nil, err
	}
	cgroup, err := NewCgroupParent()
	if err != nil {
		_ = p.Stop(time.Second)
		return nil, err
	}
	h := &EdgeHost{Netns: ns, Dir: abs, CgroupParent: cgroup, holder: p}
	deadline := time.Now().Add(30 * time.Second)
	for !logHasLine(logPath, "ready") {
		if p.Exited() {
			return nil, fmt.Errorf("edge host exited before setting up its mounts: %w\n%s", p.ExitError(), formatTail("edge host", logPath, 20))
		}
		if time.Now().After(deadline) {
			_ = p.Stop(time.Second)
			return nil, fmt.Errorf("edge host did not set up its mounts within 30s\n%s", formatTail("edge host", logPath, 20))
		}
		time.Sleep(pollInterval)
	}
	return h, nil
}

// Command returns the command line that runs bin with args in the edge host's network and mount namespaces.
func (h *EdgeHost) Command(bin string, args ...string) (string, []string) {
	return "nsenter", append([]string{"--target", fmt.Sprint(h.holder.Pid()), "--mount", "--net", "--", bin}, args...)
}

// Start starts bin with args on the edge host, its output in logPath.
func (h *EdgeHost) Start(name, logPath, bin string, args ...string) (*Process, error) {
	b, a := h.Command(bin, args...)
	return StartProcess(name, logPath, b, a...)
}

// Stop ends the holder process and removes the host's cgroups; stop its containerd first. The namespaces go
// away once every process started in them has exited.
func (h *EdgeHost) Stop() error {
	return errors.Join(h.holder.Stop(5*time.Second), RemoveCgroup(h.CgroupParent))
}

// logHasLine reports whether the file at path has a line equal to line.
func logHasLine(path, line string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sc.Text() == line {
			return true
		}
	}
	return false
}
