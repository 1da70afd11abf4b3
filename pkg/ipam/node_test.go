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

package ipam

import (
	"net/netip"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name string, addrs ...corev1.NodeAddress) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NodeStatus{Addresses: addrs}}
}

func na(typ corev1.NodeAddressType, addr string) corev1.NodeAddress {
	return corev1.NodeAddress{Type: typ, Address: addr}
}

func TestNodeAddresses(t *testing.T) {
	tests := []struct {
		name string
		node *corev1.Node
		want []netip.Addr
	}{
		{name: "nil", node: nil, want: nil},
		{name: "no addresses", node: node("n"), want: nil},
		{
			name: "every type, DNS names skipped, de-duplicated",
			node: node("n",
				na(corev1.NodeInternalIP, "10.0.0.1"),
				na(corev1.NodeExternalIP, "192.0.2.1"),
				na(corev1.NodeHostName, "edge-1"),
				na(corev1.NodeHostName, "10.0.0.1"),
				na(corev1.NodeInternalDNS, "edge-1.cluster.local"),
				na(corev1.NodeInternalIP, "fd00::1"),
				na(corev1.NodeExternalIP, "::ffff:10.0.0.1"),
			),
			want: addrs("10.0.0.1", "192.0.2.1", "fd00::1"),
		},
		{
			name: "hostname that is an IP counts",
			node: node("n", na(corev1.NodeHostName, "172.16.0.4")),
			want: addrs("172.16.0.4"),
		},
		{
			name: "legacy leading-zero form still claims the canonical address",
			node: node("n", na(corev1.NodeInternalIP, "010.000.000.001")),
			want: addrs("10.0.0.1"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NodeAddresses(tt.node)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("NodeAddresses = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSetNode(t *testing.T) {
	x := NewIndex()
	x.SetNode(node("edge-1", na(corev1.NodeInternalIP, "10.0.0.1"), na(corev1.NodeExternalIP, "192.0.2.1")))
	x.SetNode(node("cloud-1", na(corev1.NodeInternalIP, "10.0.0.1"), na(corev1.NodeHostName, "cloud-1")))
	x.SetNode(nil)

	want := []Conflict{{
		Addr:   netip.MustParseAddr("10.0.0.1"),
		Owner:  Owner{Kind: KindNode, Name: "edge-1", AddressType: "InternalIP"},
		Others: []Owner{{Kind: KindNode, Name: "cloud-1", AddressType: "InternalIP"}},
	}}
	if got := x.Conflicts(Owner{Kind: KindNode, Name: "edge-1"}); !reflect.DeepEqual(got, want) {
		t.Fatalf("Conflicts = %v, want %v", got, want)
	}

	// The edge node's IP changes: the old address is freed and the conflict clears.
	x.SetNode(node("edge-1", na(corev1.NodeInternalIP, "10.0.0.7")))
	if x.IsTaken(netip.MustParseAddr("192.0.2.1")) {
		t.Error("ExternalIP dropped from status must be freed")
	}
	if got := x.Conflicts(Owner{Kind: KindNode, Name: "edge-1"}); got != nil {
		t.Errorf("Conflicts after the IP change = %v, want none", got)
	}
	x.RemoveNode("cloud-1")
	if got := x.Owners(netip.MustParseAddr("10.0.0.1")); got != nil {
		t.Errorf("Owners after RemoveNode = %v, want none", got)
	}
	checkInvariants(t, x)
}
