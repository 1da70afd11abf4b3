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

package syncer

import (
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// slimNode is all the syncer keeps of a Node: its identity for Events, whether it is an edge node, and what
// forwarding reads. A *corev1.Node, even trimmed, costs over 1 KB; at 100k Nodes the difference is the
// syncer's memory budget.
type slimNode struct {
	name        string
	uid         types.UID
	edge        bool
	kubeletPort int32
	addresses   []corev1.NodeAddress
	// rv is the Node's resource version, 0 when it is not a number; it lets the informer's store tell which
	// version it reflects (see watched.storeVersion).
	rv uint64
}

var (
	_ runtime.Object            = &slimNode{}
	_ metav1.ObjectMetaAccessor = &slimNode{}
)

// GetObjectMeta lets informers key a slimNode, and their store read its resource version.
func (n *slimNode) GetObjectMeta() metav1.Object {
	m := &metav1.ObjectMeta{Name: n.name, UID: n.uid}
	if n.rv != 0 {
		m.ResourceVersion = strconv.FormatUint(n.rv, 10)
	}
	return m
}

// GetObjectKind implements runtime.Object.
func (n *slimNode) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }

// DeepCopyObject implements runtime.Object.
func (n *slimNode) DeepCopyObject() runtime.Object {
	c := *n
	c.addresses = slices.Clone(n.addresses)
	return &c
}

// node returns a core Node with what is kept: enough to be the object of an Event and to list addresses.
func (n *slimNode) node() *corev1.Node {
	return &corev1.Node{
		TypeMeta:   metav1.TypeMeta{Kind: "Node", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: n.name, UID: n.uid},
		Status:     corev1.NodeStatus{Addresses: n.addresses},
	}
}

// edgeNode returns the forwarding view of an edge node: the first InternalIP, the kubelet port and addresses.
func (n *slimNode) edgeNode() forwarding.EdgeNode {
	e := forwarding.EdgeNode{Name: n.name, KubeletPort: n.kubeletPort, Addresses: n.addresses}
	for _, a := range n.addresses {
		if a.Type == corev1.NodeInternalIP {
			e.InternalIP = a.Address
			break
		}
	}
	return e
}

// slimNodeOf is the informer transform: it keeps only the slimNode of a Node. It is idempotent, as informer
// transforms must be.
func slimNodeOf(obj any) (any, error) {
	n, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	_, edge := n.Labels[EdgeRoleLabel]
	rv, _ := strconv.ParseUint(n.ResourceVersion, 10, 64)
	return &slimNode{
		name: n.Name, uid: n.UID, edge: edge,
		kubeletPort: n.Status.DaemonEndpoints.KubeletEndpoint.Port, addresses: n.Status.Addresses, rv: rv,
	}, nil
}
