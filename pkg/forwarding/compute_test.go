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
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
)

// edge builds an EdgeNode whose InternalIP is the first of ips and whose status lists every ip as InternalIP,
// except entries written "ExternalIP=x", which are listed as ExternalIP.
func edge(name string, port int32, ips ...string) EdgeNode {
	n := EdgeNode{Name: name, KubeletPort: port, Addresses: addresses(ips...)}
	if len(ips) > 0 && !strings.Contains(ips[0], "=") {
		n.InternalIP = ips[0]
	}
	return n
}

// other builds a non-edge Node.
func other(name string, ips ...string) Node {
	return Node{Name: name, Addresses: addresses(ips...)}
}

// addresses turns "ip" into an InternalIP entry and "Type=ip" into an entry of that type.
func addresses(ips ...string) []corev1.NodeAddress {
	out := make([]corev1.NodeAddress, 0, len(ips))
	for _, s := range ips {
		typ, ip, ok := strings.Cut(s, "=")
		if !ok {
			typ, ip = string(corev1.NodeInternalIP), s
		}
		out = append(out, corev1.NodeAddress{Type: corev1.NodeAddressType(typ), Address: ip})
	}
	return out
}

// record parses a tunnel-port record for the tests.
func record(t testing.TB, js string) *cloudcore.TunnelPortRecord {
	t.Helper()
	r, err := cloudcore.ParseTunnelPortRecord([]byte(js))
	if err != nil {
		t.Fatalf("ParseTunnelPortRecord: %v", err)
	}
	return r
}

// render flattens a Set into comparable lines: rules as Rule.String, conflicts as "node ip reason [others]".
func render(s Set) (rules, conflicts []string) {
	for _, r := range s.Rules {
		rules = append(rules, r.String())
	}
	for _, c := range s.Conflicts {
		line := c.Node + " " + c.IP.String() + " " + string(c.Reason)
		if len(c.Others) > 0 {
			line += " [" + joinOwners(c.Others) + "]"
		}
		conflicts = append(conflicts, line)
	}
	return rules, conflicts
}

