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

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// JoinToken requests the join token an edge node presents to cloudcore.
// It is created as the jointoken subresource of an EdgeNode, like a TokenRequest.
type JoinToken struct {
	metav1.TypeMeta
	// Standard object metadata; the name is the EdgeNode's.
	metav1.ObjectMeta

	// Spec is what the caller asks for.
	Spec JoinTokenSpec
	// Status is the issued token.
	Status JoinTokenStatus
}

// JoinTokenSpec is what a caller asks of a join token.
type JoinTokenSpec struct {
	// TTLSeconds is the lifetime of a minted token; the server clamps it to its maximum.
	// It applies only when the server mints tokens (--mint-tokens).
	TTLSeconds *int64
}

// JoinTokenStatus is an issued join token.
type JoinTokenStatus struct {
	// Token is "<sha256 hex of the cloudcore CA>.<JWT>", the value of keadm --token.
	Token string
	// ExpiresAt is the token's exp claim.
	ExpiresAt metav1.Time
	// Source is "tokensecret" for cloudcore's own token or "minted" for a token this server signed.
	Source string
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// JoinCommand requests the `keadm join` command for an edge node. It is created as the
// joincommand subresource of an EdgeNode. When the EdgeNode does not exist yet, the spec's
// reservation fields reserve it in the same call.
type JoinCommand struct {
	metav1.TypeMeta
	// Standard object metadata; the name is the EdgeNode's.
	metav1.ObjectMeta

	// Spec is what the caller asks for.
	Spec JoinCommandSpec
	// Status is the generated command.
	Status JoinCommandStatus
}

// JoinCommandSpec is what a caller asks of a join command.
type JoinCommandSpec struct {
	// InternalIP reserves this address when the EdgeNode is not reserved yet; empty with an
	// IP pool configured allocates the lowest free address.
	InternalIP string
	// Labels are node labels for a new reservation.
	Labels map[string]string
	// Taints are node taints for a new reservation.
	Taints []EdgeNodeTaint
	// KubeEdgeVersion is the release to install; empty means the server's default.
	KubeEdgeVersion string
	// RuntimeEndpoint is the CRI socket, such as unix:///run/containerd/containerd.sock.
	RuntimeEndpoint string
	// CgroupDriver is cgroupfs or systemd.
	CgroupDriver string
	// ImageRepository is the registry prefix for KubeEdge images (v1.11 and later).
	ImageRepository string
	// CloudCoreAddress overrides the address the edge dials.
	CloudCoreAddress string
	// TokenTTLSeconds is the lifetime of a minted token (see JoinTokenSpec).
	TokenTTLSeconds *int64
	// Strict fails instead of reporting settings the release cannot express.
	Strict bool
}

// JoinCommandStatus is a generated join command.
type JoinCommandStatus struct {
	// Command is the command as one line of POSIX shell, every word quoted.
	Command string
	// Args is the command word by word, starting with "keadm".
	Args []string
	// KubeEdgeVersion is the release the command installs.
	KubeEdgeVersion string
	// InternalIP is the reserved address of the node.
	InternalIP string
	// TokenExpiresAt is when the embedded token stops working; the command is stale after it.
	TokenExpiresAt metav1.Time
	// Limitations are requested settings the release cannot express, and what to do instead.
	Limitations []string
	// Warnings explain choices such as NodePort mapping or a fallback address.
	Warnings []string
}
