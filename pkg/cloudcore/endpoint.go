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

package cloudcore

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// Endpoint is where an edge reaches cloudcore, with the origin of every value.
type Endpoint struct {
	// Host is the address the edge dials, an IP or a DNS name.
	Host string
	// HostSource says where Host came from.
	HostSource string
	// WebSocket is CloudHub's websocket port as seen from the edge.
	WebSocket Port
	// QUIC is CloudHub's QUIC port as seen from the edge.
	QUIC Port
	// HTTPS is CloudHub's certificate port as seen from the edge.
	HTTPS Port
	// Stream is CloudStream's stream port as reachable through the Service.
	Stream Port
	// Tunnel is CloudStream's tunnel port as seen from the edge.
	Tunnel Port
	// QUICEnabled reports whether cloudcore serves QUIC.
	QUICEnabled bool
	// StreamEnabled reports whether cloudcore runs the stream module.
	StreamEnabled bool
	// Warnings explain choices an operator should know about (fallbacks, certificate mismatch).
	Warnings []string
}

// Overrides replace resolved values, for example from flags or request fields; zero values keep the resolved one.
type Overrides struct {
	// Host replaces the address the edge dials.
	Host string
	// WebSocketPort replaces the websocket port.
	WebSocketPort int32
	// QUICPort replaces the QUIC port.
	QUICPort int32
	// HTTPSPort replaces the certificate port.
	HTTPSPort int32
	// StreamPort replaces the stream port.
	StreamPort int32
	// TunnelPort replaces the tunnel port.
	TunnelPort int32
}

// Listeners of cloudcore, as the chart names and exposes them.
var (
	webSocketSpec = listenerSpec{what: "websocket", portName: PortNameCloudHub, protocol: corev1.ProtocolTCP}
	quicSpec      = listenerSpec{what: "quic", portName: PortNameCloudHubQUIC, protocol: corev1.ProtocolUDP}
	httpsSpec     = listenerSpec{what: "https", portName: PortNameCloudHubHTTPS, protocol: corev1.ProtocolTCP}
	streamSpec    = listenerSpec{what: "stream", portName: PortNameCloudStream, protocol: corev1.ProtocolTCP}
	tunnelSpec    = listenerSpec{what: "tunnel", portName: PortNameTunnel, protocol: corev1.ProtocolTCP}
)

// ResolveEndpoint applies the rule in the package documentation: cfg gives the container
// ports and advertise addresses, svc (the kubeedge/cloudcore Service, or nil) decides what
// is reachable from outside, and o overrides the result.
func ResolveEndpoint(cfg *Config, svc *corev1.Service, o Overrides) (*Endpoint, error) {
	if cfg == nil || len(cfg.AdvertiseAddresses) == 0 {
		return nil, fmt.Errorf("cloudcore endpoint: no cloudcore configuration with an advertise address")
	}
	r := &resolver{cfg: cfg, svc: svc, ep: &Endpoint{
		Host:          cfg.AdvertiseAddresses[0],
		HostSource:    configSource + " modules.cloudHub.advertiseAddress[0]",
		QUICEnabled:   cfg.QUIC.Enable,
		StreamEnabled: cfg.CloudStream.Enable,
	}}
	r.expose()
	if err := r.override(o); err != nil {
		return nil, err
	}
	if !slices.Contains(cfg.AdvertiseAddresses, r.ep.Host) {
		r.warn("%s is not in modules.cloudHub.advertiseAddress %v; cloudcore's certificate does not cover it, "+
			"so edges may fail TLS verification", r.ep.Host, cfg.AdvertiseAddresses)
	}
	return r.ep, nil
}

// resolver carries one ResolveEndpoint computation.
type resolver struct {
	cfg *Config
	svc *corev1.Service
	ep  *Endpoint
}

// warn records an operator-facing note.
func (r *resolver) warn(format string, args ...any) {
	r.ep.Warnings = append(r.ep.Warnings, fmt.Sprintf(format, args...))
}

