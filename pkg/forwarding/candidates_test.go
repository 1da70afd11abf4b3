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
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestCandidates checks Candidates on the cases where it differs from Compute: an IP claimed by another edge
// node, a cloud node, cloudcore or this host still yields candidates; the other checks still apply.
func TestCandidates(t *testing.T) {
	in := Input{
		EdgeNodes: []EdgeNode{
			edge("a", 10351, "10.1.0.1"),
			edge("b", 10351, "10.1.0.1"),                        // same destination as a: both
			edge("c", 10352, "10.1.0.3"),                        // a cloud node's IP: a candidate
			edge("d", 10351, "10.1.0.4", "ExternalIP=10.1.0.9"), // unique
			edge("e", 10351, "10.1.0.9"),                        // d's ExternalIP: a candidate
			edge("f", 10351, "10.0.0.10"),                       // this host's IP: a candidate
			edge("g", 10351, "127.0.0.1"),                       // special: never
			edge("h", 10351),                                    // no InternalIP: never
			edge("i", 10353, "fd01::9"),                         // family mismatch with its cloudcore: never
		},
		OtherNodes: []Node{other("m1", "10.1.0.3")},
		Globals: Globals{
			HostAddresses: []netip.Addr{netip.MustParseAddr("10.0.0.10")},
			TunnelPorts:   record(t, `{"ipTunnelPort":{"10.0.0.2":10351,"10.0.0.3":10352,"10.0.0.4":10353}}`),
		},
	}
	var got []string
	for _, r := range Candidates(in) {
		got = append(got, r.String())
	}
	want := []string{
		"a 10.1.0.1:10351->10.0.0.2:10003",
		"b 10.1.0.1:10351->10.0.0.2:10003",
		"c 10.1.0.3:10352->10.0.0.3:10003",
		"d 10.1.0.4:10351->10.0.0.2:10003",
		"e 10.1.0.9:10351->10.0.0.2:10003",
		"f 10.0.0.10:10351->10.0.0.2:10003",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("Candidates:\n got %q\nwant %q", got, want)
	}
}

// TestCandidatesCoverCompute checks on random inputs, with names listed twice, that Candidates holds every rule
// of Compute.
func TestCandidatesCoverCompute(t *testing.T) {
	ips := []string{"", "127.0.0.1", "10.0.0.2", "fd01::1", "fd01::2", "10.1.0.01", "::ffff:10.1.0.7"}
	for i := range 40 {
		ips = append(ips, fmt.Sprintf("10.1.0.%d", i))
	}
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 5))
		pick := func() string { return ips[rng.IntN(len(ips))] }
		in := Input{
			Globals: Globals{
				DefaultTarget: netip.MustParseAddr("10.0.0.9"),
				TunnelPorts:   record(t, `{"ipTunnelPort":{"10.0.0.2":10351,"10.0.0.3":10352,"fd00::2":10353}}`),
				ExtraPorts:    [][]uint16{nil, {10250}}[seed%2],
				HostAddresses: []netip.Addr{netip.MustParseAddr("10.1.0.3")},
			},
		}
		for range 30 {
			n := EdgeNode{Name: fmt.Sprintf("e%d", rng.IntN(25)), InternalIP: pick(), KubeletPort: []int32{10350, 10351, 10352, 10353, 0}[rng.IntN(5)]}
			n.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: n.InternalIP}, {Type: corev1.NodeExternalIP, Address: pick()}}
			in.EdgeNodes = append(in.EdgeNodes, n)
		}
		in.OtherNodes = []Node{other("m", pick())}
		cands := Candidates(in)
		rules := Compute(in).Rules
		if len(rules) == 0 {
			t.Fatalf("seed %d: Compute returned no rules", seed)
		}
		for _, r := range rules {
			if !slices.Contains(cands, r) {
				t.Fatalf("seed %d: Compute's rule %s is not a candidate; candidates %v", seed, r, cands)
			}
		}
	}
}
