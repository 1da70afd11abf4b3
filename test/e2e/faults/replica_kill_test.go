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
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

const (
	// killTTL is the reservation TTL of the replica that is killed.
	killTTL = 20 * time.Second
	// collectorSlack is how long after its expiry a lapsed reservation may take to disappear: the surviving
	// replica's collector runs every second, marks it expired, then deletes it on its next pass (retention 0);
	// the rest is room for a busy machine.
	collectorSlack = 10 * time.Second
	// killWorkers send reservations to the victim concurrently.
	killWorkers = 16
	// ackedBeforeKill is how many reservations the victim acknowledges before it is killed.
	ackedBeforeKill = 30
)

// killIP is the address of the n-th reservation sent to the victim.
func killIP(n int) string {
	return fmt.Sprintf("10.61.%d.%d", n/250, n%250+1)
}

// TestReplicaKilledMidReservation sends reservations straight to a second replica from 16 clients at once and
// kills it with SIGKILL while they are in flight. It proves that every acknowledged reservation is complete
// (name Lease with the acknowledged UID, address Lease) and served by the surviving replica, that whatever the
// killed replica left half-made disappears by its TTL plus the collector's passes, and that every name and
// address involved is reservable through the surviving replica afterwards.
func TestReplicaKilledMidReservation(t *testing.T) {
	victim, err := cp.StartEdgeWatcher(t.Context(), framework.EdgeWatcherOptions{
		Unregistered: true,
		ExtraArgs:    []string{"--reservation-ttl=" + killTTL.String()},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("----- killed replica's log tail -----\n%s", victim.LogTail(40))
		}
	})
	attempts, killedAt := reserveUntilKilled(t, victim)
	reportKill(t, attempts, killedAt)

	seen := checkLeasesAfterKill(t, attempts)
	checkServedBySurvivor(t, attempts)
	waitLeasesGone(t, seen)
	reserveAgainThroughSurvivor(t, attempts)
}

// reserveUntilKilled runs killWorkers clients that reserve new names on the victim until it has acknowledged
// ackedBeforeKill of them, kills it with SIGKILL while requests are in flight, and returns every attempt.
func reserveUntilKilled(t *testing.T, victim *framework.EdgeWatcher) ([]attempt, time.Time) {
	t.Helper()
	client := replicaClient(t, victim)
	var (
		mu       sync.Mutex
		attempts []*attempt
		wrong    []string
		next     atomic.Int64
		acked    atomic.Int64
		inFlight atomic.Int64
		wg       sync.WaitGroup
	)
	killed := make(chan struct{})
	for range killWorkers {
		wg.Go(func() {
			for {
				select {
				case <-killed:
					return
				default:
				}
				n := int(next.Add(1))
				a := &attempt{name: "kill-" + strconv.Itoa(n), ip: killIP(n), joinCommand: n%3 == 0}
				inFlight.Add(1)
				var w string
				a.outcome, a.uid, w = reserve(client, victim.URL(), a.name, a.ip, a.joinCommand)
				inFlight.Add(-1)
				if a.ok() {
					acked.Add(1)
				}
				mu.Lock()
				attempts = append(attempts, a)
				if w != "" {
					wrong = append(wrong, w)
				}
				mu.Unlock()
			}
		})
	}
	deadline := time.Now().Add(time.Minute)
	for acked.Load() < ackedBeforeKill && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	close(killed) // no new requests; those in flight stay in flight
	flying := inFlight.Load()
	killedAt := time.Now()
	if err := victim.Process().Kill(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	t.Logf("killed the replica with SIGKILL after %d acknowledgements, with %d requests in flight", acked.Load(), flying)
	if acked.Load() < ackedBeforeKill {
		t.Fatalf("the victim acknowledged only %d reservations within a minute", acked.Load())
	}
	for _, w := range wrong {
		t.Errorf("wrong answer from the victim: %s", w)
	}
	out := make([]attempt, len(attempts))
	for i, a := range attempts {
		out[i] = *a
	}
	return out, killedAt
}

// reportKill logs how the requests ended, and fails the test for one that failed before the kill, or failed
// unclearly.
func reportKill(t *testing.T, attempts []attempt, killedAt time.Time) {
	t.Helper()
	before, inFlight, after := classCounts{}, classCounts{}, classCounts{}
	for _, a := range attempts {
		switch {
		case a.end.Before(killedAt):
			before[a.class()]++
			if !a.ok() {
				t.Errorf("%s failed before the kill: %s %s", a.name, a.class(), truncate(a.body))
			}
		case a.start.Before(killedAt):
			inFlight[a.class()]++
		default:
			after[a.class()]++
		}
		if !a.ok() && a.unclear() != "" {
			t.Errorf("%s failed unclearly: %s", a.name, a.unclear())
		}
	}
	t.Logf("requests answered before the kill: %s; in flight at the kill: %s; sent after it: %s", before, inFlight, after)
}
