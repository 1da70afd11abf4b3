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

package syncer

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"

	dataplanetesting "github.com/edgewatcher/edgewatcher/pkg/dataplane/testing"
)

// BenchmarkSync measures the control loop's own cost per sync with the fake dataplane: one Node changing
// between syncs, as the informer delivers it, with n edge Nodes cached. The first, full sync's cost is reported
// as the baseline (x-faster-than-full). The kernel's share is measured in pkg/dataplane.
func BenchmarkSync(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			dp := dataplanetesting.NewFakeDataplane()
			s, err := New(Config{
				Client:        fake.NewClientset(),
				Dataplane:     dp,
				NodeName:      "cloud-1",
				HostAddresses: []netip.Addr{netip.MustParseAddr(hostIP)},
				Recorder:      &eventLog{},
			})
			if err != nil {
				b.Fatal(err)
			}
			add := func(obj any) {
				var err error
				switch o := obj.(type) {
				case *corev1.Node:
					var trimmed any
					trimmed, _ = slimNodeOf(o)
					err = s.watched.nodeInformer.GetIndexer().Update(trimmed)
					s.changed.add(trimmed)
				case *corev1.ConfigMap:
					err = s.watched.tunnelPortInformer.GetIndexer().Update(o)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			add(tunnelPortCM(twoCloudcores))
			add(cloudNode("cloud-1", hostIP))
			for i := range n {
				ip := netip.AddrFrom4([4]byte{10, byte(64 + i>>16), byte(i >> 8), byte(i)})
				add(edgeNode(fmt.Sprintf("edge-%06d", i), ip.String(), int32(10351+i%2)))
			}
			ctx := context.Background()
			fullStart := time.Now()
			if err := s.sync(ctx); err != nil {
				b.Fatal(err)
			}
			full := time.Since(fullStart)
			if got := len(dp.Rules()); got != n {
				b.Fatalf("%d rules, want %d", got, n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				ip := netip.AddrFrom4([4]byte{10, 200, byte(i >> 8), byte(i)})
				add(edgeNode("edge-000000", ip.String(), 10351))
				i++
				if err := s.sync(ctx); err != nil {
					b.Fatal(err)
				}
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "ms/sync")
			b.ReportMetric(float64(full.Microseconds())/1000, "ms/full-sync")
			b.ReportMetric(float64(full)/float64(per), "x-faster-than-full")
			if got := dp.Applies(); got != 1 {
				b.Fatalf("%d full applies, want only the first", got)
			}
		})
	}
}
