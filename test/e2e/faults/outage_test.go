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
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// fault is a control-plane process that is killed with SIGKILL and started again with the same command line.
type fault struct {
	name  string
	kill  func() error
	start func(ctx context.Context) error
	// down is the least time the process stays down before it is started again.
	down time.Duration
}

// kubeAPIServerFault kills kube-apiserver and starts it again on the same port; its start adds seconds of outage.
func kubeAPIServerFault() fault {
	return fault{name: "kube-apiserver", kill: cp.KillKubeAPIServer, start: cp.StartKubeAPIServerAgain, down: 2 * time.Second}
}

// etcdFault kills etcd and starts it again with the same data directory.
func etcdFault() fault {
	return fault{name: "etcd", kill: cp.KillEtcd, start: cp.StartEtcdAgain, down: 5 * time.Second}
}

// window is one outage, from the kill until the EdgeWatcher path worked again.
type window struct {
	name string
	// killed is when SIGKILL was sent, restarted when the process was started again, up when it was ready
	// (kube-apiserver /readyz, etcd /health), recovered when recovery's checks had all passed.
	killed, restarted, up, recovered time.Time
	recovery                         recovery
}

// met reports whether a request sent at start and ended at end overlapped the window.
func (w window) met(start, end time.Time) bool {
	return !end.Before(w.killed) && !start.After(w.recovered)
}

// String reports the window's figures.
func (w window) String() string {
	return fmt.Sprintf("%s: SIGKILL; started again after %v, ready after %v; %s",
		w.name, ms(w.restarted.Sub(w.killed)), ms(w.up.Sub(w.killed)), w.recovery)
}

// ms rounds d for reports.
func ms(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

// waitDown keeps the process down until down passed and the load sent each of its reservers' requests into the
// outage (at most down + 15s).
func waitDown(l *load, killed time.Time, down time.Duration, reservers int) {
	deadline := killed.Add(down + 15*time.Second)
	for (time.Since(killed) < down || l.sentSince(killed) < reservers) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
}

// inject kills the fault's process under the load, starts it again and waits until the EdgeWatcher path has
// recovered.
func (f fault) inject(t *testing.T, l *load, reservers int) window {
	t.Helper()
	w := window{name: f.name, killed: time.Now()}
	if err := f.kill(); err != nil {
		t.Fatal(err)
	}
	waitDown(l, w.killed, f.down, reservers)
	w.restarted = time.Now()
	if err := f.start(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.up = time.Now()
	w.recovery = awaitRecovery(t, l, f.name, w.up)
	w.recovered = time.Now()
	return w
}

// classCounts counts outcomes by class, for reports.
type classCounts map[string]int

// String renders the counts in a stable order.
func (c classCounts) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c)) {
		parts = append(parts, fmt.Sprintf("%d %s", c[k], k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
