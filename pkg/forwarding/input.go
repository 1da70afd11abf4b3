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

package forwarding

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// UnnegotiatedPort is the kubelet endpoint port an edge reports before its tunnel connects (the kubelet fork's readOnlyPort, 10350; kubeedge/kubeedge@v1.23.1: cloud/pkg/cloudstream/iptables/iptables.go);
// it belongs to no cloudcore, so it is forwarded to the default target.
const UnnegotiatedPort = 10350

// DefaultStreamPort is cloudcore's default cloudStream.streamPort.
const DefaultStreamPort = cloudcore.DefaultStreamPort

// EdgeNode is what Compute needs to know about one edge node.
type EdgeNode struct {
	// Name is the Node's name.
	Name string
	// InternalIP is the address clients dial (the Node's first InternalIP), as recorded; it is parsed strictly.
	InternalIP string
	// KubeletPort is status.daemonEndpoints.kubeletEndpoint.Port.
	KubeletPort int32
	// Addresses are all of the Node's status addresses; each IP among them is claimed for uniqueness.
	Addresses []corev1.NodeAddress
}

// Node is a non-edge node whose addresses no edge node may use.
type Node struct {
	// Name is the Node's name.
	Name string
	// Addresses are the Node's status addresses.
	Addresses []corev1.NodeAddress
}

// Input is everything the desired forwarding set depends on.
type Input struct {
	// EdgeNodes are the nodes to forward to.
	EdgeNodes []EdgeNode
	// OtherNodes are the cluster's non-edge nodes.
	OtherNodes []Node
	// Globals is everything besides the nodes.
	Globals
}

// FromNode returns the EdgeNode view of a core Node: its first InternalIP, kubelet endpoint port and addresses.
func FromNode(node *corev1.Node) EdgeNode {
	if node == nil {
		return EdgeNode{}
	}
	e := EdgeNode{
		Name:        node.Name,
		KubeletPort: node.Status.DaemonEndpoints.KubeletEndpoint.Port,
		Addresses:   node.Status.Addresses,
	}
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			e.InternalIP = a.Address
			break
		}
	}
	return e
}

// Globals is everything in Input besides the nodes: what a change to re-evaluates every edge node.
type Globals struct {
	// CloudCoreAddresses are cloudcore's addresses: advertise addresses, Service and pod IPs.
	CloudCoreAddresses []netip.Addr
	// HostName names this host in conflict reports; empty means "localhost".
	HostName string
	// HostAddresses are the addresses of the host the syncer runs on.
	HostAddresses []netip.Addr
	// TunnelPorts is the kubeedge/tunnelport record; nil when it does not exist.
	TunnelPorts *cloudcore.TunnelPortRecord
	// DefaultTarget is the cloudcore IP for nodes whose owner is unknown; the zero Addr means none.
	DefaultTarget netip.Addr
	// StreamPort is cloudcore's stream port; 0 means DefaultStreamPort.
	StreamPort uint16
	// ExtraPorts are further ports forwarded for every node to the same target.
	ExtraPorts []uint16
}

// Input returns the input of g with these nodes.
func (g *Globals) Input(edge []EdgeNode, other []Node) Input {
	return Input{EdgeNodes: edge, OtherNodes: other, Globals: *g}
}

// clone returns g with its own copies of the slices.
func (g *Globals) clone() Globals {
	c := *g
	c.CloudCoreAddresses = slices.Clone(g.CloudCoreAddresses)
	c.HostAddresses = slices.Clone(g.HostAddresses)
	c.ExtraPorts = slices.Clone(g.ExtraPorts)
	return c
}

// Equal reports whether g and o lead to the same evaluation of every node.
func (g *Globals) Equal(o *Globals) bool {
	return g.HostName == o.HostName && g.DefaultTarget == o.DefaultTarget && g.StreamPort == o.StreamPort &&
		slices.Equal(g.CloudCoreAddresses, o.CloudCoreAddresses) && slices.Equal(g.HostAddresses, o.HostAddresses) &&
		slices.Equal(g.ExtraPorts, o.ExtraPorts) && g.TunnelPorts.Equal(o.TunnelPorts)
}

// addressClaim is one claim on an address by something that is not a node.
type addressClaim struct {
	addr  netip.Addr
	owner ipam.Owner
}

// addressClaims returns the claims of cloudcore, the tunnel-port record, the default target and this host.
func (g *Globals) addressClaims() []addressClaim {
	var out []addressClaim
	for _, a := range g.CloudCoreAddresses {
		out = append(out, addressClaim{a, ipam.Owner{Kind: ipam.KindCloudCore, Name: CloudCoreOwnerName}})
	}
	if g.TunnelPorts != nil {
		for _, p := range g.TunnelPorts.Ports() {
			a, _ := g.TunnelPorts.CloudcoreFor(p)
			out = append(out, addressClaim{a, ipam.Owner{Kind: ipam.KindCloudCore, Name: TunnelPortOwnerName, AddressType: fmt.Sprintf("TunnelPort %d", p)}})
		}
	}
	out = append(out, addressClaim{g.DefaultTarget, ipam.Owner{Kind: ipam.KindCloudCore, Name: DefaultTargetOwnerName}})
	host := cmp.Or(g.HostName, defaultHostName)
	for _, a := range g.HostAddresses {
		out = append(out, addressClaim{a, ipam.Owner{Kind: ipam.KindHost, Name: host}})
	}
	return out
}