func TestCompute(t *testing.T) {
	addr := netip.MustParseAddr
	twoCores := `{"ipTunnelPort":{"10.0.0.2":10351,"10.0.0.3":10352,"fd00::2":10353},"port":{"10351":true,"10352":true,"10353":true}}`
	tests := []struct {
		name          string
		in            Input
		record        string
		wantRules     []string
		wantConflicts []string
	}{
		{
			name:      "no record: default target",
			in:        Input{EdgeNodes: []EdgeNode{edge("e1", 10351, "10.1.0.1")}, Globals: Globals{DefaultTarget: addr("10.0.0.9")}},
			wantRules: []string{"e1 10.1.0.1:10351->10.0.0.9:10003"},
		},
		{
			name: "record picks the owner; 10350 and unknown ports use the default",
			in: Input{EdgeNodes: []EdgeNode{
				edge("e1", 10351, "10.1.0.1"), edge("e2", 10352, "10.1.0.2"),
				edge("e3", 10350, "10.1.0.3"), edge("e4", 10360, "10.1.0.4"),
			}, Globals: Globals{DefaultTarget: addr("10.0.0.9")}},
			record: twoCores,
			wantRules: []string{
				"e1 10.1.0.1:10351->10.0.0.2:10003", "e2 10.1.0.2:10352->10.0.0.3:10003",
				"e3 10.1.0.3:10350->10.0.0.9:10003", "e4 10.1.0.4:10360->10.0.0.9:10003",
			},
		},
		{
			name: "extra ports, deduplicated against the kubelet port, and a custom stream port",
			in: Input{EdgeNodes: []EdgeNode{edge("e1", 10351, "10.1.0.1"), edge("e2", 10250, "10.1.0.2")},
				Globals: Globals{DefaultTarget: addr("10.0.0.9"), StreamPort: 20003, ExtraPorts: []uint16{10250, 0, 10250}}},
			record: twoCores,
			wantRules: []string{
				"e1 10.1.0.1:10250->10.0.0.2:20003", "e1 10.1.0.1:10351->10.0.0.2:20003",
				"e2 10.1.0.2:10250->10.0.0.9:20003",
			},
		},
		{
			name: "IPv6 edge with an IPv6 owner; IPv4 sorts first",
			in: Input{EdgeNodes: []EdgeNode{edge("v6", 10353, "FD01:0::1"), edge("v4", 10351, "10.1.0.1")},
				Globals: Globals{DefaultTarget: addr("10.0.0.9")}},
			record:    twoCores,
			wantRules: []string{"v4 10.1.0.1:10351->10.0.0.2:10003", "v6 [fd01::1]:10353->[fd00::2]:10003"},
		},
		{
			name:          "family mismatch between edge and owner is reported",
			in:            Input{EdgeNodes: []EdgeNode{edge("v6", 10351, "fd01::1"), edge("v4", 10353, "10.1.0.1")}},
			record:        twoCores,
			wantConflicts: []string{"v4 10.1.0.1 TargetFamilyMismatch", "v6 fd01::1 TargetFamilyMismatch"},
		},
		{
			name: "a special owner IP is not a target",
			in: Input{EdgeNodes: []EdgeNode{edge("e1", 10351, "10.1.0.1"), edge("e2", 10350, "10.1.0.2")},
				Globals: Globals{DefaultTarget: addr("127.0.0.1")}},
			record:        `{"ipTunnelPort":{"0.0.0.0":10351}}`,
			wantConflicts: []string{"e1 10.1.0.1 InvalidTarget", "e2 10.1.0.2 InvalidTarget"},
		},
		{
			name:          "no owner and no default target",
			in:            Input{EdgeNodes: []EdgeNode{edge("e1", 10350, "10.1.0.1")}},
			record:        twoCores,
			wantConflicts: []string{"e1 10.1.0.1 NoTarget"},
		},
		{
			name: "two edge nodes share an IP: neither is forwarded",
			in: Input{EdgeNodes: []EdgeNode{edge("b", 10351, "10.1.0.1"), edge("a", 10351, "10.1.0.1"), edge("c", 10351, "10.1.0.3")},
				Globals: Globals{DefaultTarget: addr("10.0.0.9")}},
			wantRules: []string{"c 10.1.0.3:10351->10.0.0.9:10003"},
			wantConflicts: []string{
				"a 10.1.0.1 DuplicateIP [Node b (InternalIP)]",
				"b 10.1.0.1 DuplicateIP [Node a (InternalIP)]",
			},
		},
		{
			name: "edge IP is another edge node's ExternalIP and a cloud node's address",
			in: Input{
				EdgeNodes: []EdgeNode{
					edge("e1", 10351, "10.1.0.1"),
					edge("e2", 10351, "10.1.0.2", "ExternalIP=10.1.0.1"),
					edge("e3", 10351, "10.1.0.3"),
				},
				OtherNodes: []Node{other("master", "10.1.0.3", "ExternalIP=203.0.113.1")},
				Globals: Globals{
					DefaultTarget: addr("10.0.0.9"),
				},
			},
			wantRules: []string{"e2 10.1.0.2:10351->10.0.0.9:10003"},
			wantConflicts: []string{
				"e1 10.1.0.1 DuplicateIP [Node e2 (ExternalIP)]",
				"e3 10.1.0.3 DuplicateIP [Node master (InternalIP)]",
			},
		},
		{
			name:          "a sloppy recorded address still claims its IP",
			in:            Input{EdgeNodes: []EdgeNode{edge("e1", 10351, "10.1.0.1")}, OtherNodes: []Node{other("old", " 010.001.000.001 ")}, Globals: Globals{DefaultTarget: addr("10.0.0.9")}},
			wantConflicts: []string{"e1 10.1.0.1 DuplicateIP [Node old (InternalIP)]"},
		},
		{
			name: "a node listing its IP twice does not conflict with itself",
			in: Input{EdgeNodes: []EdgeNode{edge("e1", 10351, "10.1.0.1", "ExternalIP=10.1.0.1", "Hostname=10.1.0.1")},
				Globals: Globals{DefaultTarget: addr("10.0.0.9")}},
			wantRules: []string{"e1 10.1.0.1:10351->10.0.0.9:10003"},
		},
		{
			name: "cloudcore addresses, record IPs and the default target are never forwarded",
			in: Input{
				EdgeNodes: []EdgeNode{
					edge("cc", 10351, "10.0.0.5"), edge("rec", 10351, "10.0.0.3"),
					edge("def", 10351, "10.0.0.9"), edge("ok", 10351, "10.1.0.1"),
				},
				Globals: Globals{
					CloudCoreAddresses: []netip.Addr{addr("10.0.0.5")},
					DefaultTarget:      addr("10.0.0.9"),
				},
			},
			record:    twoCores,
			wantRules: []string{"ok 10.1.0.1:10351->10.0.0.2:10003"},
			wantConflicts: []string{
				"cc 10.0.0.5 CloudCoreIP [CloudCore cloudcore]",
				"def 10.0.0.9 CloudCoreIP [CloudCore default-target]",
				"rec 10.0.0.3 CloudCoreIP [CloudCore kubeedge/tunnelport (TunnelPort 10352)]",
			},
		},
		{
			name: "a host address wins over other claimants in the reason",
			in: Input{
				EdgeNodes:  []EdgeNode{edge("e1", 10351, "10.1.0.1")},
				OtherNodes: []Node{other("master", "10.1.0.1")},
				Globals: Globals{
					CloudCoreAddresses: []netip.Addr{addr("10.1.0.1")},
					HostName:           "master",
					HostAddresses:      []netip.Addr{addr("::ffff:10.1.0.1")},
					DefaultTarget:      addr("10.0.0.9"),
				},
			},
			wantConflicts: []string{"e1 10.1.0.1 HostIP [Node master (InternalIP), CloudCore cloudcore, Host master]"},
		},
		{
			name: "special addresses",
			in: Input{EdgeNodes: []EdgeNode{
				edge("lo", 10351, "127.0.0.1"), edge("unspec", 10351, "0.0.0.0"), edge("ll", 10351, "169.254.1.1"),
				edge("mc", 10351, "224.0.0.1"), edge("bc", 10351, "255.255.255.255"), edge("lo6", 10351, "::1"),
				edge("ll6", 10351, "fe80::1"), edge("mc6", 10351, "ff05::1"), edge("res", 10351, "240.0.0.1"),
			}, Globals: Globals{DefaultTarget: addr("10.0.0.9")}},
			wantConflicts: []string{
				"bc 255.255.255.255 SpecialIP", "ll 169.254.1.1 SpecialIP", "ll6 fe80::1 SpecialIP",
				"lo 127.0.0.1 SpecialIP", "lo6 ::1 SpecialIP", "mc 224.0.0.1 SpecialIP", "mc6 ff05::1 SpecialIP",
				"res 240.0.0.1 SpecialIP", "unspec 0.0.0.0 SpecialIP",
			},
		},
		{
			name: "missing and malformed InternalIPs are reported, mapped IPv4 is unmapped",
			in: Input{EdgeNodes: []EdgeNode{
				edge("none", 10351), edge("octal", 10351, "010.1.0.1"), edge("space", 10351, "10.1.0.1 "),
				edge("cidr", 10351, "10.1.0.1/32"), edge("zone", 10351, "fe80::1%eth0"),
				edge("mapped", 10351, "::ffff:10.1.0.7"),
			}, Globals: Globals{DefaultTarget: addr("10.0.0.9")}},
			wantRules: []string{"mapped 10.1.0.7:10351->10.0.0.9:10003"},
			wantConflicts: []string{
				"cidr invalid IP InvalidInternalIP", "none invalid IP NoInternalIP", "octal invalid IP InvalidInternalIP",
				"space invalid IP InvalidInternalIP", "zone invalid IP InvalidInternalIP",
			},
		},
		{
			name: "an invalid kubelet port forwards only the extra ports",
			in: Input{EdgeNodes: []EdgeNode{edge("e1", 0, "10.1.0.1"), edge("e2", 70000, "10.1.0.2")},
				Globals: Globals{DefaultTarget: addr("10.0.0.9"), ExtraPorts: []uint16{10250}}},
			wantRules: []string{"e1 10.1.0.1:10250->10.0.0.9:10003", "e2 10.1.0.2:10250->10.0.0.9:10003"},
			wantConflicts: []string{
				"e1 10.1.0.1 InvalidKubeletPort", "e2 10.1.0.2 InvalidKubeletPort",
			},
		},
		{
			name: "a repeated node name is reported and ignored",
			in: Input{EdgeNodes: []EdgeNode{edge("e1", 10351, "10.1.0.1"), edge("e1", 10351, "10.1.0.2")},
				Globals: Globals{DefaultTarget: addr("10.0.0.9")}},
			wantRules:     []string{"e1 10.1.0.1:10351->10.0.0.9:10003"},
			wantConflicts: []string{"e1 invalid IP DuplicateName"},
		},
		{
			name: "an empty input is an empty set",
			in:   Input{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if tt.record != "" {
				in.TunnelPorts = record(t, tt.record)
			}
			rules, conflicts := render(Compute(in))
			if !slices.Equal(rules, tt.wantRules) {
				t.Errorf("rules:\n got %q\nwant %q", rules, tt.wantRules)
			}
			if !slices.Equal(conflicts, tt.wantConflicts) {
				t.Errorf("conflicts:\n got %q\nwant %q", conflicts, tt.wantConflicts)
			}
		})
	}
}

