package edgenode

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// CoverageFunc returns how many syncer hosts report, forward and refuse the edge node name.
type CoverageFunc func(name string) (hosts, forwarding, conflicts int)

// ConditionIPUnique is the condition that says whether every syncer host forwards the node.
const ConditionIPUnique = "IPUnique"

// WithCoverage makes reads show forwarding coverage from syncer heartbeats: status.forwarding
// on joined nodes, and phase Conflict with IPUnique=False when a live syncer refuses to forward
// the node. It is computed when read, so watches do not carry it.
func (r *REST) WithCoverage(fn CoverageFunc) *REST {
	r.coverage = fn
	return r
}

// decorate sets the coverage on en, which must be the caller's own copy.
func (r *REST) decorate(en *kubeedge.EdgeNode) {
	if r.coverage == nil || en.Status.Phase != kubeedge.EdgeNodeJoined {
		return
	}
	hosts, fwd, conflicts := r.coverage(en.Name)
	if hosts == 0 {
		return
	}
	en.Status.Forwarding = &kubeedge.EdgeNodeForwarding{Hosts: int32(hosts), ForwardingHosts: int32(fwd), ConflictHosts: int32(conflicts)}
	if conflicts == 0 {
		return
	}
	en.Status.Phase = kubeedge.EdgeNodeConflict
	en.Status.Conditions = append(append([]metav1.Condition(nil), en.Status.Conditions...), metav1.Condition{
		Type:    ConditionIPUnique,
		Status:  metav1.ConditionFalse,
		Reason:  "NotForwarded",
		Message: fmt.Sprintf("%d of %d syncer hosts do not forward this node: its InternalIP is shared, special, or a cloudcore or host address; see the node's EdgeIPConflict events", conflicts, hosts),
	})
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
