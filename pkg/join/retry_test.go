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

package join

import (
	"context"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// lagging makes the service's reservation caches miss every Lease, as when the informer has not yet
// delivered the Lease a request just wrote: a retry that comes that fast under load.
func lagging(f *fixture) {
	f.svc.Reservations = reservation.NewTracker()
	f.svc.Addresses = ipam.NewIndex()
}

func TestRetryBeforeTheInformerCaughtUpIsIdempotent(t *testing.T) {
	f := newFixture(t)
	lagging(f)
	ctx := context.Background()
	first, _, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-a", IP: "10.0.0.5", Requester: "alice", Reuse: true})
	if err != nil {
		t.Fatal(err)
	}
	again, reused, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-a", IP: "10.0.0.5", Requester: "alice", Reuse: true})
	if err != nil || !reused || again.UID != first.UID || again.IP != first.IP {
		t.Fatalf("retry: %+v reused=%v err=%v, want the first reservation %s reused", again, reused, err, first.UID)
	}
	// The console's Validate and joincommand retry through Command and LegacyCommand.
	taint := true
	if _, err := f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "edge-a", NodeIP: "10.0.0.5", DefaultTaint: &taint, Requester: "alice"}); err != nil {
		t.Fatalf("console retry: %v", err)
	}
	if _, err := f.svc.Command(ctx, CommandRequest{Reserve: ReserveRequest{NodeName: "edge-a", IP: "10.0.0.5", Requester: "alice", Reuse: true}}); err != nil {
		t.Fatalf("joincommand retry: %v", err)
	}
	// Still a conflict: another user, the same user at another address, and create (no reuse).
	_, _, err = f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-a", IP: "10.0.0.5", Requester: "bob", Reuse: true})
	wantField(t, err, FieldName, ReasonInUse, "by alice")
	_, _, err = f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-a", IP: "10.0.0.6", Requester: "alice", Reuse: true})
	wantField(t, err, FieldName, ReasonInUse, "by alice")
	_, _, err = f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-a", IP: "10.0.0.5", Requester: "alice"})
	wantField(t, err, FieldName, ReasonInUse, "by alice")
}

func TestRetryOfAnAllocationBeforeTheInformerCaughtUpIsIdempotent(t *testing.T) {
	f := newFixture(t)
	lagging(f)
	pools, err := ipam.ParsePools([]string{"10.20.0.0/29"})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Pools = pools
	ctx := context.Background()
	first, _, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: "p1", Requester: "alice", Reuse: true})
	if err != nil {
		t.Fatal(err)
	}
	again, reused, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: "p1", Requester: "alice", Reuse: true})
	if err != nil || !reused || again.UID != first.UID || again.IP != first.IP {
		t.Fatalf("retry: %+v reused=%v err=%v, want the first reservation %s at %s", again, reused, err, first.UID, first.IP)
	}
}
