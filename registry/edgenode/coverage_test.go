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
	"context"
	"encoding/json"
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/utils/ptr"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/coverage"
	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
)

// heartbeatLease is a live syncer heartbeat of host, consistent with Node resource version observed.
func heartbeatLease(t *testing.T, host, observed string, conflicts ...string) *coordinationv1.Lease {
	t.Helper()
	synced := metav1.Now()
	st, err := json.Marshal(heartbeat.Status{NodeName: host, LastSyncTime: &synced, ConflictNodes: conflicts, ObservedNodeResourceVersion: observed})
	if err != nil {
		t.Fatal(err)
	}
	renew := metav1.NowMicro()
	return &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: heartbeat.LeaseName(host), Annotations: map[string]string{heartbeat.Annotation: string(st)}},
		Spec:       coordinationv1.LeaseSpec{RenewTime: &renew, LeaseDurationSeconds: ptr.To[int32](30)},
	}
}

func get(t *testing.T, r *REST, name string) *kubeedge.EdgeNode {
	t.Helper()
	obj, err := r.Get(context.Background(), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return obj.(*kubeedge.EdgeNode)
}

func ipUnique(en *kubeedge.EdgeNode) *metav1.Condition {
	for i := range en.Status.Conditions {
		if en.Status.Conditions[i].Type == ConditionIPUnique {
			return &en.Status.Conditions[i]
		}
	}
	return nil
}

func TestCoverageShowsForwardingAndConflicts(t *testing.T) {
	r, view := newTestREST(t, node("fwd", 1, true, "198.51.100.1", "True"), node("clash", 2, true, "198.51.100.2", "True"))
	tr := coverage.NewTracker()
	r.WithCoverage(tr.Of)
	tr.OnAdd(heartbeatLease(t, "cp-1", "2", "clash"), true)
	tr.OnAdd(heartbeatLease(t, "cp-2", "2"), true)
	tr.OnAdd(heartbeatLease(t, "cp-3", "2", "clash"), true)
	if f := get(t, r, "fwd").Status.Forwarding; f == nil || *f != (kubeedge.EdgeNodeForwarding{Hosts: 3, ForwardingHosts: 3}) {
		t.Fatalf("forwarding %+v", f)
	}
	sel, _ := fields.ParseSelector("status.phase=Conflict")
	list, err := r.List(context.Background(), &metainternalversion.ListOptions{FieldSelector: sel})
	if err != nil {
		t.Fatal(err)
	}
	items := list.(*kubeedge.EdgeNodeList).Items
	if len(items) != 1 || items[0].Name != "clash" || items[0].Status.Phase != kubeedge.EdgeNodeConflict {
		t.Fatalf("conflict list %+v", items)
	}
	if f := items[0].Status.Forwarding; *f != (kubeedge.EdgeNodeForwarding{Hosts: 3, ForwardingHosts: 1, ConflictHosts: 2}) {
		t.Fatalf("forwarding %+v", f)
	}
	if c := ipUnique(&items[0]); c == nil || c.Status != metav1.ConditionFalse {
		t.Fatalf("condition %+v", c)
	}
	// The view itself is never modified.
	if en, _, _ := view.Get("clash"); en.Status.Phase != kubeedge.EdgeNodeJoined || en.Status.Forwarding != nil {
		t.Fatal("decoration leaked into the view")
	}
}

// TestCoverageOfANewNodeIsPending: a node that appears, or moves to another IP, after what the syncers last
// reported is pending on them, never forwarded, until a heartbeat covers its resource version.
func TestCoverageOfANewNodeIsPending(t *testing.T) {
	r, view := newTestREST(t, node("old", 1, true, "198.51.100.1", "True"))
	tr := coverage.NewTracker()
	r.WithCoverage(tr.Of)
	tr.OnAdd(heartbeatLease(t, "cp-1", "4"), true)
	view.OnAdd(node("dup", 5, true, "198.51.100.1", "True"), false)

	en := get(t, r, "dup")
	if f := en.Status.Forwarding; en.Status.Phase != kubeedge.EdgeNodeJoined || *f != (kubeedge.EdgeNodeForwarding{Hosts: 1, PendingHosts: 1}) {
		t.Fatalf("before a heartbeat covers it: phase %s, forwarding %+v", en.Status.Phase, f)
	}
	if c := ipUnique(en); c == nil || c.Status != metav1.ConditionUnknown || c.Reason != "SyncersPending" {
		t.Fatalf("condition %+v", c)
	}
	if f := get(t, r, "old").Status.Forwarding; *f != (kubeedge.EdgeNodeForwarding{Hosts: 1, ForwardingHosts: 1}) {
		t.Fatalf("old node: %+v", f)
	}
	tr.OnUpdate(nil, heartbeatLease(t, "cp-1", "5", "dup", "old"))
	if en := get(t, r, "dup"); en.Status.Phase != kubeedge.EdgeNodeConflict || *en.Status.Forwarding != (kubeedge.EdgeNodeForwarding{Hosts: 1, ConflictHosts: 1}) {
		t.Fatalf("after the heartbeat: phase %s, forwarding %+v", en.Status.Phase, en.Status.Forwarding)
	}
	// The old node moves away: pending again until a heartbeat reaches the move, whatever the last one said.
	moved := node("old", 6, true, "198.51.100.9", "True")
	view.OnUpdate(nil, moved)
	if en := get(t, r, "old"); en.Status.Phase != kubeedge.EdgeNodeJoined || en.Status.Forwarding.PendingHosts != 1 {
		t.Fatalf("after the move: phase %s, forwarding %+v", en.Status.Phase, en.Status.Forwarding)
	}
	// A status update alone (same address and port) does not make it pending again.
	tr.OnUpdate(nil, heartbeatLease(t, "cp-1", "6", "dup"))
	view.OnUpdate(nil, node("old", 7, true, "198.51.100.9", corev1.ConditionFalse))
	if f := get(t, r, "old").Status.Forwarding; *f != (kubeedge.EdgeNodeForwarding{Hosts: 1, ForwardingHosts: 1}) {
		t.Fatalf("after a status update: %+v", f)
	}
}

// TestCoverageWithAnOldSyncer: heartbeats without observedNodeResourceVersion (syncers from before it) never
// make a node forwarded: every node is pending on them.
func TestCoverageWithAnOldSyncer(t *testing.T) {
	r, _ := newTestREST(t, node("edge", 1, true, "198.51.100.1", "True"))
	tr := coverage.NewTracker()
	r.WithCoverage(tr.Of)
	tr.OnAdd(heartbeatLease(t, "cp-old", ""), true)
	tr.OnAdd(heartbeatLease(t, "cp-new", "1"), true)
	if f := get(t, r, "edge").Status.Forwarding; *f != (kubeedge.EdgeNodeForwarding{Hosts: 2, ForwardingHosts: 1, PendingHosts: 1}) {
		t.Fatalf("forwarding %+v", f)
	}
}
