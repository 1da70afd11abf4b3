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
	"context"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

func testReservation(name, rv string, expired bool) *reservation.Reservation {
	return &reservation.Reservation{
		NodeName: name, IP: netip.MustParseAddr("198.51.100.9"), Requester: "alice", UID: "lease-" + "name",
		ResourceVersion: rv, Expires: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), MarkedExpired: expired,
		Spec: reservation.Spec{Labels: map[string]string{"zone": "a"}, Taints: []reservation.Taint{{Key: "k", Effect: "NoSchedule"}}},
	}
}

func TestReservationLifecycleInTheView(t *testing.T) {
	c := syncedCache(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := c.Watch(ctx, WatchOptions{ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	c.OnReservation("r", testReservation("r", "10", false), "")
	ev := expect(t, w, watch.Added, "r", "10")
	en := ev.Object.(*kubeedge.EdgeNode)
	if en.Status.Phase != kubeedge.EdgeNodePending || en.Spec.InternalIP != "198.51.100.9" || en.Status.ReservedBy != "alice" ||
		en.Status.ReservationExpiresAt == nil || en.Labels["zone"] != "a" || len(en.Spec.Taints) != 1 {
		t.Fatalf("unexpected reservation view %+v", en)
	}
	if _, ok := en.Labels[EdgeRoleLabel]; !ok {
		t.Fatal("a reservation view carries the edge role label")
	}

	c.OnReservation("r", testReservation("r", "11", true), "")
	ev = expect(t, w, watch.Modified, "r", "11")
	if got := ev.Object.(*kubeedge.EdgeNode); got.Status.Phase != kubeedge.EdgeNodeExpired || got.Status.InternalIP != "" {
		t.Fatalf("expired view %+v", got.Status)
	}

	// The node joins: its Node view shadows the reservation.
	c.OnAdd(testNode("r", 12, true, "198.51.100.9", corev1.ConditionTrue), false)
	ev = expect(t, w, watch.Modified, "r", "12")
	if got := ev.Object.(*kubeedge.EdgeNode); got.Status.Phase != kubeedge.EdgeNodeJoined {
		t.Fatalf("joined view %+v", got.Status)
	}
	// Deleting the shadowed reservation is invisible.
	c.OnReservation("r", nil, "13")
	expectNoEvent(t, w)
	if list, _, _ := c.List(nil); len(list) != 1 || c.Len() != 1 {
		t.Fatalf("list has %d items, Len %d", len(list), c.Len())
	}

	c.OnReservation("p", testReservation("p", "14", false), "")
	expect(t, w, watch.Added, "p", "14")
	c.OnReservation("p", nil, "15")
	expect(t, w, watch.Deleted, "p", "15")
	if _, ok, _ := c.Get("p"); ok {
		t.Fatal("released reservation still visible")
	}
}
