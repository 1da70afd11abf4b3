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

import (
	"fmt"
	"net"
	"slices"
	"strconv"
)

// plan is an Input that passed validation, with defaults applied.
type plan struct {
	in        Input
	version   Version
	hub       HubProtocol
	ws        int32
	quic      int32
	https     int32
	tunnel    int32
	labelKeys []string
	// tunnelServer is the edgeStream tunnel server the edge must dial, "host:port".
	tunnelServer string
}

// newPlan validates every Input field and reports all problems at once.
func newPlan(in Input) (*plan, error) {
	var errs fieldErrors
	p := &plan{in: in, hub: in.HubProtocol}
	if p.hub == "" {
		p.hub = HubProtocolWebSocket
	}

	v, err := ParseVersion(in.Version)
	errs.add("version", err)
	p.version = v

	errs.add("cloudCore.host", validateHost(in.CloudCore.Host))
	p.ws = portOrDefault(&errs, "cloudCore.webSocketPort", in.CloudCore.WebSocketPort, DefaultWebSocketPort)
	p.quic = portOrDefault(&errs, "cloudCore.quicPort", in.CloudCore.QUICPort, DefaultQUICPort)
	p.https = portOrDefault(&errs, "cloudCore.httpsPort", in.CloudCore.HTTPSPort, DefaultHTTPSPort)
	p.tunnel = portOrDefault(&errs, "cloudCore.tunnelPort", in.CloudCore.TunnelPort, DefaultTunnelPort)
	errs.add("hubProtocol", validateHubProtocol(in.HubProtocol))
	errs.add("token", validateToken(in.Token))
	errs.add("nodeName", validateNodeName(in.NodeName))
	if in.NodeIP != "" {
		errs.add("nodeIP", validateNodeIP(in.NodeIP))
	}
	for k := range in.Labels {
		p.labelKeys = append(p.labelKeys, k)
	}
	slices.Sort(p.labelKeys)
	for _, k := range p.labelKeys {
		errs.add(fmt.Sprintf("labels[%q]", k), validateLabel(k, in.Labels[k]))
	}
	p.validateTaints(&errs)
	if in.RuntimeEndpoint != "" {
		errs.add("runtimeEndpoint", validateRuntimeEndpoint(in.RuntimeEndpoint))
	}
	errs.add("runtimeType", validateRuntimeType(in.RuntimeType))
	errs.add("cgroupDriver", validateCgroupDriver(in.CgroupDriver))
	if in.ImageRepository != "" {
		errs.add("imageRepository", validateImageRepository(in.ImageRepository))
	}
	p.tunnelServer = net.JoinHostPort(in.CloudCore.Host, strconv.Itoa(int(p.tunnel)))
	if in.TunnelServer != "" {
		_, _, err := parseHostPort(in.TunnelServer)
		errs.add("tunnelServer", err)
		p.tunnelServer = in.TunnelServer
	}
	if err := errs.err(); err != nil {
		return nil, err
	}

	// Settings that would make the command wrong, not merely incomplete, on this release.
	if p.hub == HubProtocolQUIC && !Supports(v, FlagHubProtocol) {
		errs.add("hubProtocol", fmt.Errorf("%w: quic needs --hub-protocol (v1.16 and later), %s has only websocket", ErrUnsupported, v))
	}
	if in.RuntimeType == RuntimeTypeDocker && v.AtLeast(14) {
		errs.add("runtimeType", fmt.Errorf("%w: dockershim was removed from edged in v1.14; %s supports only remote (CRI) runtimes", ErrUnsupported, v))
	}
	return p, errs.err()
}

// validateTaints checks each taint and rejects two taints with the same key and effect.
func (p *plan) validateTaints(errs *fieldErrors) {
	seen := map[[2]string]bool{}
	for i, t := range p.in.Taints {
		field := fmt.Sprintf("taints[%d]", i)
		if err := validateTaint(t); err != nil {
			errs.add(field, err)
			continue
		}
		k := [2]string{t.Key, t.Effect}
		if seen[k] {
			errs.add(field, fmt.Errorf("duplicate taint %s:%s", t.Key, t.Effect))
		}
		seen[k] = true
	}
}

// portOrDefault validates an optional port and returns it, or def when it is 0.
func portOrDefault(errs *fieldErrors, field string, port, def int32) int32 {
	if err := validatePort(port); err != nil {
		errs.add(field, err)
		return def
	}
	if port == 0 {
		return def
	}
	return port
}
