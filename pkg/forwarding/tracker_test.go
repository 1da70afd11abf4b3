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
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// trackerModel is the input a Tracker was fed, kept as plain maps so Compute can be run on it.
type trackerModel struct {
	globals Globals
	edges   map[string]EdgeNode
	others  map[string]Node
	// kernel is the rule set obtained by applying every Delta in turn, by destination.
	kernel map[netip.AddrPort]Rule
}

// input renders the model as a Compute input, nodes in name order.
func (m *trackerModel) input() Input {
	in := m.globals.Input(nil, nil)
	for _, name := range sortedNames(m.edges) {
		in.EdgeNodes = append(in.EdgeNodes, m.edges[name])
	}
	for _, name := range sortedNames(m.others) {
		in.OtherNodes = append(in.OtherNodes, m.others[name])
	}
	return in
}

// sortedNames returns m's keys in order.
func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// apply applies a delta to the model kernel, failing on an add of a present destination or a removal of an
// absent one, which the dataplane would get wrong.
func (m *trackerModel) apply(t *testing.T, d Delta) {
	t.Helper()
	for _, r := range d.Removed {
		if got, ok := m.kernel[r.Destination]; !ok || got.Target != r.Target {
			t.Fatalf("delta removes %s, which is not programmed (have %v)", r, got)
		}
		delete(m.kernel, r.Destination)
	}
	for _, r := range d.Added {
		if got, ok := m.kernel[r.Destination]; ok {
			t.Fatalf("delta adds %s, but %s is programmed and not removed", r, got)
		}
		m.kernel[r.Destination] = r
	}
}

// check compares the tracker with Compute on the model, and the model kernel with the tracker's rules.
func (m *trackerModel) check(t *testing.T, tr *Tracker, step string) {
	t.Helper()
	want := Compute(m.input())
	wantRules, wantConflicts := render(want)
	gotRules, gotConflicts := render(Set{Rules: tr.Rules(), Conflicts: tr.Conflicts()})
	if !slices.Equal(gotRules, wantRules) || !slices.Equal(gotConflicts, wantConflicts) {
		t.Fatalf("%s: tracker differs from Compute:\nrules     got %q\n          want %q\nconflicts got %q\n          want %q",
			step, gotRules, wantRules, gotConflicts, wantConflicts)
	}
	if !slices.EqualFunc(tr.Conflicts(), want.Conflicts, equalConflict) {
		t.Fatalf("%s: conflict messages differ: got %v want %v", step, tr.Conflicts(), want.Conflicts)
	}
	var kernel []string
	for _, r := range m.kernel {
		kernel = append(kernel, r.Destination.String()+"->"+r.Target.String())
	}
	slices.Sort(kernel)
	var programmed []string
	v4, v6, nodes := 0, 0, map[Family]map[string]bool{IPv4: {}, IPv6: {}}
	for _, r := range want.Rules {
		programmed = append(programmed, r.Destination.String()+"->"+r.Target.String())
		nodes[r.Family()][r.Node] = true
		if r.Family() == IPv4 {
			v4++
		} else {
			v6++
		}
	}
	slices.Sort(programmed)
	if !slices.Equal(kernel, programmed) {
		t.Fatalf("%s: the deltas applied in turn give\n %q\nwant %q", step, kernel, programmed)
	}
	if tr.Entries(IPv4) != v4 || tr.Entries(IPv6) != v6 || tr.ForwardedNodes(IPv4) != len(nodes[IPv4]) || tr.ForwardedNodes(IPv6) != len(nodes[IPv6]) || tr.EdgeNodes() != len(m.edges) ||
		tr.ConflictCount() != len(want.Conflicts) {
		t.Fatalf("%s: counts v4=%d v6=%d forwarded=%d/%d edge=%d conflicts=%d, want %d %d %d/%d %d %d", step, tr.Entries(IPv4), tr.Entries(IPv6),
			tr.ForwardedNodes(IPv4), tr.ForwardedNodes(IPv6), tr.EdgeNodes(), tr.ConflictCount(), v4, v6, len(nodes[IPv4]), len(nodes[IPv6]),
			len(m.edges), len(want.Conflicts))
	}
}

