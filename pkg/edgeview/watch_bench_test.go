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
	"fmt"
	goruntime "runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/fixtures"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

const (
	// fanOutNodes is how many edge nodes the fan-out benchmark's view holds.
	fanOutNodes = 10_000
	// fanOutWatchers is how many watchers receive every event.
	fanOutWatchers = 100
	// fanOutBatch is how many events the producer sends before waiting for every watcher to
	// receive them; it stays below a watcher's 1000-event buffer so that none is closed as slow.
	fanOutBatch = 250
	// fanOutTimeout bounds the wait for one batch to reach every watcher.
	fanOutTimeout = 30 * time.Second
	// fanOutFallbackEvents is how many events measure the baseline when -bench filters its sub-benchmark out.
	fanOutFallbackEvents = 20_000
)

// fanOutInitial memoizes the transformed edge Nodes the fan-out benchmark's views start from.
var fanOutInitial []interface{}

// BenchmarkWatchFanOut measures the cost of one readiness change delivered to 100
// watchers of a 10k-node view: ns/op covers OnUpdate and every watcher's receipt of the
// event, ns/delivery divides it by the watchers. The baseline fans the same EdgeNodes
// out with apimachinery's watch.Broadcaster, whose watchers have the same buffer. On a
// busy 2-core machine the baseline swings between runs; compare with -count and benchstat.
func BenchmarkWatchFanOut(b *testing.B) {
	defer quietKlog()()
	if fanOutInitial == nil {
		transform := informerTransform(NewCache(DefaultHistorySize))
		for i := range fanOutNodes {
			fanOutInitial = append(fanOutInitial, mustTransform(b, transform, fixtures.RealisticNode(i, true, i+1, fixtures.Ready)))
		}
	}
	goruntime.GC() // start from a collected heap, not the garbage of earlier benchmarks
	b.Run(fmt.Sprintf("%dk-nodes-%d-watchers", fanOutNodes/1000, fanOutWatchers), func(b *testing.B) {
		var baselineNs float64
		b.Run("watch-broadcaster", func(b *testing.B) {
			broadcasterFanOut(b, b.N, b.ResetTimer, b.StopTimer)
			baselineNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(baselineNs/fanOutWatchers, "ns/delivery")
		})
		b.Run("edgenodes", func(b *testing.B) {
			viewFanOut(b, b.N, b.ResetTimer, b.StopTimer)
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if baselineNs == 0 {
				// -bench filtered the baseline out; testing.Benchmark cannot nest in a
				// running benchmark, so time a fixed number of baseline events by hand.
				var start time.Time
				var elapsed time.Duration
				broadcasterFanOut(b, fanOutFallbackEvents, func() { start = time.Now() }, func() { elapsed = time.Since(start) })
				baselineNs = float64(elapsed.Nanoseconds()) / fanOutFallbackEvents
			}
			b.ReportMetric(ns/fanOutWatchers, "ns/delivery")
			b.ReportMetric(ns/baselineNs, "x-baseline")
		})
	})
}

// fanOutUpdates builds n readiness changes, transformed by transform, that visit the
// nodes in turn and alternate each between Unknown and Ready, with resource versions after listRV.
func fanOutUpdates(b *testing.B, transform cache.TransformFunc, n, listRV int) []interface{} {
	out := make([]interface{}, n)
	for k := range out {
		readiness := fixtures.Unknown
		if (k/fanOutNodes)%2 == 1 {
			readiness = fixtures.Ready
		}
		out[k] = mustTransform(b, transform, fixtures.RealisticNode(k%fanOutNodes, true, listRV+k+1, readiness))
	}
	return out
}