// TestComputeOrderIndependent checks that the result, including who loses a contested IP, does not depend on
// the order of the input.
func TestComputeOrderIndependent(t *testing.T) {
	in := Input{
		EdgeNodes: []EdgeNode{
			edge("a", 10351, "10.1.0.1"), edge("b", 10351, "10.1.0.1"), edge("c", 10352, "10.1.0.3"),
			edge("d", 10350, "fd01::4"), edge("e", 10351, "10.1.0.5", "ExternalIP=10.9.0.1"),
			edge("f", 10351, "10.9.0.1"), edge("g", 10353, "fd01::7"),
		},
		OtherNodes: []Node{other("m1", "10.1.0.3"), other("m2", "10.2.0.1")},
		Globals: Globals{
			DefaultTarget: netip.MustParseAddr("10.0.0.9"),
			ExtraPorts:    []uint16{10250},
			TunnelPorts:   record(t, `{"ipTunnelPort":{"10.0.0.2":10351,"10.0.0.3":10352,"fd00::2":10353}}`),
		},
	}
	wantRules, wantConflicts := render(Compute(in))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := in
		shuffled.EdgeNodes = slices.Clone(in.EdgeNodes)
		rng.Shuffle(len(shuffled.EdgeNodes), func(i, j int) {
			shuffled.EdgeNodes[i], shuffled.EdgeNodes[j] = shuffled.EdgeNodes[j], shuffled.EdgeNodes[i]
		})
		rules, conflicts := render(Compute(shuffled))
		if !slices.Equal(rules, wantRules) || !slices.Equal(conflicts, wantConflicts) {
			t.Fatalf("order changed the result:\n got %q %q\nwant %q %q", rules, conflicts, wantRules, wantConflicts)
		}
	}
}