// TestTrackerMatchesCompute drives a Tracker through random node, address, port, role and globals changes over a
// small address space (so conflicts come and go) and checks after every Flush that it equals Compute on the
// same input, and that its deltas, applied in turn, never add a present entry or remove an absent one.
func TestTrackerMatchesCompute(t *testing.T) {
	ips := []string{"10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "fd01::1", "fd01::2", "::ffff:10.1.0.1", "10.1.0.01", "", "127.0.0.1", "10.0.0.2", "10.0.0.9"}
	ports := []int32{10350, 10351, 10352, 10353, 0}
	records := []string{
		"",
		`{"ipTunnelPort":{"10.0.0.2":10351,"10.0.0.3":10352,"fd00::2":10353}}`,
		`{"ipTunnelPort":{"10.0.0.3":10351,"10.1.0.4":10352}}`,
	}
	targets := []string{"", "10.0.0.9", "fd00::9", "127.0.0.1"}
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			pick := func(s []string) string { return s[rng.IntN(len(s))] }
			addrs := func() []corev1.NodeAddress {
				var out []corev1.NodeAddress
				for range rng.IntN(3) {
					typ := []corev1.NodeAddressType{corev1.NodeInternalIP, corev1.NodeExternalIP, corev1.NodeHostName}[rng.IntN(3)]
					out = append(out, corev1.NodeAddress{Type: typ, Address: pick(ips)})
				}
				return out
			}
			m := &trackerModel{edges: map[string]EdgeNode{}, others: map[string]Node{}, kernel: map[netip.AddrPort]Rule{}}
			tr := NewTracker()
			for step := range 150 {
				var did []string
				for range 1 + rng.IntN(3) {
					name := fmt.Sprintf("n%d", rng.IntN(8))
					switch op := rng.IntN(10); {
					case op < 5:
						n := EdgeNode{Name: name, InternalIP: pick(ips), KubeletPort: ports[rng.IntN(len(ports))], Addresses: addrs()}
						if rng.IntN(2) == 0 {
							n.Addresses = append([]corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: n.InternalIP}}, n.Addresses...)
						}
						delete(m.others, name)
						m.edges[name] = n
						tr.SetEdgeNode(n)
						did = append(did, "edge "+name)
					case op < 7:
						n := Node{Name: name, Addresses: addrs()}
						delete(m.edges, name)
						m.others[name] = n
						tr.SetOtherNode(n)
						did = append(did, "other "+name)
					case op < 9:
						delete(m.edges, name)
						delete(m.others, name)
						tr.Delete(name)
						did = append(did, "delete "+name)
					default:
						g := Globals{HostName: "h", ExtraPorts: [][]uint16{nil, {10250}, {10351}}[rng.IntN(3)]}
						if s := pick(targets); s != "" {
							g.DefaultTarget = netip.MustParseAddr(s)
						}
						if s := pick(records); s != "" {
							g.TunnelPorts = record(t, s)
						}
						if rng.IntN(2) == 0 {
							g.HostAddresses = []netip.Addr{netip.MustParseAddr("10.1.0.3")}
						}
						if rng.IntN(2) == 0 {
							g.CloudCoreAddresses = []netip.Addr{netip.MustParseAddr("fd01::2")}
						}
						m.globals = g
						tr.SetGlobals(g)
						did = append(did, "globals")
					}
				}
				if rng.IntN(5) == 0 {
					tr.Settle() // a full program: the kernel becomes Rules
					clear(m.kernel)
					for _, r := range tr.Rules() {
						m.kernel[r.Destination] = r
					}
				} else {
					m.apply(t, tr.Flush())
				}
				m.check(t, tr, fmt.Sprintf("step %d (%s)", step, strings.Join(did, ", ")))
			}
		})
	}
}

// TestTrackerSameNodeIsNoChange checks that setting a node as it is marks nothing, and that a change touches
// only the nodes that share an address with it.
func TestTrackerSameNodeIsNoChange(t *testing.T) {
	tr := NewTracker()
	tr.SetGlobals(Globals{DefaultTarget: netip.MustParseAddr("10.0.0.9")})
	for i := range 100 {
		tr.SetEdgeNode(edge(fmt.Sprintf("e%d", i), 10351, fmt.Sprintf("10.1.0.%d", i+1)))
	}
	if d := tr.Flush(); len(d.Added) != 100 || len(d.Removed) != 0 {
		t.Fatalf("first flush: %d added, %d removed", len(d.Added), len(d.Removed))
	}
	tr.SetEdgeNode(edge("e5", 10351, "10.1.0.6"))
	if len(tr.dirty) != 0 {
		t.Fatalf("setting an unchanged node marked %d nodes", len(tr.dirty))
	}
	tr.SetEdgeNode(edge("e5", 10351, "10.1.0.7"))
	var marked []string
	for _, tn := range tr.dirty {
		marked = append(marked, tn.node.Name)
	}
	if slices.Sort(marked); !slices.Equal(marked, []string{"e5", "e6"}) {
		t.Fatalf("moving e5 onto e6's IP marked %v, want [e5 e6]", marked)
	}
	d := tr.Flush()
	if len(d.Added) != 0 || len(d.Removed) != 2 || !d.ConflictsChanged {
		t.Fatalf("duplicate: %+v", d)
	}
	tr.Delete("e6")
	d = tr.Flush()
	if len(d.Added) != 1 || d.Added[0].Node != "e5" || len(d.Removed) != 0 || !d.ConflictsChanged {
		t.Fatalf("after deleting e6: %+v", d)
	}
}
