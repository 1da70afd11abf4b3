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
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"

	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
)

// TestHeartbeatLease checks the Lease is created after the first sync with the status, then renewed every
// resync period.
func TestHeartbeatLease(t *testing.T) {
	const resync = 100 * time.Millisecond
	h := newHarness(t, func(c *Config) { c.ResyncPeriod = resync; c.Description = "fake" },
		tunnelPortCM(twoCloudcores),
		cloudNode("cloud-1", hostIP),
		edgeNode("edge-a", "10.1.0.1", 10351),
		edgeNode("dup-1", "10.1.0.5", 10351),
		edgeNode("dup-2", "10.1.0.5", 10351),
	)
	h.start()
	leases := h.client.CoordinationV1().Leases(cloudcore.Namespace)
	var first *coordinationv1.Lease
	h.eventually("lease created", func() (bool, string) {
		l, err := leases.Get(context.Background(), "edgewatcher-syncer-cloud-1", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		first = l
		return true, ""
	})
	if got := *first.Spec.HolderIdentity; got != "cloud-1" {
		t.Errorf("holder = %q, want cloud-1", got)
	}
	if got := *first.Spec.LeaseDurationSeconds; got != 1 {
		t.Errorf("lease duration = %ds, want 1 (three resync periods, at least a second)", got)
	}
	if first.Labels[heartbeat.ComponentLabel] != heartbeat.Component {
		t.Errorf("labels = %v, want %s=%s", first.Labels, heartbeat.ComponentLabel, heartbeat.Component)
	}
	st, err := heartbeat.Parse(first)
	if err != nil {
		t.Fatal(err)
	}
	if st.NodeName != "cloud-1" || st.Entries != 1 || st.EdgeNodes != 3 || st.ForwardedNodes != 1 || st.Conflicts != 2 ||
		strings.Join(st.ConflictNodes, ",") != "dup-1,dup-2" || st.LastSyncTime == nil || st.Dataplane != "fake" ||
		st.ResyncPeriodSeconds != resync.Seconds() || st.ConsecutiveErrors != 0 {
		t.Errorf("heartbeat status = %+v", st)
	}
	h.eventually("lease renewed", func() (bool, string) {
		l, err := leases.Get(context.Background(), first.Name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return l.Spec.RenewTime.After(first.Spec.RenewTime.Time), "renewTime unchanged"
	})
}

// TestHeartbeatTakesOverExistingLease checks a restarted syncer renews the Lease its predecessor left.
func TestHeartbeatTakesOverExistingLease(t *testing.T) {
	old := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: heartbeat.LeaseName("cloud-1"), Namespace: cloudcore.Namespace}}
	h := newHarness(t, nil, old, tunnelPortCM(twoCloudcores), edgeNode("edge-a", "10.1.0.1", 10351))
	h.start()
	h.eventually("lease renewed", func() (bool, string) {
		l, err := h.client.CoordinationV1().Leases(cloudcore.Namespace).Get(context.Background(), old.Name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return l.Spec.RenewTime != nil && l.Annotations[heartbeat.Annotation] != "", "not renewed"
	})
}

// TestEventsReachTheAPI runs the real broadcaster against the fake API: one Event per conflicted Node, on the
// Node, from this host, however many syncs run.
func TestEventsReachTheAPI(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Recorder = nil; c.ResyncPeriod = 20 * time.Millisecond },
		tunnelPortCM(twoCloudcores),
		cloudNode("cloud-1", hostIP),
		edgeNode("dup-1", "10.1.0.5", 10351),
		edgeNode("dup-2", "10.1.0.5", 10351),
	)
	h.start()
	want := h.kernelPasses() + 10
	h.eventually("ten syncs", func() (bool, string) { return h.kernelPasses() >= want, "" })
	for _, node := range []string{"dup-1", "dup-2"} {
		h.eventually("event on "+node, func() (bool, string) {
			list, err := h.client.CoreV1().Events(metav1.NamespaceDefault).List(context.Background(), metav1.ListOptions{
				FieldSelector: fields.OneTermEqualSelector("involvedObject.name", node).String(),
			})
			if err != nil {
				return false, err.Error()
			}
			var got []corev1.Event
			for _, e := range list.Items {
				if e.InvolvedObject.Name == node {
					got = append(got, e)
				}
			}
			if len(got) != 1 {
				return false, "events: " + eventSummary(got)
			}
			e := got[0]
			ok := e.Reason == EventReasonIPConflict && e.Type == corev1.EventTypeWarning && e.InvolvedObject.Kind == "Node" &&
				e.Source.Component == ComponentName && e.Source.Host == "cloud-1" && e.Count <= 1
			return ok, eventSummary(got)
		})
	}
}