func TestConflictMessages(t *testing.T) {
	set := Compute(Input{
		EdgeNodes:  []EdgeNode{edge("e1", 10351, "10.1.0.1"), edge("lo", 10351, "127.0.0.1"), edge("v6", 10351, "fd01::1")},
		OtherNodes: []Node{other("m1", "10.1.0.1")},
		Globals: Globals{
			DefaultTarget: netip.MustParseAddr("10.0.0.9"),
		},
	})
	want := map[string]string{
		"e1": "IP address 10.1.0.1 is also claimed by Node m1 (InternalIP)",
		"lo": "IP address 127.0.0.1 is a loopback address",
		"v6": "the default target, 10.0.0.9, is IPv4 but the node's IP is IPv6",
	}
	for _, c := range set.Conflicts {
		if c.Message != want[c.Node] {
			t.Errorf("%s: message %q, want %q", c.Node, c.Message, want[c.Node])
		}
	}
	if len(set.Conflicts) != len(want) {
		t.Errorf("got %d conflicts, want %d: %v", len(set.Conflicts), len(want), set.Conflicts)
	}
}

func TestReasonUniqueness(t *testing.T) {
	tests := []struct {
		reason Reason
		want   bool
	}{
		{ReasonSpecialIP, true}, {ReasonHostIP, true}, {ReasonCloudCoreIP, true}, {ReasonDuplicateIP, true},
		{ReasonNoInternalIP, false}, {ReasonInvalidInternalIP, false}, {ReasonInvalidKubeletPort, false},
		{ReasonNoTarget, false}, {ReasonTargetFamilyMismatch, false}, {ReasonDuplicateName, false},
		{ReasonInvalidTarget, false},
	}
	for _, tt := range tests {
		if got := tt.reason.Uniqueness(); got != tt.want {
			t.Errorf("%s.Uniqueness() = %v, want %v", tt.reason, got, tt.want)
		}
	}
}

