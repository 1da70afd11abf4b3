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

package kubeedge

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EdgeNodePhase is the lifecycle phase of an edge node as EdgeWatcher sees it.
type EdgeNodePhase string

// Phases of an EdgeNode.
const (
	// EdgeNodePending is a reservation for a node that has not joined yet.
	EdgeNodePending EdgeNodePhase = "Pending"
	// EdgeNodeJoined is a node that is registered as a core Node.
	EdgeNodeJoined EdgeNodePhase = "Joined"
	// EdgeNodeExpired is a reservation whose TTL passed before the node joined.
	EdgeNodeExpired EdgeNodePhase = "Expired"
	// EdgeNodeConflict is a node whose address is not unique in the cluster.
	EdgeNodeConflict EdgeNodePhase = "Conflict"
)

// NodeReadiness summarises a Node's Ready condition.
type NodeReadiness string

// Readiness values, as kubectl prints them for Nodes.
const (
	// NodeReady means the Ready condition is True.
	NodeReady NodeReadiness = "Ready"
	// NodeNotReady means the Ready condition is False.
	NodeNotReady NodeReadiness = "NotReady"
	// NodeReadinessUnknown means the Ready condition is Unknown or missing.
	NodeReadinessUnknown NodeReadiness = "Unknown"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// EdgeNode is a KubeEdge edge node: a joined core Node or a reservation for one.
type EdgeNode struct {
	metav1.TypeMeta
	metav1.ObjectMeta

	Spec   EdgeNodeSpec
	Status EdgeNodeStatus
}

// EdgeNodeSpec is what an administrator asks for an edge node.
type EdgeNodeSpec struct {
	// InternalIP is the address the node registers as its InternalIP.
	InternalIP string
	// Labels are node labels passed to keadm.
	Labels map[string]string
	// Taints are registered with the node when it first joins.
	Taints []EdgeNodeTaint
	// KubeEdgeVersion is the KubeEdge release to install, such as v1.23.1.
	KubeEdgeVersion string
}

// EdgeNodeTaint is a taint registered with an edge node when it joins.
type EdgeNodeTaint struct {
	// Key is the taint key.
	Key string
	// Value is the taint value.
	Value string
	// Effect is NoSchedule, PreferNoSchedule or NoExecute.
	Effect string
}

// EdgeNodeStatus is what EdgeWatcher observes about an edge node.
type EdgeNodeStatus struct {
	// Phase is the lifecycle phase.
	Phase EdgeNodePhase
	// Readiness summarises the Node's Ready condition.
	Readiness NodeReadiness
	// InternalIP is the Node's first InternalIP address.
	InternalIP string
	// KubeletPort is status.daemonEndpoints.kubeletEndpoint.Port of the Node.
	KubeletPort int32
	// KubeEdgeVersion is the version the node reports (nodeInfo.kubeletVersion).
	KubeEdgeVersion string
	// Conditions are the latest observations of the edge node's state.
	Conditions []metav1.Condition
	// ReservationExpiresAt is when a Pending reservation lapses.
	ReservationExpiresAt *metav1.Time
	// ReservedBy is the user who made the reservation.
	ReservedBy string
	// Forwarding is the node's forwarding coverage across syncer hosts.
	Forwarding *EdgeNodeForwarding
}

// EdgeNodeForwarding is the forwarding coverage of an edge node across syncer hosts.
type EdgeNodeForwarding struct {
	// Hosts is the number of syncer hosts with a heartbeat Lease.
	Hosts int32
	// ForwardingHosts is the number of live syncer hosts that forward the node.
	ForwardingHosts int32
	// ConflictHosts is the number of live syncer hosts that refuse to forward it.
	ConflictHosts int32
	// PendingHosts is the number of live syncer hosts that have not yet reported on the node's current address.
	PendingHosts int32
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// EdgeNodeList is a list of EdgeNodes.
type EdgeNodeList struct {
	metav1.TypeMeta
	metav1.ListMeta

	Items []EdgeNode
}
