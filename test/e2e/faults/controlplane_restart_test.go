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
	"testing"
	"time"
)

// TestReservationsAndWatchesSurviveControlPlaneRestarts kills kube-apiserver, then etcd, with SIGKILL while
// clients reserve, list and watch edgenodes through kube-apiserver, and starts each again with the same port
// and data. It proves that every acknowledged reservation survives with its UID and address lock, that requests
// fail only during an outage and then clearly, that no answer carries wrong data, that edgewatcher-apiserver
// recovers (ready, new reservations, new Nodes) and that re-listing informers end with the final state.
func TestReservationsAndWatchesSurviveControlPlaneRestarts(t *testing.T) {
	const reservers, listers, watchers = 3, 2, 2
	l := startLoad(t, reservers, listers, watchers)
	began := time.Now()
	l.waitAcks(t, 20, began, time.Minute)
	var windows []window
	for _, f := range []fault{kubeAPIServerFault(), etcdFault()} {
		w := f.inject(t, l, reservers)
		windows = append(windows, w)
		t.Log(w)
		l.waitAcks(t, 20, w.recovered, time.Minute)
	}
	l.stop()
	attempts, lists, readyz, problems := l.snapshot()
	for _, p := range problems {
		t.Error(p)
	}
	outcomes := make([]outcome, len(attempts))
	for i, a := range attempts {
		outcomes[i] = a.outcome
	}
	checkFailures(t, "reservation", outcomes, windows)
	checkFailures(t, "list", lists, windows)
	checkFailures(t, "edgewatcher /readyz", readyz, windows)
	checkAcknowledged(t, attempts, windows)
	checkInformers(t, l)
}
