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
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func mustParse(t *testing.T, doc string) *Config {
	t.Helper()
	cfg, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

// chartService is the cloudcore Service as the chart writes it, with the given type and node ports.
func chartService(typ corev1.ServiceType, nodePortBase int32) *corev1.Service {
	names := []string{PortNameCloudHub, PortNameCloudHubQUIC, PortNameCloudHubHTTPS, PortNameCloudStream, PortNameTunnel}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: ServiceName},
		Spec:       corev1.ServiceSpec{Type: typ},
	}
	for i, name := range names {
		sp := corev1.ServicePort{Name: name, Port: 10000 + int32(i), TargetPort: intstr.FromInt32(10000 + int32(i)), Protocol: corev1.ProtocolTCP}
		if name == PortNameCloudHubQUIC {
			sp.Protocol = corev1.ProtocolUDP
		}
		if nodePortBase != 0 {
			sp.NodePort = nodePortBase + int32(i)
		}
		svc.Spec.Ports = append(svc.Spec.Ports, sp)
	}
	return svc
}

type wantPorts struct{ ws, quic, https, stream, tunnel int32 }

func portsOf(ep *Endpoint) wantPorts {
	return wantPorts{ep.WebSocket.Number, ep.QUIC.Number, ep.HTTPS.Number, ep.Stream.Number, ep.Tunnel.Number}
}

func TestResolveEndpoint(t *testing.T) {
	cfg := mustParse(t, chartConfig)
	lb := func(ingress ...corev1.LoadBalancerIngress) *corev1.Service {
		svc := chartService(corev1.ServiceTypeLoadBalancer, 31000)
		for i := range svc.Spec.Ports {
			svc.Spec.Ports[i].Port = 443 + int32(i)
		}
		svc.Status.LoadBalancer.Ingress = ingress
		return svc
	}
	tests := []struct {
		name       string
		svc        *corev1.Service
		o          Overrides
		host       string
		hostSource string
		ports      wantPorts
		wsSource   string
		warning    string
	}{
		{name: "no Service", host: "192.168.1.10", hostSource: "cloudcore.yaml modules.cloudHub.advertiseAddress[0]",
			ports: wantPorts{10000, 10001, 10002, 10003, 10004}, wsSource: "cloudcore.yaml modules.cloudHub.websocket.port"},
		{name: "ClusterIP", svc: chartService(corev1.ServiceTypeClusterIP, 0), host: "192.168.1.10",
			ports: wantPorts{10000, 10001, 10002, 10003, 10004}, wsSource: "cloudcore.yaml modules.cloudHub.websocket.port"},
		{name: "NodePort (KubeSphere #4722)", svc: chartService(corev1.ServiceTypeNodePort, 30000), host: "192.168.1.10",
			ports: wantPorts{30000, 30001, 30002, 30003, 30004}, wsSource: `Service kubeedge/cloudcore nodePort of port "cloudhub"`},
		{name: "NodePort, overridden", svc: chartService(corev1.ServiceTypeNodePort, 30000),
			o:    Overrides{Host: "cloudcore.example.com", TunnelPort: 443},
			host: "cloudcore.example.com", hostSource: "override", ports: wantPorts{30000, 30001, 30002, 30003, 443}},
		{name: "LoadBalancer, ingress IP among advertise addresses",
			svc:  lb(corev1.LoadBalancerIngress{IP: "203.0.113.7"}, corev1.LoadBalancerIngress{IP: "192.168.1.10"}),
			host: "192.168.1.10", hostSource: "Service kubeedge/cloudcore status.loadBalancer.ingress",
			ports: wantPorts{443, 444, 445, 446, 447}, wsSource: `Service kubeedge/cloudcore port "cloudhub"`},
		{name: "LoadBalancer, hostname outside the certificate",
			svc:  lb(corev1.LoadBalancerIngress{Hostname: "lb.example.net"}),
			host: "lb.example.net", ports: wantPorts{443, 444, 445, 446, 447}, warning: "certificate does not cover it"},
		{name: "LoadBalancer, hostile ingress skipped",
			svc:  lb(corev1.LoadBalancerIngress{Hostname: "lb;id"}, corev1.LoadBalancerIngress{IP: "203.0.113.7"}),
			host: "203.0.113.7", ports: wantPorts{443, 444, 445, 446, 447}, warning: "certificate does not cover it"},
		{name: "LoadBalancer without ingress falls back to NodePorts", svc: lb(),
			host: "192.168.1.10", ports: wantPorts{31000, 31001, 31002, 31003, 31004}, warning: "without an ingress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := ResolveEndpoint(cfg, tt.svc, tt.o)
			if err != nil {
				t.Fatalf("ResolveEndpoint: %v", err)
			}
			if ep.Host != tt.host || (tt.hostSource != "" && ep.HostSource != tt.hostSource) {
				t.Errorf("host = %q from %q, want %q from %q", ep.Host, ep.HostSource, tt.host, tt.hostSource)
			}
			if got := portsOf(ep); got != tt.ports {
				t.Errorf("ports = %+v, want %+v", got, tt.ports)
			}
			if tt.wsSource != "" && ep.WebSocket.Source != tt.wsSource {
				t.Errorf("websocket source = %q, want %q", ep.WebSocket.Source, tt.wsSource)
			}
			joined := strings.Join(ep.Warnings, "\n")
			if tt.warning == "" && len(ep.Warnings) > 0 {
				t.Errorf("unexpected warnings: %q", ep.Warnings)
			}
			if tt.warning != "" && !strings.Contains(joined, tt.warning) {
				t.Errorf("warnings %q, want one containing %q", ep.Warnings, tt.warning)
			}
			if !ep.QUICEnabled || !ep.StreamEnabled {
				t.Errorf("enables lost: %+v", ep)
			}
		})
	}
}