func TestFamily(t *testing.T) {
	tests := []struct {
		addr netip.Addr
		want Family
		str  string
	}{
		{netip.MustParseAddr("10.0.0.1"), IPv4, "IPv4"},
		{netip.MustParseAddr("::ffff:10.0.0.1"), IPv4, "IPv4"},
		{netip.MustParseAddr("fd00::1"), IPv6, "IPv6"},
		{netip.Addr{}, 0, "Family(0)"},
	}
	for _, tt := range tests {
		if got := FamilyOf(tt.addr); got != tt.want || got.String() != tt.str {
			t.Errorf("FamilyOf(%v) = %v (%s), want %v (%s)", tt.addr, got, got, tt.want, tt.str)
		}
	}
	r := Rule{Destination: netip.MustParseAddrPort("[fd00::1]:1")}
	if r.Family() != IPv6 {
		t.Errorf("Rule.Family() = %v, want IPv6", r.Family())
	}
}

func TestFromNode(t *testing.T) {
	node := &corev1.Node{}
	node.Name = "e1"
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = 10351
	node.Status.Addresses = []corev1.NodeAddress{
		{Type: corev1.NodeHostName, Address: "e1"},
		{Type: corev1.NodeInternalIP, Address: "10.1.0.1"},
		{Type: corev1.NodeInternalIP, Address: "fd01::1"},
	}
	tests := []struct {
		name string
		node *corev1.Node
		want EdgeNode
	}{
		{"nil", nil, EdgeNode{}},
		{"first InternalIP", node, EdgeNode{Name: "e1", InternalIP: "10.1.0.1", KubeletPort: 10351, Addresses: node.Status.Addresses}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromNode(tt.node)
			if got.Name != tt.want.Name || got.InternalIP != tt.want.InternalIP || got.KubeletPort != tt.want.KubeletPort ||
				!slices.Equal(got.Addresses, tt.want.Addresses) {
				t.Errorf("FromNode = %+v, want %+v", got, tt.want)
			}
		})
	}
}