// viewFanOut runs n readiness changes through a synced Cache with fanOutWatchers watchers;
// startTimer and stopTimer bracket the delivery, after setup and before cleanup.
func viewFanOut(b *testing.B, n int, startTimer, stopTimer func()) {
	view := NewCache(DefaultHistorySize)
	for _, obj := range fanOutInitial {
		view.OnAdd(obj, true)
	}
	listRV := len(fanOutInitial)
	view.MarkSynced(strconv.Itoa(listRV))
	updates := fanOutUpdates(b, informerTransform(view), n, listRV)

	ctx, cancel := context.WithCancel(context.Background())
	d := newFanOutDrain(n)
	for range fanOutWatchers {
		w, err := view.Watch(ctx, WatchOptions{ResourceVersion: strconv.Itoa(listRV)})
		if err != nil {
			b.Fatal(err)
		}
		d.drain(w)
	}
	startTimer()
	// The old object does not matter to the Cache; the informer would pass the stored one.
	d.deliver(b, func(k int) { view.OnUpdate(nil, updates[k]) })
	stopTimer()
	cancel()
	d.finish(b)
}

// broadcasterFanOut sends the same n changes through a watch.Broadcaster with
// fanOutWatchers watchers; startTimer and stopTimer bracket the delivery.
func broadcasterFanOut(b *testing.B, n int, startTimer, stopTimer func()) {
	updates := fanOutUpdates(b, informerTransform(NewCache(DefaultHistorySize)), n, len(fanOutInitial))
	objs := make([]runtime.Object, len(updates))
	for k, u := range updates {
		objs[k] = u.(*entry).edgeNode()
	}
	m := watch.NewBroadcaster(1000, watch.WaitIfChannelFull)
	d := newFanOutDrain(n)
	for range fanOutWatchers {
		w, err := m.Watch()
		if err != nil {
			b.Fatal(err)
		}
		d.drain(w)
	}
	startTimer()
	d.deliver(b, func(k int) {
		if err := m.Action(watch.Modified, objs[k]); err != nil {
			b.Fatal(err)
		}
	})
	stopTimer()
	m.Shutdown()
	d.finish(b)
}

// fanOutDrain reads every watcher's events in its own goroutine and lets the producer
// wait until a batch has reached all of them.
type fanOutDrain struct {
	total     int
	batchDone sync.WaitGroup
	exited    sync.WaitGroup
	mu        sync.Mutex
	problems  []string
}

// newFanOutDrain returns a drain for watchers that each expect total events.
func newFanOutDrain(total int) *fanOutDrain { return &fanOutDrain{total: total} }

// drain consumes w until it closes, counting Modified events.
func (d *fanOutDrain) drain(w watch.Interface) {
	d.exited.Add(1)
	go func() {
		defer d.exited.Done()
		received := 0
		for ev := range w.ResultChan() {
			if ev.Type != watch.Modified {
				d.problem("unexpected %s event", ev.Type)
			}
			received++
			if received%fanOutBatch == 0 || received == d.total {
				d.batchDone.Done()
			}
		}
		if received != d.total {
			d.problem("a watch closed after %d of %d events", received, d.total)
		}
	}()
}

// problem records something a drain goroutine saw go wrong.
func (d *fanOutDrain) problem(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.problems = append(d.problems, fmt.Sprintf(format, args...))
}

// deliver emits events 0..total-1 in batches and waits for each batch to reach every watcher.
func (d *fanOutDrain) deliver(b *testing.B, emit func(k int)) {
	for start := 0; start < d.total; start += fanOutBatch {
		d.batchDone.Add(fanOutWatchers)
		for k := start; k < min(start+fanOutBatch, d.total); k++ {
			emit(k)
		}
		received := make(chan struct{})
		go func() { d.batchDone.Wait(); close(received) }()
		select {
		case <-received:
		case <-time.After(fanOutTimeout):
			d.mu.Lock()
			defer d.mu.Unlock()
			b.Fatalf("events %d-%d did not reach all %d watchers within %v: %v", start, min(start+fanOutBatch, d.total)-1, fanOutWatchers, fanOutTimeout, d.problems)
		}
	}
}

// finish waits for the drain goroutines to see their watches close and fails on any problem they saw.
func (d *fanOutDrain) finish(b *testing.B) {
	d.exited.Wait()
	if len(d.problems) > 0 {
		b.Fatalf("%d problems, first: %s", len(d.problems), d.problems[0])
	}
}
