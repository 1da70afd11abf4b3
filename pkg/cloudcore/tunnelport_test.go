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
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParseTunnelPortRecord(t *testing.T) {
	r, err := ParseTunnelPortRecord([]byte(`{"ipTunnelPort":{"192.168.1.10":10351,"192.168.1.11":10352,"fd00::3":10353},` +
		`"port":{"10351":true,"10352":true,"10353":true},"future":1}`))
	if err != nil {
		t.Fatalf("ParseTunnelPortRecord: %v", err)
	}
	if got := r.Ports(); !slices.Equal(got, []int32{10351, 10352, 10353}) || r.Len() != 3 {
		t.Errorf("Ports = %v, Len = %d", got, r.Len())
	}
	for port, ip := range map[int32]string{10351: "192.168.1.10", 10352: "192.168.1.11", 10353: "fd00::3"} {
		got, ok := r.CloudcoreFor(port)
		if !ok || got != netip.MustParseAddr(ip) {
			t.Errorf("CloudcoreFor(%d) = %v, %v; want %s", port, got, ok, ip)
		}
		if p, ok := r.PortOf(netip.MustParseAddr(ip)); !ok || p != port {
			t.Errorf("PortOf(%s) = %d, %v; want %d", ip, p, ok, port)
		}
	}
	if _, ok := r.CloudcoreFor(10350); ok {
		t.Error("CloudcoreFor(10350) found an owner")
	}
}

func TestParseTunnelPortRecordEmpty(t *testing.T) {
	r, err := ParseTunnelPortRecord([]byte(`{"ipTunnelPort":{},"port":{}}`))
	if err != nil || r.Len() != 0 {
		t.Fatalf("empty record: %v, %v", r, err)
	}
}

func TestParseTunnelPortRecordMalformed(t *testing.T) {
	const src = "ConfigMap kubeedge/tunnelport annotation tunnelportrecord.kubeedge.io: "
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `{"ipTunnelPort":`, src + "must be a JSON object"},
		{"array", `[]`, src + "must be a JSON object"},
		{"null", `null`, src + "must be a JSON object"},
		{"trailing data", `{"ipTunnelPort":{}} {}`, src + "must be a JSON object"},
		{"missing map", `{"port":{}}`, src + "ipTunnelPort: is required"},
		{"wrong case is not the field", `{"IPTunnelPort":{"192.168.1.10":10351}}`, src + "ipTunnelPort: is required"},
		{"map is a list", `{"ipTunnelPort":[]}`, src + "ipTunnelPort: must be a JSON object"},
		{"bad IP", `{"ipTunnelPort":{"cloudcore-0":10351}}`, src + `ipTunnelPort["cloudcore-0"]: "cloudcore-0" is not an IP address`},
		{"hostile IP", `{"ipTunnelPort":{"1.2.3.4;id":10351}}`, src + `ipTunnelPort["1.2.3.4;id"]: "1.2.3.4;id" is not an IP address`},
		{"non-canonical IP", `{"ipTunnelPort":{"FD00::3":10351}}`, src + `ipTunnelPort["FD00::3"]: "FD00::3" is not in canonical form`},
		{"mapped IP", `{"ipTunnelPort":{"::ffff:10.0.0.1":10351}}`, src + `ipTunnelPort["::ffff:10.0.0.1"]: "::ffff:10.0.0.1" is IPv4-mapped; write it as 10.0.0.1`},
		{"string port", `{"ipTunnelPort":{"192.168.1.10":"10351"}}`, src + `ipTunnelPort["192.168.1.10"]: must be an integer port, got "10351"`},
		{"float port", `{"ipTunnelPort":{"192.168.1.10":10351.5}}`, src + `ipTunnelPort["192.168.1.10"]: "10351.5" is not a port number`},
		{"zero port", `{"ipTunnelPort":{"192.168.1.10":0}}`, src + `ipTunnelPort["192.168.1.10"]: "0" is not a port number`},
		{"big port", `{"ipTunnelPort":{"192.168.1.10":65536}}`, src + `ipTunnelPort["192.168.1.10"]: "65536" is not a port number`},
		{"duplicate port", `{"ipTunnelPort":{"192.168.1.10":10351,"192.168.1.11":10351}}`,
			src + `ipTunnelPort["192.168.1.11"]: port 10351 is also recorded for 192.168.1.10`},
		{"used-port key", `{"ipTunnelPort":{},"port":{"x":true}}`, src + `port["x"]: "x" is not a port number`},
		{"used-port value", `{"ipTunnelPort":{},"port":{"10351":"yes"}}`, src + `port["10351"]: must be true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseTunnelPortRecord([]byte(tt.data))
			if err == nil {
				t.Fatalf("ParseTunnelPortRecord = %+v, want error %q", r, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
		})
	}
}

func TestParseTunnelPortConfigMap(t *testing.T) {
	if _, err := ParseTunnelPortConfigMap(nil); err == nil || !strings.Contains(err.Error(), "ConfigMap not found") {
		t.Errorf("nil: %v", err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: TunnelPortConfigMapName}}
	if _, err := ParseTunnelPortConfigMap(cm); err == nil || !strings.Contains(err.Error(), "annotation not set") {
		t.Errorf("no annotation: %v", err)
	}
	cm.Annotations = map[string]string{TunnelPortAnnotation: `{"ipTunnelPort":{"192.0.2.10":10351},"port":{"10351":true}}`}
	r, err := ParseTunnelPortConfigMap(cm)
	if err != nil || r.Len() != 1 {
		t.Fatalf("record: %v, %v", r, err)
	}
}
