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

package dataplane

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// rule builds a rule from "dst" and "target" address:port texts.
func rule(node, dst, target string) forwarding.Rule {
	return forwarding.Rule{Node: node, Destination: netip.MustParseAddrPort(dst), Target: netip.MustParseAddrPort(target)}
}

func TestSetName(t *testing.T) {
	tests := []struct {
		family forwarding.Family
		target string
		want   string
	}{
		{forwarding.IPv4, "10.0.0.2:10003", "ewfwd4-1423c6a139e1cfa8"},
		{forwarding.IPv4, "10.0.0.3:10003", "ewfwd4-50579a6f20b5c0d2"},
		{forwarding.IPv6, "[fd00::2]:10003", "ewfwd6-1f274130f72515e2"},
		{forwarding.IPv6, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", "ewfwd6-e4936d0d9a900bbd"},
	}
	for _, tt := range tests {
		got := setName(tt.family, netip.MustParseAddrPort(tt.target))
		if got != tt.want {
			t.Errorf("setName(%s) = %q, want %q", tt.target, got, tt.want)
		}
		if n := len(tmpSetName(got)); n > 31 {
			t.Errorf("temporary set name %q is %d characters; ipset allows 31", tmpSetName(got), n)
		}
		if familyOfSetName(got) != tt.family || familyOfSetName(tmpSetName(got)) != tt.family {
			t.Errorf("familyOfSetName(%q) = %v, want %v", got, familyOfSetName(got), tt.family)
		}
	}
	for _, foreign := range []string{"KUBE-CLUSTER-IP", "ewfwd", "ewfwd5-x", ""} {
		if f := familyOfSetName(foreign); f != 0 {
			t.Errorf("familyOfSetName(%q) = %v, want 0", foreign, f)
		}
	}
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name    string
		rules   []forwarding.Rule
		want    map[forwarding.Family][]string // "target: entries"
		wantErr string
	}{
		{
			name: "grouped by family and target, sorted, exact duplicates collapsed",
			rules: []forwarding.Rule{
				rule("b", "10.1.0.2:10351", "10.0.0.3:10003"),
				rule("a", "10.1.0.1:10351", "10.0.0.2:10003"),
				rule("a", "10.1.0.1:10250", "10.0.0.2:10003"),
				rule("a", "10.1.0.1:10250", "10.0.0.2:10003"),
				rule("c", "[fd01::1]:10351", "[fd00::2]:10003"),
			},
			want: map[forwarding.Family][]string{
				forwarding.IPv4: {"10.0.0.2:10003: 10.1.0.1:10250 10.1.0.1:10351", "10.0.0.3:10003: 10.1.0.2:10351"},
				forwarding.IPv6: {"[fd00::2]:10003: [fd01::1]:10351"},
			},
		},
		{name: "empty", want: map[forwarding.Family][]string{}},
		{
			name:    "one destination, two targets",
			rules:   []forwarding.Rule{rule("a", "10.1.0.1:1", "10.0.0.2:2"), rule("b", "10.1.0.1:1", "10.0.0.3:2")},
			wantErr: "forwarded to both",
		},
		{name: "family mismatch", rules: []forwarding.Rule{rule("a", "10.1.0.1:1", "[fd00::1]:2")}, wantErr: "different families"},
		{name: "zero port", rules: []forwarding.Rule{rule("a", "10.1.0.1:0", "10.0.0.2:2")}, wantErr: "port 0"},
		{name: "zero target port", rules: []forwarding.Rule{rule("a", "10.1.0.1:1", "10.0.0.2:0")}, wantErr: "port 0"},
		{name: "mapped", rules: []forwarding.Rule{rule("a", "[::ffff:10.1.0.1]:1", "10.0.0.2:2")}, wantErr: "IPv4-mapped"},
		{name: "zone", rules: []forwarding.Rule{rule("a", "[fe80::1%eth0]:1", "[fd00::1]:2")}, wantErr: "zone"},
		{name: "unset", rules: []forwarding.Rule{{Node: "a"}}, wantErr: "not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := plan(tt.rules)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("plan error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			flat := map[forwarding.Family][]string{}
			for f, sets := range got {
				for _, ts := range sets {
					var es []string
					for _, e := range ts.entries {
						es = append(es, e.String())
					}
					if ts.name != setName(f, ts.target) || ts.family != f {
						t.Errorf("set %s: name %s family %v", ts.target, ts.name, ts.family)
					}
					flat[f] = append(flat[f], ts.target.String()+": "+strings.Join(es, " "))
				}
			}
			for f := range tt.want {
				if !slices.Equal(flat[f], tt.want[f]) {
					t.Errorf("%v: got %q, want %q", f, flat[f], tt.want[f])
				}
			}
			if len(flat) != len(tt.want) {
				t.Errorf("families: got %v, want %v", flat, tt.want)
			}
		})
	}
}

func TestDiffSorted(t *testing.T) {
	ap := func(ss ...string) []netip.AddrPort {
		out := []netip.AddrPort{}
		for _, s := range ss {
			out = append(out, netip.MustParseAddrPort(s))
		}
		return out
	}
	tests := []struct {
		name                    string
		have, want, add, remove []netip.AddrPort
	}{
		{"equal", ap("10.0.0.1:1", "10.0.0.2:1"), ap("10.0.0.1:1", "10.0.0.2:1"), ap(), ap()},
		{"from empty", ap(), ap("10.0.0.1:1"), ap("10.0.0.1:1"), ap()},
		{"to empty", ap("10.0.0.1:1"), ap(), ap(), ap("10.0.0.1:1")},
		{"interleaved", ap("10.0.0.1:1", "10.0.0.3:1", "10.0.0.5:1"), ap("10.0.0.2:1", "10.0.0.3:1", "10.0.0.6:1"),
			ap("10.0.0.2:1", "10.0.0.6:1"), ap("10.0.0.1:1", "10.0.0.5:1")},
		{"port differs", ap("10.0.0.1:1"), ap("10.0.0.1:2"), ap("10.0.0.1:2"), ap("10.0.0.1:1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			add, remove := diffSorted(tt.have, tt.want)
			if !slices.Equal(add, tt.add) && len(add)+len(tt.add) > 0 || !slices.Equal(remove, tt.remove) && len(remove)+len(tt.remove) > 0 {
				t.Errorf("diffSorted = +%v -%v, want +%v -%v", add, remove, tt.add, tt.remove)
			}
		})
	}
}
