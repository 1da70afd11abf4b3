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

package reservation

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestStore() (*Store, *fake.Clientset, *clock) {
	client := fake.NewClientset()
	clk := &clock{t: time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)}
	return &Store{Leases: client.CoordinationV1(), Namespace: "kubeedge", TTL: time.Hour, Now: clk.now}, client, clk
}

func TestReserveTakesNameAndAddress(t *testing.T) {
	s, client, clk := newTestStore()
	ctx := context.Background()
	got, err := s.Reserve(ctx, Reservation{NodeName: "edge-1", IP: netip.MustParseAddr("10.0.0.5"), Requester: "alice",
		Spec: Spec{Labels: map[string]string{"zone": "a"}, Taints: []Taint{{Key: "k", Effect: "NoSchedule"}}, KubeEdgeVersion: "v1.23.1"}})
	if err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	if got.NodeName != "edge-1" || got.IP.String() != "10.0.0.5" || got.Requester != "alice" ||
		!got.Expires.Equal(clk.t.Add(time.Hour)) || got.Spec.Labels["zone"] != "a" || len(got.Spec.Taints) != 1 {
		t.Fatalf("unexpected reservation %+v", got)
	}
	lock, err := client.CoordinationV1().Leases("kubeedge").Get(ctx, "ip.10.0.0.5", metav1.GetOptions{})
	if err != nil || holderOf(lock) != "edge-1" {
		t.Fatalf("address lock: %v %v", lock, err)
	}
}

func TestReserveConflicts(t *testing.T) {
	s, client, _ := newTestStore()
	ctx := context.Background()
	if _, err := s.Reserve(ctx, Reservation{NodeName: "edge-1", IP: netip.MustParseAddr("10.0.0.5"), Requester: "alice"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Reserve(ctx, Reservation{NodeName: "edge-1", IP: netip.MustParseAddr("10.0.0.6")})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Field != FieldName || ce.Holder != "edge-1" || ce.Requester != "alice" {
		t.Fatalf("name conflict: got %v", err)
	}
	_, err = s.Reserve(ctx, Reservation{NodeName: "edge-2", IP: netip.MustParseAddr("10.0.0.5")})
	if !errors.As(err, &ce) || ce.Field != FieldIP || ce.Holder != "edge-1" {
		t.Fatalf("IP conflict: got %v", err)
	}
	// The loser rolled back its name lease.
	if _, err := client.CoordinationV1().Leases("kubeedge").Get(ctx, NameLeaseName("edge-2"), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("edge-2's name lease should be rolled back, got %v", err)
	}
	if _, err := s.Reserve(ctx, Reservation{NodeName: "edge-2", IP: netip.MustParseAddr("10.0.0.6")}); err != nil {
		t.Fatalf("free values: %v", err)
	}
}

func TestReserveReclaimsLapsed(t *testing.T) {
	s, _, clk := newTestStore()
	ctx := context.Background()
	if _, err := s.Reserve(ctx, Reservation{NodeName: "edge-1", IP: netip.MustParseAddr("10.0.0.5")}); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(time.Hour)
	got, err := s.Reserve(ctx, Reservation{NodeName: "edge-2", IP: netip.MustParseAddr("10.0.0.5")})
	if err != nil || got.NodeName != "edge-2" {
		t.Fatalf("lapsed address should be reclaimed: %v", err)
	}
	if _, err := s.Reserve(ctx, Reservation{NodeName: "edge-1", IP: netip.MustParseAddr("10.0.0.7")}); err != nil {
		t.Fatalf("lapsed name should be reclaimed: %v", err)
	}
}

func TestReleaseAndMarkExpired(t *testing.T) {
	s, client, clk := newTestStore()
	ctx := context.Background()
	r, err := s.Reserve(ctx, Reservation{NodeName: "edge-1", IP: netip.MustParseAddr("2001:db8::1")})
	if err != nil {
		t.Fatal(err)
	}
	leases := client.CoordinationV1().Leases("kubeedge")
	if _, err := leases.Get(ctx, "ip6.20010db8000000000000000000000001", metav1.GetOptions{}); err != nil {
		t.Fatalf("IPv6 lock: %v", err)
	}
	if err := s.MarkExpired(ctx, r); err != nil {
		t.Fatal(err)
	}
	l, _ := leases.Get(ctx, NameLeaseName("edge-1"), metav1.GetOptions{})
	if l.Labels[LabelExpired] == "true" {
		t.Fatal("an unexpired reservation must not be marked expired")
	}
	clk.t = clk.t.Add(2 * time.Hour)
	if err := s.MarkExpired(ctx, r); err != nil {
		t.Fatal(err)
	}
	l, _ = leases.Get(ctx, NameLeaseName("edge-1"), metav1.GetOptions{})
	if l.Labels[LabelExpired] != "true" {
		t.Fatal("lapsed reservation not marked expired")
	}
	if _, err := leases.Get(ctx, "ip6.20010db8000000000000000000000001", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("expired reservation kept its address lock: %v", err)
	}
	if _, err := s.Release(ctx, "edge-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Release(ctx, "edge-1"); !apierrors.IsNotFound(err) {
		t.Fatalf("second release: want NotFound, got %v", err)
	}
}

func TestLeaseNames(t *testing.T) {
	long := ""
	for len(long) < 253 {
		long += "a"
	}
	for _, tc := range []struct{ in, want string }{
		{"edge-1", "name.edge-1"},
		{long, ""},
	} {
		got := NameLeaseName(tc.in)
		if tc.in == long {
			if len(got) > 253 || got[:12] != "name-sha256." {
				t.Errorf("long name lease %q", got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("NameLeaseName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := IPLeaseName(netip.MustParseAddr("::ffff:10.0.0.1")); got != "ip.10.0.0.1" {
		t.Errorf("mapped address lease %q", got)
	}
}
