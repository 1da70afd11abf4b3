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

package edgenode

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/coverage"
)

// CoverageFunc returns how many syncer hosts report, forward, refuse and have not yet seen the edge node name,
// whose address and port a host must have observed from Node resource version since on (known false: never).
type CoverageFunc func(name string, since uint64, known bool) coverage.Counts

// ConditionIPUnique is the condition that says whether every syncer host forwards the node.
const ConditionIPUnique = "IPUnique"

// WithCoverage makes reads show forwarding coverage from syncer heartbeats: status.forwarding
// on joined nodes, and phase Conflict with IPUnique=False when a live syncer refuses to forward
// the node, or IPUnique=Unknown while live syncers have not reported on it yet. It is computed
// when read, so watches do not carry it.
func (r *REST) WithCoverage(fn CoverageFunc) *REST {
	r.coverage = fn
	return r
}

// decorate sets the coverage on en, which must be the caller's own copy.
func (r *REST) decorate(en *kubeedge.EdgeNode) {
	if r.coverage == nil || en.Status.Phase != kubeedge.EdgeNodeJoined {
		return
	}
	since, known := r.view.Since(en.Name)
	c := r.coverage(en.Name, since, known)
	if c.Hosts == 0 {
		return
	}
	en.Status.Forwarding = &kubeedge.EdgeNodeForwarding{Hosts: int32(c.Hosts), ForwardingHosts: int32(c.Forwarding),
		ConflictHosts: int32(c.Conflicts), PendingHosts: int32(c.Pending)}
	cond := metav1.Condition{Type: ConditionIPUnique}
	switch {
	case c.Conflicts > 0:
		en.Status.Phase = kubeedge.EdgeNodeConflict
		cond.Status, cond.Reason = metav1.ConditionFalse, "NotForwarded"
		cond.Message = fmt.Sprintf("%d of %d syncer hosts do not forward this node: its InternalIP is shared, special, or a cloudcore or host address; see the node's EdgeIPConflict events", c.Conflicts, c.Hosts)
	case c.Pending > 0:
		cond.Status, cond.Reason = metav1.ConditionUnknown, "SyncersPending"
		cond.Message = fmt.Sprintf("%d of %d syncer hosts have not yet reported on this node's current InternalIP and kubelet port", c.Pending, c.Hosts)
	default:
		return
	}
	en.Status.Conditions = append(append([]metav1.Condition(nil), en.Status.Conditions...), cond)
}

// decorated returns a decorated copy of en, or en itself when there is nothing to add.
func (r *REST) decorated(en *kubeedge.EdgeNode) *kubeedge.EdgeNode {
	if r.coverage == nil || en.Status.Phase != kubeedge.EdgeNodeJoined {
		return en
	}
	c := *en
	r.decorate(&c)
	return &c
}
