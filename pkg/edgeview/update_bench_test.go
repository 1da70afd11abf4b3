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
	"strconv"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/fixtures"

	"k8s.io/client-go/tools/cache"
)

// heartbeatNodes is how many edge nodes the heartbeat benchmark's view holds.
const heartbeatNodes = 10_000

// BenchmarkOnUpdateHeartbeat measures a status heartbeat, the most frequent Node event
// (edged posts status every 10s, so 100k edge nodes send 10k a second): an update whose
// resource version changes but whose EdgeNode view does not. The baseline is the
// informer's own work for the event, Update on a client-go store holding the same
// transformed objects; x-baseline is the Cache's OnUpdate over it.
func BenchmarkOnUpdateHeartbeat(b *testing.B) {
	defer quietKlog()()
	view := NewCache(DefaultHistorySize)
	store := cache.NewStore(cache.MetaNamespaceKeyFunc)
	transform := informerTransform(view)
	for i := range heartbeatNodes {
		obj := mustTransform(b, transform, fixtures.RealisticNode(i, true, i+1, fixtures.Ready))
		view.OnAdd(obj, true)
		if err := store.Add(obj); err != nil {
			b.Fatal(err)
		}
	}
	view.MarkSynced(strconv.Itoa(heartbeatNodes))
	var heartbeats []interface{}
	for round := range 2 {
		for i := range heartbeatNodes {
			rv := heartbeatNodes*(round+1) + i + 1
			heartbeats = append(heartbeats, mustTransform(b, transform, fixtures.RealisticNode(i, true, rv, fixtures.Ready)))
		}
	}
	before := view.history.len
	view.OnUpdate(nil, heartbeats[0])
	if view.history.len != before {
		b.Fatal("a heartbeat that leaves the view unchanged was recorded as a change")
	}

	k := 0
	baseline := func() {
		if err := store.Update(heartbeats[k%len(heartbeats)]); err != nil {
			b.Fatal(err)
		}
		k++
	}
	var baselineNs float64
	b.Run("client-go-store", func(b *testing.B) {
		for b.Loop() {
			baseline()
		}
		baselineNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("edgenodes", func(b *testing.B) {
		next := 0
		for b.Loop() {
			view.OnUpdate(nil, heartbeats[next%len(heartbeats)])
			next++
		}
		ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		if baselineNs == 0 {
			// -bench filtered the baseline out; testing.Benchmark cannot nest in a running benchmark.
			start, n := time.Now(), 0
			for ; time.Since(start) < time.Second; n++ {
				baseline()
			}
			baselineNs = float64(time.Since(start).Nanoseconds()) / float64(n)
		}
		b.ReportMetric(ns/baselineNs, "x-baseline")
	})
}
