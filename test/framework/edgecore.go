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
	"path/filepath"
	"strings"
	"time"
)

// EdgeCoreOptions says how to run a real edgecore on an edge host.
type EdgeCoreOptions struct {
	// Bin is the edgecore binary (RequireKubeEdgeBinary(tb, tag, "edgecore")).
	Bin string
	// Host is the edge host it runs on.
	Host *EdgeHost
	// Containerd is the edge host's container runtime.
	Containerd *Containerd
	// JoinArgs is the `keadm join` command, word by word, as EdgeWatcher generated it.
	JoinArgs []string
	// Dir receives edgecore.yaml and edgecore.log.
	Dir string
}

// EdgeCore is a running edgecore.
type EdgeCore struct {
	// Config is the configuration it was started with.
	Config EdgeCoreConfig
	// ConfigPath and LogPath are its edgecore.yaml and its log.
	ConfigPath, LogPath string
	// Proc is the edgecore process.
	Proc *Process
}

// EdgeHostSettings changes what only the test's edge host needs, on top of what keadm set: the CRI endpoint
// is the private containerd's socket (keadm's default is the system's), the pod sandbox image is the locally
// built pause image, and the kubelet makes no QoS or node-allocatable cgroups: pods get their cgroups under
// cgroupParent (the kubelet's cgroupRoot), which the test removes, so the host's cgroup tree is left as it was.
// The edge device shares the host's disk and memory, so the eviction thresholds are near zero: with the kubelet's
// defaults (imagefs.available<15%) a host disk 85% full made edged evict and garbage-collect the test's
// container while the test read its log.
func EdgeHostSettings(c EdgeCoreConfig, runtimeEndpoint, sandboxImage, cgroupParent string) error {
	for _, s := range []setting{
		{"modules.edged.tailoredKubeletConfig.evictionHard", map[string]any{
			"imagefs.available": "1%", "nodefs.available": "1%", "nodefs.inodesFree": "1%", "memory.available": "1Mi",
		}},
		{"modules.edged.tailoredKubeletConfig.imageGCHighThresholdPercent", 100},
		{"modules.edged.tailoredKubeletConfig.imageGCLowThresholdPercent", 99},
		{"modules.edged.tailoredKubeletConfig.containerRuntimeEndpoint", runtimeEndpoint},
		{"modules.edged.tailoredKubeletConfig.imageServiceEndpoint", runtimeEndpoint},
		{"modules.edged.podSandboxImage", sandboxImage},
		{"modules.edged.tailoredKubeletConfig.cgroupsPerQOS", false},
		{"modules.edged.tailoredKubeletConfig.enforceNodeAllocatable", []any{}},
		{"modules.edged.tailoredKubeletConfig.cgroupRoot", cgroupParent},
	} {
		if err := c.Set(s.path, s.value); err != nil {
			return err
		}
	}
	return nil
}

// StartEdgeCore writes edgecore.yaml (DefaultEdgeCoreConfig, then ApplyKeadmJoin with opts.JoinArgs, then
// EdgeHostSettings) and starts edgecore with it on the edge host. Edgecore's other paths (/etc/kubeedge,
// /var/lib/kubeedge, /var/lib/kubelet, /var/log/pods) stay at their defaults, inside the host's private mounts.
func StartEdgeCore(ctx context.Context, opts EdgeCoreOptions) (*EdgeCore, error) {
	c, err := DefaultEdgeCoreConfig(ctx, opts.Bin)
	if err != nil {
		return nil, err
	}
	if err := c.ApplyKeadmJoin(opts.JoinArgs); err != nil {
		return nil, fmt.Errorf("applying %s: %w", strings.Join(opts.JoinArgs, " "), err)
	}
	if err := EdgeHostSettings(c, opts.Containerd.Endpoint, PauseImageName, opts.Host.CgroupParent); err != nil {
		return nil, err
	}
	data, err := c.YAML()
	if err != nil {
		return nil, err
	}
	e := &EdgeCore{Config: c, ConfigPath: filepath.Join(opts.Dir, "edgecore.yaml"), LogPath: filepath.Join(opts.Dir, "edgecore.log")}
	if err := os.WriteFile(e.ConfigPath, data, 0o600); err != nil {
		return nil, err
	}
	// CHECK_EDGECORE_ENVIRONMENT=false skips edgecore's refusal to start while any process named kubelet runs
	// on the machine (environmentCheck in kubeedge/kubeedge@v1.23.1:edge/cmd/edgecore/app/server.go), which
	// would make this test depend on what else the machine runs.
	e.Proc, err = opts.Host.Start("edgecore", e.LogPath, "env", "CHECK_EDGECORE_ENVIRONMENT=false", opts.Bin, "--config", e.ConfigPath)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// WaitForLog waits until edgecore's log has a line containing every one of substrings, or it exits.
func (e *EdgeCore) WaitForLog(ctx context.Context, timeout time.Duration, substrings ...string) error {
	return waitUntil(ctx, timeout, fmt.Sprintf("edgecore to log %q", substrings), func(context.Context) (bool, error) {
		data, err := os.ReadFile(e.LogPath)
		if err != nil {
			return false, err
		}
	lines:
		for l := range strings.Lines(string(data)) {
			for _, s := range substrings {
				if !strings.Contains(l, s) {
					continue lines
				}
			}
			return true, nil
		}
		return false, nil
	}, e.Proc)
}

// Stop stops edgecore.
func (e *EdgeCore) Stop() error {
	return e.Proc.Stop(10 * time.Second)
}
