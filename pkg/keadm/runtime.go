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

package keadm

import "fmt"

// Container runtimes as KubeSphere-based consoles name them (the runtime query parameter).
const (
	RuntimeContainerd = "containerd"
	RuntimeDocker     = "docker"
)

// CRI endpoints of the runtimes a console can name.
const (
	// ContainerdEndpoint is containerd's CRI socket, keadm's default from v1.13.
	ContainerdEndpoint = "unix:///run/containerd/containerd.sock"
	// CRIDockerdEndpoint is cri-dockerd's socket, the way to run Docker once edged dropped dockershim (v1.14).
	CRIDockerdEndpoint = "unix:///var/run/cri-dockerd.sock"
)

// lastMinorWithDockershim is the last release whose edged still had dockershim (CHANGELOG-1.14 removed it).
const lastMinorWithDockershim = 13

// RuntimeFor maps a console's runtime name to the flags release v understands: containerd is its CRI
// socket (keadm adds --runtimetype=remote where that flag exists); docker is dockershim
// (--runtimetype=docker) up to v1.13 and cri-dockerd's socket from v1.14.
func RuntimeFor(name string, v Version) (endpoint string, runtimeType RuntimeType, err error) {
	switch name {
	case RuntimeContainerd:
		return ContainerdEndpoint, RuntimeTypeAuto, nil
	case RuntimeDocker:
		if v.Minor <= lastMinorWithDockershim {
			return "", RuntimeTypeDocker, nil
		}
		return CRIDockerdEndpoint, RuntimeTypeAuto, nil
	}
	return "", RuntimeTypeAuto, fmt.Errorf("runtime %q: must be %s or %s", name, RuntimeContainerd, RuntimeDocker)
}

// maxEdgeMinorsBehind is how many minor releases an edge may lag its cloudcore.
const maxEdgeMinorsBehind = 2

// CheckSkew checks that an edge of release edge can join a cloudcore of release cloud: never a
// newer minor release than cloudcore (upgrades go cloud first), and at most two minor releases older.
func CheckSkew(edge, cloud Version) error {
	switch {
	case edge.Major != cloud.Major || edge.Minor > cloud.Minor:
		return fmt.Errorf("%s is newer than cloudcore's %s; an edge node must not run a newer release than cloudcore", edge, cloud)
	case cloud.Minor-edge.Minor > maxEdgeMinorsBehind:
		return fmt.Errorf("%s is more than %d minor releases older than cloudcore's %s", edge, maxEdgeMinorsBehind, cloud)
	}
	return nil
}
