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
	"io"
	"runtime"
	"strconv"
	"testing"
	"unsafe"

	"github.com/edgewatcher/edgewatcher/test/fixtures"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// heapTarget100kMB is the stated bound on the heap EdgeWatcher retains for 100k edge Nodes, in MB (10^6 bytes).
const heapTarget100kMB = 150

// bytesPerMB converts bytes to the MB (10^6 bytes) the heap benchmarks report.
const bytesPerMB = 1e6

// readinessUpdates is how many readiness changes the heap benchmark applies after the initial list;
// it equals DefaultHistorySize so that the history ring is full.
const readinessUpdates = DefaultHistorySize

// BenchmarkHeapEdgeNodes measures the live heap that holding N edge Nodes costs.
//
// The baseline is what an informer without a transform keeps: N full Nodes in a
// client-go store (updates would only replace them, so it gets none). "Ours" is what
// EdgeWatcher keeps: the same Nodes through the informer transform into a store (the
// shared informer's cache) and into a Cache with the default history, followed by
// readinessUpdates readiness changes that fill the history ring. Nodes are generated one
// at a time and immediately stored, so the full objects are garbage in the "ours" case,
// as in an informer.
//
// Each iteration repeats the whole measurement; b.N only repeats it, so ns/op is the
// time to build both heaps (generation and GC included) and the heap metrics come from
// the last iteration. The 100k case fails when it exceeds heapTarget100kMB.
func BenchmarkHeapEdgeNodes(b *testing.B) {
	defer quietKlog()()
	for _, tc := range []struct {
		name    string
		nodes   int
		limitMB float64 // 0 means the size has no stated target
	}{
		{name: "10k", nodes: 10_000},
		{name: "100k", nodes: 100_000, limitMB: heapTarget100kMB},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var baseline, ours int64
			for b.Loop() {
				baseline = retainedHeapBytes(func() any { return fullNodeStore(tc.nodes) })
				ours = retainedHeapBytes(func() any { return edgeWatcherHeap(b, tc.nodes, readinessUpdates, NewCache(DefaultHistorySize)) })
			}
			b.ReportMetric(float64(baseline)/bytesPerMB, "MB-baseline")
			b.ReportMetric(float64(ours)/bytesPerMB, "MB-heap")
			b.ReportMetric(float64(ours)/float64(baseline), "x-baseline")
			b.ReportMetric(float64(ours)/float64(tc.nodes), "B/node")
			if ours >= baseline {
				b.Errorf("EdgeWatcher retains %d bytes for %d nodes, not less than the %d bytes of full Nodes", ours, tc.nodes, baseline)
			}
			if tc.limitMB > 0 && float64(ours)/bytesPerMB > tc.limitMB {
				b.Fatalf("EdgeWatcher retains %.1f MB (%.0f B/node, %.3f x-baseline of %.1f MB) for %s edge nodes; the target is at most %.0f MB",
					float64(ours)/bytesPerMB, float64(ours)/float64(tc.nodes), float64(ours)/float64(baseline), float64(baseline)/bytesPerMB, tc.name, tc.limitMB)
			}
		})
	}
}

// BenchmarkHeapWatchHistory measures what a burst of churn at 100k edge Nodes costs the default history, which
// keeps the changes of the last DefaultHistoryWindow up to DefaultHistoryMaxChanges: the view after that many
// readiness changes within the window, against the same view and changes with a history kept by count only
// (DefaultHistorySize, the floor the default keeps however old).
func BenchmarkHeapWatchHistory(b *testing.B) {
	defer quietKlog()()
	const nodes = 100_000
	var countOnly, windowed int64
	for b.Loop() {
		countOnly = retainedHeapBytes(func() any {
			return edgeWatcherHeap(b, nodes, DefaultHistoryMaxChanges, NewCache(DefaultHistorySize))
		})
		windowed = retainedHeapBytes(func() any {
			return edgeWatcherHeap(b, nodes, DefaultHistoryMaxChanges, NewCacheWithHistory(DefaultHistoryOptions()))
		})
	}
	b.ReportMetric(float64(countOnly)/bytesPerMB, "MB-count-only")
	b.ReportMetric(float64(windowed)/bytesPerMB, "MB-window")
	b.ReportMetric(float64(windowed)/float64(countOnly), "x-count-only")
	b.ReportMetric(float64(windowed-countOnly)/float64(DefaultHistoryMaxChanges-DefaultHistorySize), "B/extra-change")
}

// retainedHeapBytes returns how much live heap the value build returns keeps, measured after full collections.
func retainedHeapBytes(build func() any) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// fullNodeStore is what an informer without a transform keeps for n edge Nodes.
func fullNodeStore(n int) cache.Store {
	store := cache.NewStore(cache.MetaNamespaceKeyFunc)
	for i := range n {
		if err := store.Add(fixtures.RealisticNode(i, true, i+1, fixtures.Ready)); err != nil {
			panic(err)
		}
	}
	return store
}

// edgeWatcherState is what EdgeWatcher keeps for its Nodes: the informer's store of slim Nodes and the view.
type edgeWatcherState struct {
	store cache.Store
	view  *Cache
}

