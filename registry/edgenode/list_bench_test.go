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

package edgenode

import (
	"context"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/fixtures"

	corev1 "k8s.io/api/core/v1"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
)

// benchSizes are the edge node counts the storage benchmarks run at; each adds 5% non-edge Nodes.
var benchSizes = []struct {
	name string
	edge int
}{
	{name: "10k", edge: 10_000},
	{name: "100k", edge: 100_000},
}

// benchZone is the zone the label-selector benchmarks select: 1/fixtures.Zones of the nodes.
var benchZone = fixtures.Zone(3)

// storageFixture is a synced view and, as the baseline, a client-go indexer holding the EdgeNode views of the same Nodes.
type storageFixture struct {
	rest    *REST
	indexer cache.Indexer
	edge    int
	// someEdgeName names an edge node in the middle of the range.
	someEdgeName string
}

// currentFixture memoizes the last fixture built, since building the 100k one takes seconds.
// Only one is kept so that a benchmark at one size does not pay GC marking for another's heap.
var currentFixture *storageFixture

// fixtureFor returns the fixture with edge edge Nodes and edge/20 non-edge Nodes, passed
// through the informer transform as the shared informer does.
func fixtureFor(b *testing.B, edge int) *storageFixture {
	if currentFixture != nil && currentFixture.edge == edge {
		return currentFixture
	}
	currentFixture = nil
	runtime.GC()
	view := edgeview.NewCache(edgeview.DefaultHistorySize)
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	transform := informerTransform(view)
	add := func(node *corev1.Node) {
		obj, err := transform(node)
		if err != nil {
			b.Fatal(err)
		}
		if err := indexer.Add(edgeview.FromNode(node)); err != nil {
			b.Fatal(err)
		}
		view.OnAdd(obj, true)
	}
	rv := 0
	for i := range edge {
		rv++
		add(fixtures.RealisticNode(i, true, rv, fixtures.Ready))
		if i%20 == 19 {
			rv++
			add(fixtures.RealisticNode(i/20, false, rv, fixtures.Ready))
		}
	}
	view.MarkSynced(strconv.Itoa(rv))
	if view.Len() != edge || len(indexer.ListKeys()) != edge+edge/20 {
		b.Fatalf("fixture holds %d edge nodes and %d nodes, want %d and %d", view.Len(), len(indexer.ListKeys()), edge, edge+edge/20)
	}
	f := &storageFixture{rest: NewREST(view, nil), indexer: indexer, edge: edge, someEdgeName: fixtures.NodeName(edge/2, true)}
	currentFixture = f
	return f
}

// informerTransform is the transform cmd/edgewatcher-apiserver/app/config.go installs on the Node
// informer that feeds view. The benchmarks store only what it returns, so they follow the
// server when the transform changes (today it needs no view).
func informerTransform(view *edgeview.Cache) cache.TransformFunc { return view.Transform }

// edgeSelector is what a client that lists edge nodes from a Node informer selects.
var edgeSelector = labels.SelectorFromSet(labels.Set{edgeview.EdgeRoleLabel: ""})