// serviceName is the Service's namespace/name for sources and warnings.
func (r *resolver) serviceName() string {
	return "Service " + r.svc.Namespace + "/" + r.svc.Name
}

// expose maps every listener through the Service, per the Service type.
func (r *resolver) expose() {
	mode := corev1.ServiceTypeClusterIP
	if r.svc != nil {
		mode = r.svc.Spec.Type
	}
	if mode == corev1.ServiceTypeLoadBalancer && !r.pickIngress() {
		r.warn("%s is a LoadBalancer without an ingress yet; using its NodePorts on %s", r.serviceName(), r.ep.Host)
		mode = corev1.ServiceTypeNodePort
	}
	r.ep.WebSocket = r.port(mode, webSocketSpec, r.cfg.WebSocket.Port)
	r.ep.QUIC = r.port(mode, quicSpec, r.cfg.QUIC.Port)
	r.ep.HTTPS = r.port(mode, httpsSpec, r.cfg.HTTPS.Port)
	r.ep.Stream = r.port(mode, streamSpec, r.cfg.CloudStream.StreamPort)
	r.ep.Tunnel = r.port(mode, tunnelSpec, r.cfg.CloudStream.TunnelPort)
}

// pickIngress chooses the load balancer address, preferring one that is an advertise address.
func (r *resolver) pickIngress() bool {
	var first string
	for _, in := range r.svc.Status.LoadBalancer.Ingress {
		addr := in.IP
		if addr == "" {
			addr = in.Hostname
		}
		if addr == "" || validateAddress(addr) != nil {
			continue
		}
		if slices.Contains(r.cfg.AdvertiseAddresses, addr) {
			r.ep.Host, r.ep.HostSource = addr, r.serviceName()+" status.loadBalancer.ingress"
			return true
		}
		if first == "" {
			first = addr
		}
	}
	if first == "" {
		return false
	}
	r.ep.Host, r.ep.HostSource = first, r.serviceName()+" status.loadBalancer.ingress"
	return true
}

// port maps one listener's container port to what the edge dials under the given Service type.
func (r *resolver) port(mode corev1.ServiceType, l listenerSpec, container Port) Port {
	if mode != corev1.ServiceTypeNodePort && mode != corev1.ServiceTypeLoadBalancer {
		return container
	}
	sp := matchServicePort(r.svc, l, container.Number)
	if sp == nil {
		r.warn("%s exposes no port for the %s listener (%s); using the container port", r.serviceName(), l.what, container)
		return container
	}
	if mode == corev1.ServiceTypeLoadBalancer {
		return Port{Number: sp.Port, Source: fmt.Sprintf("%s port %q", r.serviceName(), sp.Name)}
	}
	if sp.NodePort == 0 {
		r.warn("%s port %q has no nodePort yet; using the container port for the %s listener", r.serviceName(), sp.Name, l.what)
		return container
	}
	return Port{Number: sp.NodePort, Source: fmt.Sprintf("%s nodePort of port %q", r.serviceName(), sp.Name)}
}

// override applies caller overrides after validating them.
func (r *resolver) override(o Overrides) error {
	if o.Host != "" {
		if err := validateAddress(o.Host); err != nil {
			return fmt.Errorf("cloudcore endpoint: host override: %w", err)
		}
		r.ep.Host, r.ep.HostSource = o.Host, "override"
	}
	for _, p := range []struct {
		name string
		v    int32
		dst  *Port
	}{
		{"websocket", o.WebSocketPort, &r.ep.WebSocket},
		{"quic", o.QUICPort, &r.ep.QUIC},
		{"https", o.HTTPSPort, &r.ep.HTTPS},
		{"stream", o.StreamPort, &r.ep.Stream},
		{"tunnel", o.TunnelPort, &r.ep.Tunnel},
	} {
		if p.v == 0 {
			continue
		}
		if p.v < 0 || p.v > 65535 {
			return fmt.Errorf("cloudcore endpoint: %s port override %d is not a port number (1-65535)", p.name, p.v)
		}
		*p.dst = Port{Number: p.v, Source: "override"}
	}
	return nil
}
