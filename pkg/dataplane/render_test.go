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
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

func TestRenderChain(t *testing.T) {
	v4 := targetSet{family: forwarding.IPv4, target: netip.MustParseAddrPort("10.0.0.2:10003"), name: "ewfwd4-1423c6a139e1cfa8"}
	v6 := targetSet{family: forwarding.IPv6, target: netip.MustParseAddrPort("[fd00::2]:10003"), name: "ewfwd6-1f274130f72515e2"}
	tests := []struct {
		name        string
		sets        []targetSet
		wantLines   []string
		wantRestore string
	}{
		{
			name:        "empty chain",
			wantLines:   []string{"-N EDGEWATCHER-FWD"},
			wantRestore: "*nat\n:EDGEWATCHER-FWD - [0:0]\nCOMMIT\n",
		},
		{
			name: "IPv4",
			sets: []targetSet{v4},
			wantLines: []string{"-N EDGEWATCHER-FWD",
				"-A EDGEWATCHER-FWD -p tcp -m set --match-set ewfwd4-1423c6a139e1cfa8 dst,dst -j DNAT --to-destination 10.0.0.2:10003"},
			wantRestore: "*nat\n:EDGEWATCHER-FWD - [0:0]\n" +
				"-A EDGEWATCHER-FWD -p tcp -m set --match-set ewfwd4-1423c6a139e1cfa8 dst,dst -j DNAT --to-destination 10.0.0.2:10003\nCOMMIT\n",
		},
		{
			name: "IPv6 brackets the target",
			sets: []targetSet{v6},
			wantLines: []string{"-N EDGEWATCHER-FWD",
				"-A EDGEWATCHER-FWD -p tcp -m set --match-set ewfwd6-1f274130f72515e2 dst,dst -j DNAT --to-destination [fd00::2]:10003"},
			wantRestore: "*nat\n:EDGEWATCHER-FWD - [0:0]\n" +
				"-A EDGEWATCHER-FWD -p tcp -m set --match-set ewfwd6-1f274130f72515e2 dst,dst -j DNAT --to-destination [fd00::2]:10003\nCOMMIT\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := chainLines(tt.sets); !slices.Equal(got, tt.wantLines) {
				t.Errorf("chainLines:\n got %q\nwant %q", got, tt.wantLines)
			}
			if got := string(restoreInput(tt.sets)); got != tt.wantRestore {
				t.Errorf("restoreInput:\n got %q\nwant %q", got, tt.wantRestore)
			}
		})
	}
	if got, want := jumpLine("OUTPUT"), "-A OUTPUT -m comment --comment edgewatcher-forwarding -j EDGEWATCHER-FWD"; got != want {
		t.Errorf("jumpLine = %q, want %q", got, want)
	}
}

func TestIPSetScript(t *testing.T) {
	ts := targetSet{
		family: forwarding.IPv6, target: netip.MustParseAddrPort("[fd00::2]:10003"), name: "ewfwd6-x",
		entries: []netip.AddrPort{netip.MustParseAddrPort("[fd01::1]:10351"), netip.MustParseAddrPort("[fd01::2]:10250")},
	}
	tests := []struct {
		name  string
		build func(s *ipsetScript)
		want  string
	}{
		{"rebuild swaps a filled temporary set in", func(s *ipsetScript) { s.rebuild(ts, setMaxElem) },
			"create ewfwd6-x hash:ip,port family inet6 hashsize 1024 maxelem 4194304\n" +
				"create ewfwd6-x-tmp hash:ip,port family inet6 hashsize 1024 maxelem 4194304\n" +
				"flush ewfwd6-x-tmp\nadd ewfwd6-x-tmp fd01::1,10351\nadd ewfwd6-x-tmp fd01::2,10250\n" +
				"swap ewfwd6-x-tmp ewfwd6-x\ndestroy ewfwd6-x-tmp\n"},
		{"increments", func(s *ipsetScript) {
			s.add("ewfwd4-y", netip.MustParseAddrPort("10.1.0.1:10351"))
			s.del("ewfwd4-y", netip.MustParseAddrPort("10.1.0.2:10351"))
		}, "add ewfwd4-y 10.1.0.1,10351\ndel ewfwd4-y 10.1.0.2,10351\n"},
		{"IPv4 create", func(s *ipsetScript) { s.create("ewfwd4-y", forwarding.IPv4, 100_000, setMaxElem) },
			"create ewfwd4-y hash:ip,port family inet hashsize 32768 maxelem 4194304\n"},
		{"declare keeps an existing set's maxelem and fill adds to the set itself", func(s *ipsetScript) {
			s.declare(ts, 65536)
			s.fill(ts)
		}, "create ewfwd6-x hash:ip,port family inet6 hashsize 1024 maxelem 65536\n" +
			"add ewfwd6-x fd01::1,10351\nadd ewfwd6-x fd01::2,10250\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s ipsetScript
			tt.build(&s)
			if s.String() != tt.want {
				t.Errorf("script:\n got %q\nwant %q", s.String(), tt.want)
			}
		})
	}
}

func TestHashSize(t *testing.T) {
	tests := []struct{ n, want int }{{0, 1024}, {4096, 1024}, {4100, 2048}, {100_000, 32768}, {1 << 30, 1 << 20}}
	for _, tt := range tests {
		if got := hashSize(tt.n); got != tt.want {
			t.Errorf("hashSize(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}
