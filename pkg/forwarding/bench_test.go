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

package forwarding

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// benchInput builds n edge nodes spread over three cloudcores (a tenth still on the unnegotiated port), each with
// an InternalIP, an ExternalIP and a Hostname, plus 10 cloud nodes and one duplicate IP.
func benchInput(b *testing.B, n int) Input {
	b.Helper()
	in := Input{
		Globals: Globals{
			TunnelPorts:   record(b, `{"ipTunnelPort":{"10.0.0.2":10351,"10.0.0.3":10352,"10.0.0.4":10353}}`),
			DefaultTarget: netip.MustParseAddr("10.0.0.9"),
			ExtraPorts:    []uint16{10250},
			HostAddresses: []netip.Addr{netip.MustParseAddr("10.0.0.10")},
		},
	}
	for i := range 10 {
		in.OtherNodes = append(in.OtherNodes, other(fmt.Sprintf("master-%d", i), fmt.Sprintf("10.0.1.%d", i+1)))
	}
	in.EdgeNodes = make([]EdgeNode, n)
	for i := range n {
		ip := netip.AddrFrom4([4]byte{10, byte(64 + i>>16), byte(i >> 8), byte(i)}).String()
		ext := netip.AddrFrom4([4]byte{172, byte(16 + i>>16), byte(i >> 8), byte(i)}).String()
		port := int32(10351 + i%3)
		if i%10 == 0 {
			port = UnnegotiatedPort
		}
		in.EdgeNodes[i] = EdgeNode{
			Name: fmt.Sprintf("edge-%06d", i), InternalIP: ip, KubeletPort: port,
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: ip},
				{Type: corev1.NodeExternalIP, Address: ext},
				{Type: corev1.NodeHostName, Address: fmt.Sprintf("edge-%06d", i)},
			},
		}
	}
	in.EdgeNodes[n-1].InternalIP = in.EdgeNodes[0].InternalIP
	return in
}

// BenchmarkCompute computes the set for 1k, 10k and 100k edge nodes; ns/node staying flat shows linear cost.
func BenchmarkCompute(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			in := benchInput(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			var set Set
			for b.Loop() {
				set = Compute(in)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/node")
			if want := 2 * (n - 2); len(set.Rules) != want || len(set.Conflicts) != 2 {
				b.Fatalf("got %d rules and %d conflicts, want %d and 2", len(set.Rules), len(set.Conflicts), want)
			}
		})
	}
}

// BenchmarkTrackerUpdate measures one edge node changing its IP and the Flush that follows, with n edge nodes
// tracked, against Compute over the same n in the same run (x-faster-than-compute). Its cost must not grow with n.
func BenchmarkTrackerUpdate(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			in := benchInput(b, n)
			tr := NewTracker()
			tr.SetGlobals(in.Globals)
			for _, o := range in.OtherNodes {
				tr.SetOtherNode(o)
			}
			for _, e := range in.EdgeNodes {
				tr.SetEdgeNode(e)
			}
			tr.Flush()
			computeStart := time.Now()
			want := Compute(in)
			compute := time.Since(computeStart)
			if got := len(tr.Rules()); got != len(want.Rules) {
				b.Fatalf("tracker has %d rules, Compute %d", got, len(want.Rules))
			}
			moving := in.EdgeNodes[1]
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				ip := netip.AddrFrom4([4]byte{10, 200, byte(i >> 8), byte(i)}).String()
				moving.InternalIP = ip
				moving.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}}
				tr.SetEdgeNode(moving)
				if d := tr.Flush(); len(d.Added) != 2 || len(d.Removed) != 2 {
					b.Fatalf("delta %+v", d)
				}
				i++
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per.Nanoseconds())/1000, "µs/update")
			b.ReportMetric(float64(compute)/float64(per), "x-faster-than-compute")
		})
	}
}

// BenchmarkTrackerHeap reports the live heap a Tracker holds for 100k edge nodes beyond their input, against
// the input itself in the same run (x-input).
func BenchmarkTrackerHeap(b *testing.B) {
	const n = 100_000
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for b.Loop() {
		before := heap()
		in := benchInput(b, n)
		withInput := heap()
		tr := NewTracker()
		tr.SetGlobals(in.Globals)
		tr.Reserve(n)
		for _, e := range in.EdgeNodes {
			tr.SetEdgeNode(e)
		}
		tr.Settle()
		after := heap()
		runtime.KeepAlive(in)
		if len(tr.Rules()) == 0 {
			b.Fatal("no rules")
		}
		b.ReportMetric(float64(after-withInput)/n, "B/node")
		b.ReportMetric(float64(after-withInput)/float64(withInput-before), "x-input")
	}
}

// BenchmarkCandidates measures Candidates at 100k edge nodes against Compute over the same input in the same
// run (x-faster-than-compute): the syncer's first sync waits for it before the kernel's sets start filling.
func BenchmarkCandidates(b *testing.B) {
	const n = 100_000
	in := benchInput(b, n)
	start := time.Now()
	Compute(in)
	compute := time.Since(start)
	b.ReportAllocs()
	b.ResetTimer()
	var rules []Rule
	for b.Loop() {
		rules = Candidates(in)
	}
	b.ReportMetric(float64(compute.Nanoseconds())/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "x-faster-than-compute")
	if want := 2 * n; len(rules) != want {
		b.Fatalf("got %d candidates, want %d", len(rules), want)
	}
}