func TestResolveEndpointPortMatching(t *testing.T) {
	cfg := mustParse(t, "modules:\n  cloudHub:\n    advertiseAddress: [192.168.1.10]\n    websocket:\n      port: 20000\n")
	tests := []struct {
		name    string
		ports   []corev1.ServicePort
		ws      int32
		warning string
	}{
		{"targetPort number wins over name", []corev1.ServicePort{
			{Name: "cloudhub", Port: 10000, TargetPort: intstr.FromInt32(10000), NodePort: 30000},
			{Name: "other", Port: 20000, TargetPort: intstr.FromInt32(20000), NodePort: 32000},
		}, 32000, ""},
		{"unset targetPort defaults to port", []corev1.ServicePort{{Name: "x", Port: 20000, NodePort: 32001}}, 32001, ""},
		{"named targetPort matched by chart name", []corev1.ServicePort{
			{Name: "cloudhub", Port: 10000, TargetPort: intstr.FromString("cloudhub"), NodePort: 32002},
		}, 32002, ""},
		{"no match keeps the container port", []corev1.ServicePort{{Name: "other", Port: 1, NodePort: 30001}}, 20000, "no port for the websocket listener"},
		{"no nodePort yet", []corev1.ServicePort{{Name: "cloudhub", Port: 20000}}, 20000, "has no nodePort yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: ServiceName},
				Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: tt.ports}}
			ep, err := ResolveEndpoint(cfg, svc, Overrides{})
			if err != nil {
				t.Fatal(err)
			}
			if ep.WebSocket.Number != tt.ws {
				t.Errorf("websocket = %v, want %d", ep.WebSocket, tt.ws)
			}
			if tt.warning != "" && !strings.Contains(strings.Join(ep.Warnings, "\n"), tt.warning) {
				t.Errorf("warnings %q, want %q", ep.Warnings, tt.warning)
			}
		})
	}
}

func TestResolveEndpointQUICPrefersUDP(t *testing.T) {
	cfg := mustParse(t, chartConfig)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: ServiceName}, Spec: corev1.ServiceSpec{
		Type: corev1.ServiceTypeNodePort,
		Ports: []corev1.ServicePort{
			{Name: "quic-tcp", Port: 10001, Protocol: corev1.ProtocolTCP, NodePort: 30101},
			{Name: "quic-udp", Port: 10001, Protocol: corev1.ProtocolUDP, NodePort: 30201},
		},
	}}
	ep, err := ResolveEndpoint(cfg, svc, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if ep.QUIC.Number != 30201 {
		t.Errorf("quic = %v, want the UDP node port 30201", ep.QUIC)
	}
}

func TestResolveEndpointErrors(t *testing.T) {
	cfg := mustParse(t, chartConfig)
	tests := []struct {
		name string
		cfg  *Config
		o    Overrides
		want string
	}{
		{"nil config", nil, Overrides{}, "no cloudcore configuration"},
		{"hostile host", cfg, Overrides{Host: "1.2.3.4 && id"}, "host override"},
		{"bad port", cfg, Overrides{HTTPSPort: 70000}, "https port override 70000"},
		{"negative port", cfg, Overrides{WebSocketPort: -1}, "websocket port override -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ResolveEndpoint(tt.cfg, nil, tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
