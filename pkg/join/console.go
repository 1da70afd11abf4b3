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

package join

import (
	"fmt"

	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
)

// ConsoleOptions are the optional parameters that KubeSphere-based consoles (EdgeWize) send.
type ConsoleOptions struct {
	// Version is the KubeEdge release to install; empty means the configured one.
	Version string
	// Runtime is containerd or docker; empty means the server's runtime settings.
	Runtime string
	// ImageRepository is the registry prefix of the KubeEdge images; empty means the server's.
	ImageRepository string
}

// consoleSettings is what ConsoleOptions resolve to for one command.
type consoleSettings struct {
	version         string
	runtimeEndpoint string
	runtimeType     keadm.RuntimeType
	imageRepository string
}

// resolveConsoleOptions checks the options against cloudcore's release (the configured version) and
// maps the runtime to the flags of the chosen release. Every problem is an *InvalidRequest.
func resolveConsoleOptions(o ConsoleOptions, cloudVersion string) (consoleSettings, error) {
	s := consoleSettings{version: cloudVersion, imageRepository: o.ImageRepository}
	cloud, err := keadm.ParseVersion(cloudVersion)
	if err != nil {
		return s, &InvalidRequest{Err: fmt.Errorf("cloudcore version: %w", err)}
	}
	edge := cloud
	if o.Version != "" {
		if edge, err = keadm.ParseVersion(o.Version); err != nil {
			return s, &InvalidRequest{Err: fmt.Errorf("version: %w", err)}
		}
		if err := keadm.CheckSkew(edge, cloud); err != nil {
			return s, &InvalidRequest{Err: fmt.Errorf("version: %w", err)}
		}
		s.version = edge.String()
	}
	if o.Runtime != "" {
		if s.runtimeEndpoint, s.runtimeType, err = keadm.RuntimeFor(o.Runtime, edge); err != nil {
			return s, &InvalidRequest{Err: err}
		}
	}
	return s, nil
}

// logAddressChoice says how a console join without an address got one, once it is reserved.
func logAddressChoice(req LegacyRequest, res *CommandResult) {
	if req.NodeIP != "" || req.DefaultTaint == nil || res.Reservation == nil {
		return
	}
	if ip := res.Reservation.IP; ip.IsValid() {
		klog.InfoS("Console join without an address: allocated the lowest free --edge-ip-pool address",
			"node", req.NodeName, "ip", ip.String(), "user", req.Requester)
		return
	}
	klog.InfoS("Console join without an address and no --edge-ip-pool: reserved the name only; edgecore picks "+
		"its address and the syncer reports a conflict if another node holds it", "node", req.NodeName, "user", req.Requester)
}