// BenchmarkList lists edgenodes through the REST storage with no selector, a label
// selector matching 10% and a metadata.name field selector. The baseline lists the EdgeNode
// views of the same Nodes from a client-go indexer with cache.ListAll, selecting edge nodes and
// the same labels or name; it neither sorts nor copies, nor builds EdgeNodes from the view's
// compact entries, which REST.List must do.
// x-baseline is ns/op over the baseline's; ns/node divides ns/op by the stored edge nodes.
func BenchmarkList(b *testing.B) {
	defer quietKlog()()
	ctx := context.Background()
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			f := fixtureFor(b, size.edge)
			zoneSelector := labels.SelectorFromSet(labels.Set{"topology.kubernetes.io/zone": benchZone})
			edgeInZone := labels.SelectorFromSet(labels.Set{edgeview.EdgeRoleLabel: "", "topology.kubernetes.io/zone": benchZone})
			cases := []struct {
				name     string
				opts     *metainternalversion.ListOptions
				selector labels.Selector
				keep     func(metav1.Object) bool
				want     int
			}{
				{name: "all", opts: &metainternalversion.ListOptions{}, selector: edgeSelector, want: f.edge},
				{name: "label", opts: &metainternalversion.ListOptions{LabelSelector: zoneSelector}, selector: edgeInZone, want: f.edge / fixtures.Zones},
				{
					name:     "name",
					opts:     &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", f.someEdgeName)},
					selector: edgeSelector,
					keep:     func(n metav1.Object) bool { return n.GetName() == f.someEdgeName },
					want:     1,
				},
			}
			for _, tc := range cases {
				b.Run(tc.name, func(b *testing.B) {
					baseline := func() int {
						var out []metav1.Object
						err := cache.ListAll(f.indexer, tc.selector, func(obj interface{}) {
							if n := obj.(metav1.Object); tc.keep == nil || tc.keep(n) {
								out = append(out, n)
							}
						})
						if err != nil {
							b.Fatal(err)
						}
						return len(out)
					}
					ours := func() int {
						obj, err := f.rest.List(ctx, tc.opts)
						if err != nil {
							b.Fatal(err)
						}
						return len(obj.(*kubeedge.EdgeNodeList).Items)
					}
					if got, base := ours(), baseline(); got != tc.want || base != tc.want {
						b.Fatalf("List returns %d items and the baseline %d, want %d", got, base, tc.want)
					}
					compareWithBaseline(b, "client-go-indexer", baseline, ours, func(b *testing.B, nsPerOp float64) {
						b.ReportMetric(nsPerOp/float64(f.edge), "ns/node")
					})
				})
			}
		})
	}
}

// BenchmarkGet gets one edgenode through the REST storage; the baseline is GetByKey on the client-go indexer.
func BenchmarkGet(b *testing.B) {
	defer quietKlog()()
	ctx := context.Background()
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			f := fixtureFor(b, size.edge)
			baseline := func() bool {
				_, ok, err := f.indexer.GetByKey(f.someEdgeName)
				if err != nil {
					b.Fatal(err)
				}
				return ok
			}
			ours := func() bool {
				_, err := f.rest.Get(ctx, f.someEdgeName, &metav1.GetOptions{})
				if err != nil {
					b.Fatal(err)
				}
				return true
			}
			if !baseline() || !ours() {
				b.Fatalf("%s not found", f.someEdgeName)
			}
			compareWithBaseline(b, "client-go-indexer", baseline, ours, nil)
		})
	}
}