// eventSummary renders events for failure messages.
func eventSummary(events []corev1.Event) string {
	var parts []string
	for _, e := range events {
		parts = append(parts, e.InvolvedObject.Kind+"/"+e.InvolvedObject.Name+" "+e.Type+" "+e.Reason+" x"+
			strings.TrimSpace(strings.Repeat("I", int(e.Count)))+" from "+e.Source.Component+"@"+e.Source.Host)
	}
	return strings.Join(parts, "; ")
}

// TestHeartbeatReportsObservedNodes checks the heartbeat says which Node version its conflicts reflect, that a
// new Node is covered within about a second rather than a resync period, and that Node churn renews the Lease at
// most once a second.
func TestHeartbeatReportsObservedNodes(t *testing.T) {
	// The fake API keeps the resource versions it is given, and lists at a small one of its own.
	listed := edgeNode("edge-a", "10.1.0.1", 10351)
	listed.ResourceVersion = "1"
	h := newHarness(t, nil, tunnelPortCM(twoCloudcores), cloudNode("cloud-1", hostIP), listed)
	writes := countLeaseWrites(h)
	h.start()
	leases := h.client.CoordinationV1().Leases(cloudcore.Namespace)
	status := func() (*heartbeat.Status, error) {
		l, err := leases.Get(context.Background(), heartbeat.LeaseName("cloud-1"), metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return heartbeat.Parse(l)
	}
	covers := func(n *corev1.Node) func() (bool, string) {
		want, err := strconv.ParseUint(n.ResourceVersion, 10, 64)
		if err != nil {
			t.Fatalf("node %s has resourceVersion %q", n.Name, n.ResourceVersion)
		}
		return func() (bool, string) {
			st, err := status()
			if err != nil {
				return false, err.Error()
			}
			rv, ok := st.ObservedNodes()
			return ok && rv >= want, fmt.Sprintf("observed %q, want at least %d", st.ObservedNodeResourceVersion, want)
		}
	}
	first, err := h.client.CoreV1().Nodes().Get(context.Background(), "edge-a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h.eventually("first heartbeat covers the listed nodes", covers(first))

	// The resync period is an hour: only the prompt renewal can report the new node.
	start := time.Now()
	dup := edgeNode("dup", "10.1.0.1", 10351)
	dup.ResourceVersion = "1000"
	created, err := h.client.CoreV1().Nodes().Create(context.Background(), dup, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h.eventually("a heartbeat covers the new node", covers(created))
	t.Logf("the new node was covered %v after its creation", time.Since(start).Round(time.Millisecond))
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the new node was covered %v after its creation, want about a second", d)
	}
	if st, _ := status(); strings.Join(st.ConflictNodes, ",") != "dup,edge-a" {
		t.Errorf("conflicts of the covering heartbeat = %v, want dup and edge-a", st.ConflictNodes)
	}

	// Churn: a Node change every 20ms for 3s renews the Lease at most once a second.
	before, churnStart := writes.Load(), time.Now()
	for i := 0; time.Since(churnStart) < 3*time.Second; i++ {
		n := edgeNode("dup", fmt.Sprintf("10.1.1.%d", i%250+1), 10351)
		n.ResourceVersion = strconv.Itoa(1001 + i)
		h.updateNode(n)
		time.Sleep(20 * time.Millisecond) // deliberate: paces the churn
	}
	elapsed := time.Since(churnStart)
	got := writes.Load() - before
	t.Logf("%d Lease writes in %v of Node churn", got, elapsed.Round(time.Millisecond))
	if limit := int64(elapsed/minObserveInterval) + 2; got > limit || got == 0 {
		t.Errorf("%d Lease writes in %v of churn, want 1 to %d", got, elapsed, limit)
	}
	last, err := h.client.CoreV1().Nodes().Get(context.Background(), "dup", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h.eventually("a heartbeat covers the last change", covers(last))
}

// countLeaseWrites counts the creates and updates of Leases through the fake client.
func countLeaseWrites(h *harness) *atomic.Int64 {
	var n atomic.Int64
	for _, verb := range []string{"create", "update"} {
		h.client.PrependReactor(verb, "leases", func(k8stesting.Action) (bool, runtime.Object, error) {
			n.Add(1)
			return false, nil, nil
		})
	}
	return &n
}
