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

package faults

import (
	"context"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"

	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// leaseSighting is a reservation Lease of the victim's names, from when it was first seen until it was gone.
type leaseSighting struct {
	expires time.Time
	gone    time.Time
}

// checkLeasesAfterKill checks right after the kill that every acknowledged reservation is complete, classifies
// the unacknowledged Leases, and returns every Lease of the victim's names and addresses.
func checkLeasesAfterKill(t *testing.T, attempts []attempt) map[string]*leaseSighting {
	t.Helper()
	leases, err := reservationLeases(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	seen := map[string]*leaseSighting{}
	recordVictimLeases(leases, seen)
	ackedChecked, complete, halfMade := 0, 0, 0
	for _, a := range attempts {
		if a.ok() {
			ackedChecked++
			if p := reservationProblem(leases, a.name, a.ip, a.uid); p != "" {
				t.Errorf("acknowledged reservation %s (%s) is not complete after the kill: %s", a.name, a.ip, p)
			}
			continue
		}
		if _, ok := leases[reservation.NameLeaseName(a.name)]; !ok {
			continue
		}
		if reservationProblem(leases, a.name, a.ip, "") == "" {
			complete++
		} else {
			halfMade++
		}
	}
	orphans := 0
	for name, l := range leases {
		if strings.HasPrefix(name, "ip.10.61.") {
			if _, ok := leases[reservation.NameLeaseName(holder(l))]; !ok {
				orphans++
			}
		}
	}
	for name, s := range seen {
		if !s.expires.After(now) {
			t.Fatalf("lease %s had expired before it was checked (%v late): the machine is too slow for a %v TTL", name, now.Sub(s.expires), killTTL)
		}
	}
	t.Logf("after the kill: %d acknowledged reservations complete; unacknowledged: %d complete, %d half-made (name Lease without its address Lease), %d address Leases without a name Lease; %d victim Leases in all",
		ackedChecked, complete, halfMade, orphans, len(seen))
	return seen
}

// recordVictimLeases adds the Leases of the victim's names and addresses in leases to seen.
func recordVictimLeases(leases map[string]coordinationv1.Lease, seen map[string]*leaseSighting) {
	for name, l := range leases {
		if !strings.HasPrefix(name, "name.kill-") && !strings.HasPrefix(name, "ip.10.61.") {
			continue
		}
		if _, ok := seen[name+"/"+string(l.UID)]; !ok {
			seen[name+"/"+string(l.UID)] = &leaseSighting{expires: expiry(l)}
		}
	}
}

// waitLeasesGone waits until every Lease of the victim's names and addresses is gone, and fails the test for one
// that outlived its expiry by more than collectorSlack.
func waitLeasesGone(t *testing.T, seen map[string]*leaseSighting) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), killTTL+collectorSlack+time.Minute)
	defer cancel()
	var latest time.Duration
	for {
		leases, err := reservationLeases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		recordVictimLeases(leases, seen)
		left := 0
		for key, s := range seen {
			if !s.gone.IsZero() {
				continue
			}
			name, _, _ := strings.Cut(key, "/")
			if l, ok := leases[name]; ok && key == name+"/"+string(l.UID) {
				left++
				if late := now.Sub(s.expires); late > collectorSlack {
					t.Fatalf("lease %s outlived its expiry by %v (holder %q)", name, ms(late), holder(l))
				}
				continue
			}
			s.gone = now
			latest = max(latest, now.Sub(s.expires))
		}
		if left == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("all %d victim Leases are gone; the last went %v after its expiry (TTL %v)", len(seen), ms(latest), killTTL)
}
