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

// report is one syncer heartbeat.
type report struct {
	host      string
	renewed   time.Time
	errors    int
	observed  string // observedNodeResourceVersion; empty leaves it out, as syncers before it did
	conflicts []string
}

func heartbeatLease(t *testing.T, r report) *coordinationv1.Lease {
	t.Helper()
	synced := metav1.NewTime(r.renewed)
	st, err := json.Marshal(heartbeat.Status{NodeName: r.host, LastSyncTime: &synced, ConsecutiveErrors: r.errors,
		ConflictNodes: r.conflicts, ObservedNodeResourceVersion: r.observed})
	if err != nil {
		t.Fatal(err)
	}
	renew := metav1.NewMicroTime(r.renewed)
	return &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: heartbeat.LeaseName(r.host), Namespace: "kubeedge", Annotations: map[string]string{heartbeat.Annotation: string(st)}},
		Spec:       coordinationv1.LeaseSpec{RenewTime: &renew, LeaseDurationSeconds: ptr.To[int32](30)},
	}
}

func TestCoverage(t *testing.T) {
	tr := NewTracker()
	tr.Now = func() time.Time { return now }
	tr.OnAdd(heartbeatLease(t, report{host: "cp-1", renewed: now, observed: "100", conflicts: []string{"clash"}}), true)
	tr.OnAdd(heartbeatLease(t, report{host: "cp-2", renewed: now, observed: "100"}), true)
	tr.OnAdd(heartbeatLease(t, report{host: "cp-3", renewed: now.Add(-time.Minute), observed: "100"}), true) // stale
	tr.OnAdd(heartbeatLease(t, report{host: "cp-4", renewed: now, errors: 2, observed: "100"}), true)        // failing
	for _, tc := range []struct {
		node  string
		since uint64
		known bool
		want  Counts
	}{
		{"ok", 90, true, Counts{Hosts: 4, Forwarding: 2}},
		{"ok", 100, true, Counts{Hosts: 4, Forwarding: 2}},
		{"clash", 100, true, Counts{Hosts: 4, Forwarding: 1, Conflicts: 1}},
		// Seen or moved after what the live hosts report: neither forwarded nor refused yet.
		{"new", 101, true, Counts{Hosts: 4, Pending: 2}},
		{"clash", 101, true, Counts{Hosts: 4, Pending: 2}},
		// A node whose version the API server could not read is never proven covered.
		{"ok", 0, false, Counts{Hosts: 4, Pending: 2}},
	} {
		if got := tr.Of(tc.node, tc.since, tc.known); got != tc.want {
			t.Errorf("Of(%s, %d, %v) = %+v, want %+v", tc.node, tc.since, tc.known, got, tc.want)
		}
	}
	tr.OnDelete(heartbeatLease(t, report{host: "cp-1", renewed: now}))
	if got, want := tr.Of("clash", 100, true), (Counts{Hosts: 3, Forwarding: 1}); got != want {
		t.Errorf("after delete: %+v, want %+v", got, want)
	}
}

// TestCoverageOldOrOpaqueHeartbeats: a syncer from before observedNodeResourceVersion, or one reporting a
// version that is not a number, covers nothing: every node is pending on it, never forwarded, during an upgrade.
func TestCoverageOldOrOpaqueHeartbeats(t *testing.T) {
	tr := NewTracker()
	tr.Now = func() time.Time { return now }
	tr.OnAdd(heartbeatLease(t, report{host: "old", renewed: now, conflicts: []string{"clash"}}), true)
	tr.OnAdd(heartbeatLease(t, report{host: "opaque", renewed: now, observed: "abc"}), true)
	for _, node := range []string{"ok", "clash"} {
		if got, want := tr.Of(node, 1, true), (Counts{Hosts: 2, Pending: 2}); got != want {
			t.Errorf("Of(%s) = %+v, want %+v", node, got, want)
		}
	}
	// Upgrading the syncer turns the same host into a covering one.
	tr.OnUpdate(nil, heartbeatLease(t, report{host: "old", renewed: now, observed: "5", conflicts: []string{"clash"}}))
	if got, want := tr.Of("clash", 1, true), (Counts{Hosts: 2, Conflicts: 1, Pending: 1}); got != want {
		t.Errorf("after upgrade: %+v, want %+v", got, want)
	}
}
