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

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EdgeNodePhase is the lifecycle phase of an edge node as EdgeWatcher sees it.
// +enum
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
// +enum
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

// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=get,list,watch,create,delete
// +genclient:method=CreateJoinToken,verb=create,subresource=jointoken,input=github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1.JoinToken,result=github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1.JoinToken
// +genclient:method=CreateJoinCommand,verb=create,subresource=joincommand,input=github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1.JoinCommand,result=github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1.JoinCommand
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// EdgeNode is a KubeEdge edge node: a joined core Node labelled
// node-role.kubernetes.io/edge, or a reservation for a node that has not joined yet.
type EdgeNode struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata. For a joined node, the labels are the Node's labels.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// Spec is what an administrator asks for the edge node.
	// +optional
	Spec EdgeNodeSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	// Status is what EdgeWatcher observes about the edge node.
	// +optional
	Status EdgeNodeStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// EdgeNodeSpec is what an administrator asks for an edge node.
type EdgeNodeSpec struct {
	// InternalIP is the address the node registers as its InternalIP.
	// It must be unique among all nodes of the cluster.
	// +optional
	InternalIP string `json:"internalIP,omitempty" protobuf:"bytes,1,opt,name=internalIP"`
	// Labels are node labels passed to keadm when the node joins.
	// +optional
	Labels map[string]string `json:"labels,omitempty" protobuf:"bytes,2,rep,name=labels"`
	// Taints are registered with the node when it first joins.
	// +optional
	// +listType=atomic
	Taints []EdgeNodeTaint `json:"taints,omitempty" protobuf:"bytes,3,rep,name=taints"`
	// KubeEdgeVersion is the KubeEdge release to install, such as v1.23.1.
	// +optional
	KubeEdgeVersion string `json:"kubeEdgeVersion,omitempty" protobuf:"bytes,4,opt,name=kubeEdgeVersion"`
}

// EdgeNodeTaint is a taint registered with an edge node when it joins.
type EdgeNodeTaint struct {
	// Key is the taint key.
	Key string `json:"key" protobuf:"bytes,1,opt,name=key"`
	// Value is the taint value.
	// +optional
	Value string `json:"value,omitempty" protobuf:"bytes,2,opt,name=value"`
	// Effect is NoSchedule, PreferNoSchedule or NoExecute.
	Effect string `json:"effect" protobuf:"bytes,3,opt,name=effect"`
}

// EdgeNodeStatus is what EdgeWatcher observes about an edge node.
type EdgeNodeStatus struct {
	// Phase is the lifecycle phase: Pending, Joined, Expired or Conflict.
	// +optional
	Phase EdgeNodePhase `json:"phase,omitempty" protobuf:"bytes,1,opt,name=phase,casttype=EdgeNodePhase"`
	// Readiness summarises the Node's Ready condition: Ready, NotReady or Unknown.
	// +optional
	Readiness NodeReadiness `json:"readiness,omitempty" protobuf:"bytes,2,opt,name=readiness,casttype=NodeReadiness"`
	// InternalIP is the Node's first InternalIP address.
	// +optional
	InternalIP string `json:"internalIP,omitempty" protobuf:"bytes,3,opt,name=internalIP"`
	// KubeletPort is the Node's status.daemonEndpoints.kubeletEndpoint.Port:
	// the port kube-apiserver and metrics-server dial, which cloudcore's tunnel owns.
	// +optional
	KubeletPort int32 `json:"kubeletPort,omitempty" protobuf:"varint,4,opt,name=kubeletPort"`
	// KubeEdgeVersion is the version the node reports in nodeInfo.kubeletVersion.
	// +optional
	KubeEdgeVersion string `json:"kubeEdgeVersion,omitempty" protobuf:"bytes,5,opt,name=kubeEdgeVersion"`
	// Conditions are the latest observations of the edge node's state.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" protobuf:"bytes,6,rep,name=conditions"`
	// ReservationExpiresAt is when a Pending reservation lapses and frees its name and address.
	// +optional
	ReservationExpiresAt *metav1.Time `json:"reservationExpiresAt,omitempty" protobuf:"bytes,7,opt,name=reservationExpiresAt"`
	// ReservedBy is the user who made the reservation.
	// +optional
	ReservedBy string `json:"reservedBy,omitempty" protobuf:"bytes,8,opt,name=reservedBy"`
	// Forwarding is how many edgewatcher-syncer hosts forward this joined node's kubelet port,
	// from their heartbeat Leases; absent when no syncer reports.
	// +optional
	Forwarding *EdgeNodeForwarding `json:"forwarding,omitempty" protobuf:"bytes,9,opt,name=forwarding"`
}

// EdgeNodeForwarding is the forwarding coverage of an edge node across syncer hosts.
type EdgeNodeForwarding struct {
	// Hosts is the number of syncer hosts with a heartbeat Lease.
	Hosts int32 `json:"hosts" protobuf:"varint,1,opt,name=hosts"`
	// ForwardingHosts is the number of live syncer hosts that forward the node.
	ForwardingHosts int32 `json:"forwardingHosts" protobuf:"varint,2,opt,name=forwardingHosts"`
	// ConflictHosts is the number of live syncer hosts that refuse to forward it because its IP is not unique.
	ConflictHosts int32 `json:"conflictHosts,omitempty" protobuf:"varint,3,opt,name=conflictHosts"`
	// PendingHosts is the number of live syncer hosts whose last report predates the node or its current
	// InternalIP and kubelet port (or does not say how recent it is): they neither forward nor refuse it yet.
	// +optional
	PendingHosts int32 `json:"pendingHosts,omitempty" protobuf:"varint,4,opt,name=pendingHosts"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// EdgeNodeList is a list of EdgeNodes.
type EdgeNodeList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// Items is the list of edge nodes.
	Items []EdgeNode `json:"items" protobuf:"bytes,2,rep,name=items"`
}
