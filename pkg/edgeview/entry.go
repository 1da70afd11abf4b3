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

package edgeview

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// entry is what the view keeps of one EdgeNode, and what the Node informer's store holds per Node. A Node keeps
// only the fields its EdgeNode shows, with interned strings and its labels as interned pairs, in about two fifths of
// the memory of the EdgeNode itself (BenchmarkHeapEdgeNodes); edgeNode builds the EdgeNode when a client reads it.
// A reservation, of which there are few, keeps its whole EdgeNode. An entry is never modified once made.
type entry struct {
	name        string
	uid         types.UID
	rv          string
	created     metav1.Time
	deleted     *metav1.Time
	labels      labelSet
	internalIP  string
	kubeletPort int32
	version     string
	// ready is the Node's Ready condition; ready.status is "" when the Node has none.
	ready readyState
	// reservation is the whole view of a reservation; nil for a Node.
	reservation *kubeedge.EdgeNode
}

// readyState is what the view shows of a Node's Ready condition.
type readyState struct {
	status         metav1.ConditionStatus
	reason         string
	message        string
	lastTransition metav1.Time
}

// newEntry keeps what the EdgeNode view of node shows. in interns the strings that repeat across Nodes (nil keeps
// them as they are); prevLabels, the labels of the node's entry in the view, are reused if they are unchanged.
func newEntry(node *corev1.Node, in *stringInterner, prevLabels labelSet) *entry {
	labels := prevLabels
	if labels == nil || !labels.matches(node.Labels, node.Name) {
		labels = in.labelSet(node.Labels, node.Name)
	}
	e := &entry{
		name:        node.Name,
		uid:         node.UID,
		rv:          node.ResourceVersion,
		created:     node.CreationTimestamp,
		deleted:     node.DeletionTimestamp,
		labels:      labels,
		internalIP:  InternalIP(node),
		kubeletPort: node.Status.DaemonEndpoints.KubeletEndpoint.Port,
		version:     in.intern(KubeEdgeVersion(node.Status.NodeInfo.KubeletVersion)),
	}
	if ready := readyCondition(node); ready != nil {
		e.ready = readyState{
			status:         metav1.ConditionStatus(ready.Status),
			reason:         in.intern(conditionReason(ready.Reason)),
			message:        in.intern(ready.Message),
			lastTransition: ready.LastTransitionTime,
		}
	}
	return e
}

// reservationEntry keeps the view of a reservation whole.
func reservationEntry(en *kubeedge.EdgeNode) *entry {
	return &entry{name: en.Name, uid: en.UID, rv: en.ResourceVersion, reservation: en}
}

// edgeNode returns the EdgeNode the entry stands for. A reservation's is shared and must not be modified.
func (e *entry) edgeNode() *kubeedge.EdgeNode {
	if e.reservation != nil {
		return e.reservation
	}
	en := &kubeedge.EdgeNode{}
	e.fill(en)
	return en
}

// fill writes the EdgeNode the entry stands for into en, replacing all of it. A reservation's maps and slices
// are shared and must not be modified.
func (e *entry) fill(en *kubeedge.EdgeNode) {
	if e.reservation != nil {
		*en = *e.reservation
		return
	}
	*en = kubeedge.EdgeNode{
		ObjectMeta: metav1.ObjectMeta{
			Name:              e.name,
			UID:               e.uid,
			ResourceVersion:   e.rv,
			CreationTimestamp: e.created,
			DeletionTimestamp: e.deleted,
			Labels:            e.labels.toMap(e.name),
		},
		Status: kubeedge.EdgeNodeStatus{
			Phase:           kubeedge.EdgeNodeJoined,
			Readiness:       readiness(corev1.ConditionStatus(e.ready.status)),
			InternalIP:      e.internalIP,
			KubeletPort:     e.kubeletPort,
			KubeEdgeVersion: e.version,
		},
	}
	if e.ready.status != "" {
		en.Status.Conditions = []metav1.Condition{{
			Type:               string(corev1.NodeReady),
			Status:             e.ready.status,
			Reason:             e.ready.reason,
			Message:            e.ready.message,
			LastTransitionTime: e.ready.lastTransition,
		}}
	}
}

// isEdge reports whether the entry is an edge node: a Node with the edge role label, or a reservation.
func (e *entry) isEdge() bool {
	return e.reservation != nil || e.labels.has(EdgeRoleLabel)
}

// withResourceVersion returns e as of resource version rv, e itself when it already is.
func (e *entry) withResourceVersion(rv string) *entry {
	if e.rv == rv {
		return e
	}
	out := *e
	out.rv = rv
	if e.reservation != nil {
		en := *e.reservation
		en.ResourceVersion = rv
		out.reservation = &en
	}
	return &out
}

// sameEntry reports whether two entries show the same EdgeNode but for the resource version.
func sameEntry(a, b *entry) bool {
	if a.reservation != nil || b.reservation != nil {
		return a.reservation != nil && b.reservation != nil && sameView(a.reservation, b.reservation)
	}
	return a.name == b.name && a.uid == b.uid && a.created.Equal(&b.created) && a.deleted.Equal(b.deleted) &&
		a.labels.equal(b.labels) && a.internalIP == b.internalIP && a.kubeletPort == b.kubeletPort &&
		a.version == b.version && a.ready.status == b.ready.status && a.ready.reason == b.ready.reason &&
		a.ready.message == b.ready.message && a.ready.lastTransition.Equal(&b.ready.lastTransition)
}

// GetObjectMeta gives the Node informer's store the name it keys the entry by.
func (e *entry) GetObjectMeta() metav1.Object {
	return &metav1.ObjectMeta{Name: e.name, UID: e.uid, ResourceVersion: e.rv}
}

var _ metav1.ObjectMetaAccessor = &entry{}

// byName orders entries by name.
func byName(a, b *entry) bool { return a.name < b.name }

// entryNamed is a search key for the first entry whose name is not below name.
func entryNamed(name string) *entry { return &entry{name: name} }
