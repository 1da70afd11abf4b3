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
	"fmt"
	"path/filepath"
	"strconv"
)

// ContainerdLayout is where a private containerd keeps everything: nothing of it is under /var/lib/containerd,
// /run/containerd or /opt/containerd.
type ContainerdLayout struct {
	// Dir is the containerd's directory; the others are in it.
	Dir string
	// Root, State, Socket, Opt and CNIConf are containerd's root, state, gRPC socket, opt plugin and CNI
	// configuration directories.
	Root, State, Socket, Opt, CNIConf string
}

// maxSocketPath is the longest path a unix socket may have on Linux (sun_path is 108 bytes with the NUL).
const maxSocketPath = 107

// NewContainerdLayout returns the layout of a containerd in dir, or an error when its socket path would be too
// long for a unix socket.
func NewContainerdLayout(dir string) (ContainerdLayout, error) {
	l := ContainerdLayout{
		Dir:     dir,
		Root:    filepath.Join(dir, "root"),
		State:   filepath.Join(dir, "state"),
		Socket:  filepath.Join(dir, "containerd.sock"),
		Opt:     filepath.Join(dir, "opt"),
		CNIConf: filepath.Join(dir, "cni"),
	}
	// containerd also listens on <socket>.ttrpc.
	if n := len(l.Socket + ".ttrpc"); n > maxSocketPath {
		return ContainerdLayout{}, fmt.Errorf("containerd socket path %s.ttrpc is %d bytes, more than a unix socket allows (%d)", l.Socket, n, maxSocketPath)
	}
	return l, nil
}

// CNIBinDir is where Debian's containernetworking-plugins installs the CNI plugins.
const CNIBinDir = "/usr/lib/cni"

// loopbackCNIConfig is the only CNI network: the loopback plugin. It makes the CRI plugin's network ready, so
// the kubelet reports the node Ready, while pods use the host network (non-host-network pods cannot start,
// having no eth0).
const loopbackCNIConfig = `{"cniVersion":"0.4.0","name":"edgewatcher-loopback","plugins":[{"type":"loopback"}]}`

// ContainerdConfig returns containerd's config.toml (version 2, as containerd/containerd@v1.6.20:docs/cri/config.md
// describes it) for layout: private paths, no debug or metrics listener, sandboxImage as the CRI plugin's pod
// sandbox image, runc with cgroupfs, overlayfs, the CRI streaming server on loopback, and CNI from
// CNIBinDir with the configuration in layout.CNIConf. OOM score adjustments are restricted to containerd's own
// (restrict_oom_score_adj): the kubelet asks -998 for pod sandboxes, and lowering a score needs
// CAP_SYS_RESOURCE, which root lacks on some machines, this one included (runc then fails with "can't get final
// child's PID from pipe: EOF").
func ContainerdConfig(layout ContainerdLayout, sandboxImage string) string {
	q := strconv.Quote
	return `version = 2
root = ` + q(layout.Root) + `
state = ` + q(layout.State) + `

[grpc]
  address = ` + q(layout.Socket) + `

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ` + q(layout.Opt) + `

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ` + q(sandboxImage) + `
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  restrict_oom_score_adj = true

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = ` + q(CNIBinDir) + `
  conf_dir = ` + q(layout.CNIConf) + `
  max_conf_num = 1
`
}
