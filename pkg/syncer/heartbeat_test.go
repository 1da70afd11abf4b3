package syncer

import (
	"context"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

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
