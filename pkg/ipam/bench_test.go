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

package ipam

import (
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The benchmarks compare the Index with two baselines measured in the same run:
//   - naive: the first thing one would write, a mutex-guarded map[string][]owner keyed by the address text;
//   - linear: what the old EdgeWatcher did, scanning every Node and comparing its first InternalIP as a string.
// Figures are meant to be read as ratios between the rows of one run.

// benchNodes returns n Nodes with 3 addresses each: an InternalIP counting up from 10.0.0.1, an ExternalIP in
// 172.16.0.0/12 and an IPv6 InternalIP, like dual-stack edge nodes with a public address.
func benchNodes(n int) []*corev1.Node {
	nodes := make([]*corev1.Node, n)
	for i := range n {
		v4 := addU32(netip.MustParseAddr("10.0.0.1"), uint32(i))
		ext := addU32(netip.MustParseAddr("172.16.0.1"), uint32(i))
		v6 := netip.AddrFrom16([16]byte{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
		nodes[i] = &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "edge-" + strconv.Itoa(i)},
			Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: v4.String()},
				{Type: corev1.NodeExternalIP, Address: ext.String()},
				{Type: corev1.NodeInternalIP, Address: v6.String()},
				{Type: corev1.NodeHostName, Address: "edge-" + strconv.Itoa(i)},
			}},
		}
	}
	return nodes
}

// addU32 returns the IPv4 address n above a.
func addU32(a netip.Addr, n uint32) netip.Addr {
	r, _ := addOffset(a, uint64(n))
	return r
}

// naiveOwner is the baseline's owner record.
type naiveOwner struct{ kind, name, addrType string }

// naiveIndex is the baseline: address text → owners, and owner → address texts for replacement.
type naiveIndex struct {
	mu      sync.RWMutex
	byAddr  map[string][]naiveOwner
	byOwner map[string][]string
}

func newNaiveIndex() *naiveIndex {
	return &naiveIndex{byAddr: map[string][]naiveOwner{}, byOwner: map[string][]string{}}
}

func (n *naiveIndex) setNode(node *corev1.Node) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, a := range n.byOwner[node.Name] {
		n.byAddr[a] = slices.DeleteFunc(n.byAddr[a], func(o naiveOwner) bool { return o.name == node.Name })
		if len(n.byAddr[a]) == 0 {
			delete(n.byAddr, a)
		}
	}
	var mine []string
	for _, na := range node.Status.Addresses {
		a, ok := ParseRecorded(na.Address)
		if !ok {
			continue
		}
		s := a.String()
		mine = append(mine, s)
		n.byAddr[s] = append(n.byAddr[s], naiveOwner{"Node", node.Name, string(na.Type)})
	}
	n.byOwner[node.Name] = mine
}

func (n *naiveIndex) isTaken(a netip.Addr) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return len(n.byAddr[a.String()]) > 0
}

// linearTaken is the old EdgeWatcher check: scan all Nodes, compare the first InternalIP as a raw string.
func linearTaken(nodes []*corev1.Node, ip string) bool {
	for _, n := range nodes {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				if a.Address == ip {
					return true
				}
				break
			}
		}
	}
	return false
}

// heapMB returns the live heap in MB after a full collection.
func heapMB() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// BenchmarkIndexBuild indexes n Nodes from scratch and reports the retained heap of the result.
func BenchmarkIndexBuild(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		nodes := benchNodes(n)
		b.Run(fmt.Sprintf("impl=index/nodes=%d", n), func(b *testing.B) {
			var mb float64
			for b.Loop() {
				b.StopTimer()
				before := heapMB()
				b.StartTimer()
				x := NewIndex()
				for _, nd := range nodes {
					x.SetNode(nd)
				}
				b.StopTimer()
				mb = heapMB() - before
				runtime.KeepAlive(x)
				b.StartTimer()
			}
			b.ReportMetric(mb, "MB")
		})
		b.Run(fmt.Sprintf("impl=naive-string-map/nodes=%d", n), func(b *testing.B) {
			var mb float64
			for b.Loop() {
				b.StopTimer()
				before := heapMB()
				b.StartTimer()
				x := newNaiveIndex()
				for _, nd := range nodes {
					x.setNode(nd)
				}
				b.StopTimer()
				mb = heapMB() - before
				runtime.KeepAlive(x)
				b.StartTimer()
			}
			b.ReportMetric(mb, "MB")
		})
	}
}

// BenchmarkIndexSetNodeUnchanged is the steady state: a Node status heartbeat with the same addresses.
func BenchmarkIndexSetNodeUnchanged(b *testing.B) {
	nodes := benchNodes(100_000)
	x, nv := NewIndex(), newNaiveIndex()
	for _, nd := range nodes {
		x.SetNode(nd)
		nv.setNode(nd)
	}
	b.Run("impl=index/nodes=100000", func(b *testing.B) {
		i := 0
		for b.Loop() {
			x.SetNode(nodes[i%len(nodes)])
			i++
		}
	})
	b.Run("impl=naive-string-map/nodes=100000", func(b *testing.B) {
		i := 0
		for b.Loop() {
			nv.setNode(nodes[i%len(nodes)])
			i++
		}
	})
}

