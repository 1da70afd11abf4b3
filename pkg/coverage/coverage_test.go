package coverage

import (
	"encoding/json"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
)

var now = time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)

func heartbeatLease(t *testing.T, host string, renewed time.Time, errors int, conflicts ...string) *coordinationv1.Lease {
	t.Helper()
	synced := metav1.NewTime(renewed)
	st, err := json.Marshal(heartbeat.Status{NodeName: host, LastSyncTime: &synced, ConsecutiveErrors: errors, ConflictNodes: conflicts})
	if err != nil {
		t.Fatal(err)
	}
	renew := metav1.NewMicroTime(renewed)
	return &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: heartbeat.LeaseName(host), Namespace: "kubeedge", Annotations: map[string]string{heartbeat.Annotation: string(st)}},
		Spec:       coordinationv1.LeaseSpec{RenewTime: &renew, LeaseDurationSeconds: ptr.To[int32](30)},
	}
}

func TestCoverage(t *testing.T) {
	tr := NewTracker()
	tr.Now = func() time.Time { return now }
	tr.OnAdd(heartbeatLease(t, "cp-1", now, 0, "clash"), true)
	tr.OnAdd(heartbeatLease(t, "cp-2", now, 0), true)
	tr.OnAdd(heartbeatLease(t, "cp-3", now.Add(-time.Minute), 0), true) // stale
	tr.OnAdd(heartbeatLease(t, "cp-4", now, 2), true)                   // failing
	for _, tc := range []struct {
		node                 string
		hosts, fwd, conflict int
	}{{"ok", 4, 2, 0}, {"clash", 4, 1, 1}} {
		h, f, c := tr.Of(tc.node)
		if h != tc.hosts || f != tc.fwd || c != tc.conflict {
			t.Errorf("%s: %d/%d/%d, want %d/%d/%d", tc.node, h, f, c, tc.hosts, tc.fwd, tc.conflict)
		}
	}
	tr.OnDelete(heartbeatLease(t, "cp-1", now, 0))
	if h, f, c := tr.Of("clash"); h != 3 || f != 1 || c != 0 {
		t.Errorf("after delete: %d/%d/%d", h, f, c)
	}
}
