package forwarding

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
)

// UnnegotiatedPort is the kubelet endpoint port an edge reports before its tunnel connects (kubeedge-facts §4.1);
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
	// ExtraPorts are further ports forwarded for every node to the same target, such as 10250 for metrics-server.
	ExtraPorts []uint16
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