// BenchmarkIndexIsTaken answers "is this IP in use?" for a mix of taken and free addresses.
func BenchmarkIndexIsTaken(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		nodes := benchNodes(n)
		x, nv := NewIndex(), newNaiveIndex()
		for _, nd := range nodes {
			x.SetNode(nd)
			nv.setNode(nd)
		}
		probes := make([]netip.Addr, 1024)
		for i := range probes {
			probes[i] = addU32(netip.MustParseAddr("10.0.0.1"), uint32(i*(2*n)/len(probes))) // half taken
		}
		b.Run(fmt.Sprintf("impl=index/nodes=%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				_ = x.IsTaken(probes[i%len(probes)])
				i++
			}
		})
		b.Run(fmt.Sprintf("impl=naive-string-map/nodes=%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				_ = nv.isTaken(probes[i%len(probes)])
				i++
			}
		})
		b.Run(fmt.Sprintf("impl=linear-scan/nodes=%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				_ = linearTaken(nodes, probes[i%len(probes)].String())
				i++
			}
		})
	}
}

// BenchmarkIndexOwners returns the holders of a taken address, as an error message needs.
func BenchmarkIndexOwners(b *testing.B) {
	nodes := benchNodes(100_000)
	x := NewIndex()
	for _, nd := range nodes {
		x.SetNode(nd)
	}
	probe := netip.MustParseAddr("10.0.200.1")
	for b.Loop() {
		if len(x.Owners(probe)) != 1 {
			b.Fatal("expected one owner")
		}
	}
}

// BenchmarkLowestFree allocates from 10.0.0.0/8 whose first `taken` host addresses are in use.
func BenchmarkLowestFree(b *testing.B) {
	ps := mustPools(b, "10.0.0.0/8")
	for _, taken := range []int{0, 1_000, 100_000} {
		nodes := benchNodes(taken)
		x, nv := NewIndex(), newNaiveIndex()
		sorted := make([]netip.Addr, 0, 3*taken)
		for _, nd := range nodes {
			x.SetNode(nd)
			nv.setNode(nd)
			sorted = append(sorted, NodeAddresses(nd)...)
		}
		sortAddrs(sorted)
		want := addU32(netip.MustParseAddr("10.0.0.1"), uint32(taken))
		check := func(b *testing.B, got netip.Addr, err error) {
			if err != nil || got != want {
				b.Fatalf("got %v, %v; want %v", got, err, want)
			}
		}
		b.Run(fmt.Sprintf("impl=linear-index/taken=%d", taken), func(b *testing.B) {
			for b.Loop() {
				got, err := ps.LowestFree(x.IsTaken)
				check(b, got, err)
			}
		})
		b.Run(fmt.Sprintf("impl=linear-naive-string-map/taken=%d", taken), func(b *testing.B) {
			for b.Loop() {
				got, err := ps.LowestFree(nv.isTaken)
				check(b, got, err)
			}
		})
		b.Run(fmt.Sprintf("impl=index-frontier-cold/taken=%d", taken), func(b *testing.B) {
			for b.Loop() {
				clear(x.pools) // as after a restart: the first call walks the taken prefix
				got, err := x.LowestFree(ps, nil)
				check(b, got, err)
			}
		})
		b.Run(fmt.Sprintf("impl=index-frontier-warm/taken=%d", taken), func(b *testing.B) {
			for b.Loop() {
				got, err := x.LowestFree(ps, nil)
				check(b, got, err)
			}
		})
		b.Run(fmt.Sprintf("impl=sorted-binary-search/taken=%d", taken), func(b *testing.B) {
			for b.Loop() {
				got, err := ps.LowestFreeSorted(sorted)
				check(b, got, err)
			}
		})
	}
}

// BenchmarkLowestFreeChurn is the steady state of a busy cluster: a node leaves, freeing a low address, and the
// next reservation takes it, then a new allocation is made at the top of the pool; 100k addresses stay taken.
func BenchmarkLowestFreeChurn(b *testing.B) {
	const taken = 100_000
	ps := mustPools(b, "10.0.0.0/8")
	nodes := benchNodes(taken)
	x, nv := NewIndex(), newNaiveIndex()
	for _, nd := range nodes {
		x.SetNode(nd)
		nv.setNode(nd)
	}
	b.Run("impl=index-frontier", func(b *testing.B) {
		i := 0
		for b.Loop() {
			nd := nodes[(i*7919)%taken]
			x.RemoveNode(nd.Name)
			got, err := x.LowestFree(ps, nil)
			if err != nil || got.String() != nd.Status.Addresses[0].Address {
				b.Fatalf("got %v, %v; want the freed %s", got, err, nd.Status.Addresses[0].Address)
			}
			x.SetNode(nd)
			i++
		}
	})
	b.Run("impl=linear-naive-string-map", func(b *testing.B) {
		i := 0
		for b.Loop() {
			nd := nodes[(i*7919)%taken]
			nv.mu.Lock()
			delete(nv.byAddr, nd.Status.Addresses[0].Address)
			nv.mu.Unlock()
			got, err := ps.LowestFree(nv.isTaken)
			if err != nil || got.String() != nd.Status.Addresses[0].Address {
				b.Fatalf("got %v, %v; want the freed %s", got, err, nd.Status.Addresses[0].Address)
			}
			nv.setNode(nd)
			i++
		}
	})
}

// BenchmarkSortSnapshot is the cost of the sorted snapshot LowestFreeSorted needs, to weigh against its gain.
func BenchmarkSortSnapshot(b *testing.B) {
	nodes := benchNodes(100_000)
	var all []netip.Addr
	for _, nd := range nodes {
		all = append(all, NodeAddresses(nd)...)
	}
	buf := make([]netip.Addr, len(all))
	for b.Loop() {
		copy(buf, all)
		sortAddrs(buf)
	}
}
