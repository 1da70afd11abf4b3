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
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// FuzzParse checks that no cloudcore.yaml makes Parse or ResolveEndpoint panic, and that an
// accepted config always has a valid advertise address and ports.
func FuzzParse(f *testing.F) {
	f.Add([]byte(chartConfig))
	f.Add([]byte("modules:\n  cloudHub:\n    advertiseAddress: [\"\"]\n"))
	f.Add([]byte("modules:\n  cloudHub:\n    advertiseAddress: [a]\n    websocket: {port: \"1\"}\n"))
	f.Add([]byte("- [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data)
		if err != nil {
			return
		}
		if len(cfg.AdvertiseAddresses) == 0 {
			t.Fatalf("accepted a config without advertise addresses: %q", data)
		}
		for _, a := range cfg.AdvertiseAddresses {
			if validateAddress(a) != nil {
				t.Fatalf("accepted invalid advertise address %q", a)
			}
		}
		ep, err := ResolveEndpoint(cfg, chartService(corev1.ServiceTypeNodePort, 30000), Overrides{})
		if err != nil {
			t.Fatalf("ResolveEndpoint of an accepted config: %v", err)
		}
		for _, p := range []Port{ep.WebSocket, ep.QUIC, ep.HTTPS, ep.Stream, ep.Tunnel} {
			if p.Number < 1 || p.Number > 65535 {
				t.Fatalf("port out of range: %v", p)
			}
		}
	})
}

// FuzzParseTunnelPortRecord checks that no annotation makes the parser panic, and that an
// accepted record maps ports and IPs one to one.
func FuzzParseTunnelPortRecord(f *testing.F) {
	f.Add([]byte(`{"ipTunnelPort":{"192.0.2.10":10351,"192.0.2.11":10352},"port":{"10351":true,"10352":true}}`))
	f.Add([]byte(`{"ipTunnelPort":{"::1":"1"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseTunnelPortRecord(data)
		if err != nil {
			return
		}
		for _, p := range r.Ports() {
			ip, ok := r.CloudcoreFor(p)
			if !ok {
				t.Fatalf("port %d listed but not found", p)
			}
			if back, ok := r.PortOf(ip); !ok || back != p {
				t.Fatalf("port %d -> %s -> %d", p, ip, back)
			}
		}
	})
}