// BenchmarkConvertToTable prints a list of 10k edgenodes as kubectl get asks for it.
// The baseline is the generic registry's default table (name and age) of the same list;
// ns/row divides ns/op by the rows printed.
func BenchmarkConvertToTable(b *testing.B) {
	defer quietKlog()()
	ctx := context.Background()
	f := fixtureFor(b, 10_000)
	obj, err := f.rest.List(ctx, &metainternalversion.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rows := len(obj.(*kubeedge.EdgeNodeList).Items)
	generic := rest.NewDefaultTableConvertor(kubeedge.Resource("edgenodes"))
	table := func(c rest.TableConvertor) func() int {
		return func() int {
			t, err := c.ConvertToTable(ctx, obj, nil)
			if err != nil {
				b.Fatal(err)
			}
			return len(t.Rows)
		}
	}
	baseline, ours := table(generic), table(f.rest)
	if got, base := ours(), baseline(); got != rows || base != rows {
		b.Fatalf("tables have %d and %d rows, want %d", got, base, rows)
	}
	b.Run("10k", func(b *testing.B) {
		compareWithBaseline(b, "default-table-convertor", baseline, ours, func(b *testing.B, nsPerOp float64) {
			b.ReportMetric(nsPerOp/float64(rows), "ns/row")
		})
	})
}

// compareWithBaseline benchmarks baseline and ours as sibling sub-benchmarks, named
// baselineName and "edgenodes", and reports ours' ns/op as a ratio of the baseline's
// (x-baseline). When -bench filters the baseline out, it is timed by hand for
// fallbackBaselineTime (testing.Benchmark cannot nest in a running benchmark), so the
// ratio is always against the same run. report, if not nil, adds metrics to either
// sub-benchmark from its ns/op.
func compareWithBaseline[T any](b *testing.B, baselineName string, baseline, ours func() T, report func(b *testing.B, nsPerOp float64)) {
	var baselineNs float64
	b.Run(baselineName, func(b *testing.B) {
		for b.Loop() {
			baseline()
		}
		baselineNs = nsPerOp(b)
		if report != nil {
			report(b, baselineNs)
		}
	})
	b.Run("edgenodes", func(b *testing.B) {
		for b.Loop() {
			ours()
		}
		ns := nsPerOp(b)
		if baselineNs == 0 {
			start, n := time.Now(), 0
			for ; time.Since(start) < fallbackBaselineTime; n++ {
				baseline()
			}
			baselineNs = float64(time.Since(start).Nanoseconds()) / float64(n)
		}
		b.ReportMetric(ns/baselineNs, "x-baseline")
		if report != nil {
			report(b, ns)
		}
	})
}

// fallbackBaselineTime is how long compareWithBaseline times a baseline whose sub-benchmark was filtered out.
const fallbackBaselineTime = time.Second

// quietKlog silences klog, which logs every Cache sync into the benchmark table, until the returned restore runs.
func quietKlog() (restore func()) {
	state := klog.CaptureState()
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	return state.Restore
}

// nsPerOp is the mean time of one iteration of a finished b.Loop.
func nsPerOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

// BenchmarkListPaged compares a paged list with the unpaged list of the same view, as kubectl get asks for it
// (limit=500): the time and the bytes allocated for the first page, and for every page of a whole paged walk.
// The baseline is one unpaged List; x-baseline is ns/op over the baseline's and x-baseline-B is B/op over its B/op.
func BenchmarkListPaged(b *testing.B) {
	defer quietKlog()()
	ctx := context.Background()
	const limit = 500
	sizes := append([]struct {
		name string
		edge int
	}{{name: "1k", edge: 1_000}}, benchSizes...)
	for _, size := range sizes {
		b.Run(size.name, func(b *testing.B) {
			f := fixtureFor(b, size.edge)
			list := func(opts *metainternalversion.ListOptions) *kubeedge.EdgeNodeList {
				obj, err := f.rest.List(ctx, opts)
				if err != nil {
					b.Fatal(err)
				}
				return obj.(*kubeedge.EdgeNodeList)
			}
			unpaged := func() int { return len(list(&metainternalversion.ListOptions{}).Items) }
			firstPage := func() int { return len(list(&metainternalversion.ListOptions{Limit: limit}).Items) }
			allPages := func() int {
				n, opts := 0, &metainternalversion.ListOptions{Limit: limit}
				for {
					l := list(opts)
					n += len(l.Items)
					if l.Continue == "" {
						return n
					}
					opts.Continue = l.Continue
				}
			}
			if got, first, all := unpaged(), firstPage(), allPages(); got != f.edge || first != min(limit, f.edge) || all != f.edge {
				b.Fatalf("unpaged %d, first page %d, all pages %d, want %d", got, first, all, f.edge)
			}
			var baseNs, baseBytes float64
			b.Run("unpaged", func(b *testing.B) {
				baseNs, baseBytes = measureLoop(b, unpaged)
			})
			for _, tc := range []struct {
				name string
				fn   func() int
			}{{"first-page", firstPage}, {"all-pages", allPages}} {
				b.Run(tc.name, func(b *testing.B) {
					ns, bytes := measureLoop(b, tc.fn)
					if baseNs == 0 {
						b.Skip("the unpaged baseline was filtered out")
					}
					b.ReportMetric(ns/baseNs, "x-baseline")
					b.ReportMetric(bytes/baseBytes, "x-baseline-B")
				})
			}
		})
	}
}

// measureLoop runs fn in b.Loop with allocations reported, and returns its ns/op and allocated B/op.
func measureLoop(b *testing.B, fn func() int) (nsOp, bytesOp float64) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		fn()
	}
	runtime.ReadMemStats(&after)
	return nsPerOp(b), float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)
}
