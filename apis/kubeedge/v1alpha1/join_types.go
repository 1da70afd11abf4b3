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

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// JoinToken requests the join token an edge node presents to cloudcore.
// It is created as the jointoken subresource of an EdgeNode, like a TokenRequest.
type JoinToken struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata; the name is the EdgeNode's.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// Spec is what the caller asks for.
	// +optional
	Spec JoinTokenSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	// Status is the issued token.
	// +optional
	Status JoinTokenStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// JoinTokenSpec is what a caller asks of a join token.
type JoinTokenSpec struct {
	// TTLSeconds is the lifetime of a minted token; the server clamps it to its maximum.
	// It applies only when the server mints tokens (--mint-tokens).
	// +optional
	TTLSeconds *int64 `json:"ttlSeconds,omitempty" protobuf:"varint,1,opt,name=ttlSeconds"`
}

// JoinTokenStatus is an issued join token.
type JoinTokenStatus struct {
	// Token is "<sha256 hex of the cloudcore CA>.<JWT>", the value of keadm --token.
	Token string `json:"token" protobuf:"bytes,1,opt,name=token"`
	// ExpiresAt is the token's exp claim.
	ExpiresAt metav1.Time `json:"expiresAt" protobuf:"bytes,2,opt,name=expiresAt"`
	// Source is "tokensecret" for cloudcore's own token or "minted" for a token this server signed.
	Source string `json:"source" protobuf:"bytes,3,opt,name=source"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// JoinCommand requests the `keadm join` command for an edge node. It is created as the
// joincommand subresource of an EdgeNode. When the EdgeNode does not exist yet, the spec's
// reservation fields reserve it in the same call.
type JoinCommand struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata; the name is the EdgeNode's.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// Spec is what the caller asks for.
	// +optional
	Spec JoinCommandSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	// Status is the generated command.
	// +optional
	Status JoinCommandStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// JoinCommandSpec is what a caller asks of a join command.
type JoinCommandSpec struct {
	// InternalIP reserves this address when the EdgeNode is not reserved yet; empty with an
	// IP pool configured allocates the lowest free address.
	// +optional
	InternalIP string `json:"internalIP,omitempty" protobuf:"bytes,1,opt,name=internalIP"`
	// Labels are node labels for a new reservation.
	// +optional
	Labels map[string]string `json:"labels,omitempty" protobuf:"bytes,2,rep,name=labels"`
	// Taints are node taints for a new reservation.
	// +optional
	// +listType=atomic
	Taints []EdgeNodeTaint `json:"taints,omitempty" protobuf:"bytes,3,rep,name=taints"`
	// KubeEdgeVersion is the release to install; empty means the server's default.
	// +optional
	KubeEdgeVersion string `json:"kubeEdgeVersion,omitempty" protobuf:"bytes,4,opt,name=kubeEdgeVersion"`
	// RuntimeEndpoint is the CRI socket, such as unix:///run/containerd/containerd.sock.
	// +optional
	RuntimeEndpoint string `json:"runtimeEndpoint,omitempty" protobuf:"bytes,5,opt,name=runtimeEndpoint"`
	// CgroupDriver is cgroupfs or systemd.
	// +optional
	CgroupDriver string `json:"cgroupDriver,omitempty" protobuf:"bytes,6,opt,name=cgroupDriver"`
	// ImageRepository is the registry prefix for KubeEdge images (v1.11 and later).
	// +optional
	ImageRepository string `json:"imageRepository,omitempty" protobuf:"bytes,7,opt,name=imageRepository"`
	// CloudCoreAddress overrides the address the edge dials.
	// +optional
	CloudCoreAddress string `json:"cloudCoreAddress,omitempty" protobuf:"bytes,8,opt,name=cloudCoreAddress"`
	// TokenTTLSeconds is the lifetime of a minted token (see JoinTokenSpec).
	// +optional
	TokenTTLSeconds *int64 `json:"tokenTTLSeconds,omitempty" protobuf:"varint,9,opt,name=tokenTTLSeconds"`
	// Strict fails instead of reporting settings the release cannot express.
	// +optional
	Strict bool `json:"strict,omitempty" protobuf:"varint,10,opt,name=strict"`
}

// JoinCommandStatus is a generated join command.
type JoinCommandStatus struct {
	// Command is the command as one line of POSIX shell, every word quoted.
	Command string `json:"command" protobuf:"bytes,1,opt,name=command"`
	// Args is the command word by word, starting with "keadm".
	// +listType=atomic
	Args []string `json:"args" protobuf:"bytes,2,rep,name=args"`
	// KubeEdgeVersion is the release the command installs.
	KubeEdgeVersion string `json:"kubeEdgeVersion" protobuf:"bytes,3,opt,name=kubeEdgeVersion"`
	// InternalIP is the reserved address of the node.
	// +optional
	InternalIP string `json:"internalIP,omitempty" protobuf:"bytes,4,opt,name=internalIP"`
	// TokenExpiresAt is when the embedded token stops working; the command is stale after it.
	TokenExpiresAt metav1.Time `json:"tokenExpiresAt" protobuf:"bytes,5,opt,name=tokenExpiresAt"`
	// Limitations are requested settings the release cannot express, and what to do instead.
	// +optional
	// +listType=atomic
	Limitations []string `json:"limitations,omitempty" protobuf:"bytes,6,rep,name=limitations"`
	// Warnings explain choices such as NodePort mapping or a fallback address.
	// +optional
	// +listType=atomic
	Warnings []string `json:"warnings,omitempty" protobuf:"bytes,7,rep,name=warnings"`
}