// edgeWatcherHeap feeds n edge Nodes, then updates readiness changes, through the informer transform into a
// store and view as the shared informer does, and checks that the view saw all of them.
func edgeWatcherHeap(b testing.TB, n, updates int, view *Cache) edgeWatcherState {
	s := edgeWatcherState{store: cache.NewStore(cache.MetaNamespaceKeyFunc), view: view}
	transform := informerTransform(s.view)
	for i := range n {
		obj := mustTransform(b, transform, fixtures.RealisticNode(i, true, i+1, fixtures.Ready))
		if err := s.store.Add(obj); err != nil {
			b.Fatal(err)
		}
		s.view.OnAdd(obj, true)
	}
	s.view.MarkSynced(strconv.Itoa(n)) // the list was taken at the last node's resource version
	for u := range updates {
		// 7919 is prime and coprime with n, so the first n updates touch distinct nodes;
		// later rounds alternate readiness so that every update changes the view.
		i := u * 7919 % n
		readiness := fixtures.Unknown
		if (u/n)%2 == 1 {
			readiness = fixtures.Ready
		}
		obj := mustTransform(b, transform, fixtures.RealisticNode(i, true, n+u+1, readiness))
		old, _, err := s.store.Get(obj)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.store.Update(obj); err != nil {
			b.Fatal(err)
		}
		s.view.OnUpdate(old, obj)
	}
	if got := s.view.Len(); got != n {
		b.Fatalf("view holds %d edge nodes, want %d", got, n)
	}
	if want := min(updates, s.view.history.opts.MaxChanges); s.view.history.len != want {
		b.Fatalf("history holds %d changes after %d readiness updates, want %d", s.view.history.len, updates, want)
	}
	return s
}

// informerTransform is the transform cmd/edgewatcher-apiserver/app/config.go installs on the Node
// informer that feeds view. The benchmarks store and deliver only what it returns, so they
// follow the server when the transform changes (today it needs no view).
func informerTransform(view *Cache) cache.TransformFunc { return view.Transform }

// mustTransform applies transform to node as the informer does before storing and delivering it.
func mustTransform(tb testing.TB, transform cache.TransformFunc, node *corev1.Node) interface{} {
	obj, err := transform(node)
	if err != nil {
		tb.Fatal(err)
	}
	return obj
}

// quietKlog silences klog, which logs every Cache sync into the benchmark table, until the returned restore runs.
func quietKlog() (restore func()) {
	state := klog.CaptureState()
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	return state.Restore
}

// TestRealisticNodeShape guards the realism the heap benchmark depends on: the fields a
// reported Node carries, and that no string data is shared between two generated Nodes.
func TestRealisticNodeShape(t *testing.T) {
	a, b := fixtures.RealisticNode(1, true, 10, fixtures.Ready), fixtures.RealisticNode(2, true, 11, fixtures.Ready)
	if !IsEdgeNode(a) || IsEdgeNode(fixtures.RealisticNode(3, false, 12, fixtures.Ready)) {
		t.Error("edge and cloud nodes must differ in the edge role label")
	}
	if n := len(a.Labels); n < 12 || n > 15 {
		t.Errorf("%d labels, want 12-15", n)
	}
	if len(a.Annotations) < 2 || len(a.ManagedFields) != 2 || len(a.Spec.Taints) != 1 || a.Spec.PodCIDR == "" {
		t.Errorf("metadata or spec incomplete: %d annotations, %d managedFields, %d taints, podCIDR %q",
			len(a.Annotations), len(a.ManagedFields), len(a.Spec.Taints), a.Spec.PodCIDR)
	}
	if len(a.Status.Conditions) != 5 || len(a.Status.Addresses) != 2 || len(a.Status.Images) != 10 ||
		len(a.Status.Capacity) != 4 || len(a.Status.Allocatable) != 4 {
		t.Errorf("status incomplete: %d conditions, %d addresses, %d images, %d capacity, %d allocatable",
			len(a.Status.Conditions), len(a.Status.Addresses), len(a.Status.Images), len(a.Status.Capacity), len(a.Status.Allocatable))
	}
	for i := range 10 {
		if port := fixtures.RealisticNode(i, true, 1, fixtures.Ready).Status.DaemonEndpoints.KubeletEndpoint.Port; port < 10351 || port > 10355 {
			t.Errorf("node %d kubelet port %d, want 10351-10355", i, port)
		}
	}
	if got := KubeEdgeVersion(a.Status.NodeInfo.KubeletVersion); got != "v1.23.1" {
		t.Errorf("KubeEdge version %q, want v1.23.1", got)
	}
	if !sameView(FromNode(a), FromNode(fixtures.RealisticNode(1, true, 99, fixtures.Ready))) {
		t.Error("a status heartbeat (another resource version) must leave the EdgeNode view unchanged")
	}
	if sameView(FromNode(a), FromNode(fixtures.RealisticNode(1, true, 99, fixtures.Unknown))) {
		t.Error("a readiness change must change the EdgeNode view")
	}
	if a.Name == b.Name || a.UID == b.UID || InternalIP(a) == InternalIP(b) || a.Status.NodeInfo.BootID == b.Status.NodeInfo.BootID {
		t.Error("two nodes share a name, UID, InternalIP or boot ID")
	}
	for k, v := range a.Labels {
		for k2, v2 := range b.Labels {
			if sameStringData(k, k2) || (v != "" && sameStringData(v, v2)) {
				t.Errorf("label %s=%s shares string data with the other node's %s=%s", k, v, k2, v2)
			}
		}
	}
	if sameStringData(a.Status.NodeInfo.KubeletVersion, b.Status.NodeInfo.KubeletVersion) ||
		sameStringData(a.Status.Conditions[3].Message, b.Status.Conditions[3].Message) {
		t.Error("nodeInfo or condition strings are shared between nodes")
	}
}

// sameStringData reports whether two non-empty strings point at the same bytes.
func sameStringData(a, b string) bool {
	return a != "" && b != "" && unsafe.StringData(a) == unsafe.StringData(b)
}
