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

func TestParseLegacyRule(t *testing.T) {
	const (
		legacy4    = "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j DNAT --to-destination 192.168.1.10:30003"
		metrics4   = "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10250 -j DNAT --to-destination 192.168.1.10:30003"
		noTCPMatch = "-A OUTPUT -d 10.1.0.5/32 -p tcp --dport 10350 -j DNAT --to-destination 10.0.0.2:10003"
		legacy6    = "-A OUTPUT -d fd01::5/128 -p tcp -m tcp --dport 10250 -j DNAT --to-destination [fd00::1]:10003"
	)
	v4, v6 := forwarding.IPv4, forwarding.IPv6
	tests := []struct {
		name     string
		family   forwarding.Family
		line     string
		wantDst  string // empty: not a legacy rule
		wantTo   string
		wantSpec string
	}{
		// The old agent's rules, as iptables-nft and iptables-legacy list them.
		{"log port", v4, legacy4, "10.1.0.5:10350", "192.168.1.10:30003",
			"-d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j DNAT --to-destination 192.168.1.10:30003"},
		{"metrics port", v4, metrics4, "10.1.0.5:10250", "192.168.1.10:30003",
			"-d 10.1.0.5/32 -p tcp -m tcp --dport 10250 -j DNAT --to-destination 192.168.1.10:30003"},
		{"without -m tcp", v4, noTCPMatch, "10.1.0.5:10350", "10.0.0.2:10003",
			"-d 10.1.0.5/32 -p tcp --dport 10350 -j DNAT --to-destination 10.0.0.2:10003"},
		{"extra blanks", v4, "  -A OUTPUT  -d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j DNAT --to-destination 10.0.0.2:10003 ",
			"10.1.0.5:10350", "10.0.0.2:10003", "-d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j DNAT --to-destination 10.0.0.2:10003"},
		{"IPv6", v6, legacy6, "[fd01::5]:10250", "[fd00::1]:10003",
			"-d fd01::5/128 -p tcp -m tcp --dport 10250 -j DNAT --to-destination [fd00::1]:10003"},

		// Look-alikes that belong to somebody else.
		{"policy line", v4, "-P OUTPUT ACCEPT", "", "", ""},
		{"empty", v4, "", "", "", ""},
		{"other port", v4, strings.Replace(legacy4, "10350", "10351", 1), "", "", ""},
		{"tunnel port 10004", v4, strings.Replace(legacy4, "10350", "10004", 1), "", "", ""},
		{"port with leading zero", v4, strings.Replace(legacy4, "10350", "010350", 1), "", "", ""},
		{"port range", v4, strings.Replace(legacy4, "10350", "10350:10351", 1), "", "", ""},
		{"negated port", v4, strings.Replace(legacy4, "--dport", "! --dport", 1), "", "", ""},
		{"multiport", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m multiport --dports 10350 -j DNAT --to-destination 192.168.1.10:30003", "", "", ""},
		{"multiport list", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m multiport --dports 10350,10250 -j DNAT --to-destination 192.168.1.10:30003", "", "", ""},
		{"source port", v4, strings.Replace(legacy4, "--dport", "--sport", 1), "", "", ""},
		{"source port too", v4, strings.Replace(legacy4, "--dport 10350", "--sport 1000 --dport 10350", 1), "", "", ""},
		{"udp", v4, strings.ReplaceAll(legacy4, "tcp", "udp"), "", "", ""},
		{"sctp protocol tcp match", v4, strings.Replace(legacy4, "-p tcp", "-p sctp", 1), "", "", ""},
		{"no protocol", v4, "-A OUTPUT -d 10.1.0.5/32 -j DNAT --to-destination 192.168.1.10:30003", "", "", ""},
		{"no destination (KubeEdge's manual rule)", v4, "-A OUTPUT -p tcp -m tcp --dport 10350 -j DNAT --to-destination 10.0.0.2:10003", "", "", ""},
		{"destination subnet", v4, strings.Replace(legacy4, "/32", "/24", 1), "", "", ""},
		{"destination /31", v4, strings.Replace(legacy4, "/32", "/31", 1), "", "", ""},
		{"destination without prefix", v4, strings.Replace(legacy4, "/32", "", 1), "", "", ""},
		{"negated destination", v4, strings.Replace(legacy4, "-d", "! -d", 1), "", "", ""},
		{"source address", v4, strings.Replace(legacy4, "-d 10.1.0.5/32", "-s 10.9.0.1/32 -d 10.1.0.5/32", 1), "", "", ""},
		{"source instead of destination", v4, strings.Replace(legacy4, "-d ", "-s ", 1), "", "", ""},
		{"input interface", v4, strings.Replace(legacy4, "-p tcp", "-i eth0 -p tcp", 1), "", "", ""},
		{"output interface", v4, strings.Replace(legacy4, "-p tcp", "-o lo -p tcp", 1), "", "", ""},
		{"comment", v4, strings.Replace(legacy4, "-j", `-m comment --comment "edge-watcher" -j`, 1), "", "", ""},
		{"comment first", v4, strings.Replace(legacy4, "-p tcp -m tcp --dport 10350", `-p tcp -m comment --comment x -m tcp --dport 10350`, 1), "", "", ""},
		{"mark match", v4, strings.Replace(legacy4, "-j", "-m mark --mark 0x1 -j", 1), "", "", ""},
		{"set match", v4, strings.Replace(legacy4, "-j", "-m set --match-set foo dst,dst -j", 1), "", "", ""},
		{"PREROUTING", v4, strings.Replace(legacy4, "OUTPUT", "PREROUTING", 1), "", "", ""},
		{"POSTROUTING", v4, strings.Replace(legacy4, "OUTPUT", "POSTROUTING", 1), "", "", ""},
		{"user chain", v4, strings.Replace(legacy4, "OUTPUT", "TUNNEL-PORT", 1), "", "", ""},
		{"our chain", v4, strings.Replace(legacy4, "OUTPUT", ChainName, 1), "", "", ""},
		{"lower-case chain", v4, strings.Replace(legacy4, "OUTPUT", "output", 1), "", "", ""},
		{"insert form", v4, strings.Replace(legacy4, "-A", "-I", 1), "", "", ""},
		{"new chain line", v4, "-N OUTPUT", "", "", ""},
		{"KUBE-SERVICES jump", v4, `-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`, "", "", ""},
		{"KUBE jump with destination", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j KUBE-MARK-MASQ", "", "", ""},
		{"KUBE-SEP DNAT", v4, "-A KUBE-SEP-ABCDEF -p tcp -m comment --comment \"default/x\" -m tcp -j DNAT --to-destination 10.0.0.2:10003", "", "", ""},
		{"our jump", v4, "-A OUTPUT -m comment --comment edgewatcher-forwarding -j EDGEWATCHER-FWD", "", "", ""},
		{"our rule", v4, "-A OUTPUT -p tcp -m set --match-set ewfwd4-1423c6a139e1cfa8 dst,dst -j DNAT --to-destination 10.0.0.2:10003", "", "", ""},
		{"goto", v4, strings.Replace(legacy4, "-j DNAT", "-g DNAT", 1), "", "", ""},
		{"SNAT", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j SNAT --to-source 192.168.1.10:30003", "", "", ""},
		{"MASQUERADE", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j MASQUERADE", "", "", ""},
		{"REDIRECT", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j REDIRECT --to-ports 10003", "", "", ""},
		{"ACCEPT", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j ACCEPT", "", "", ""},
		{"RETURN", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -j RETURN", "", "", ""},
		{"DNAT without port", v4, strings.Replace(legacy4, "192.168.1.10:30003", "192.168.1.10", 1), "", "", ""},
		{"DNAT port zero", v4, strings.Replace(legacy4, ":30003", ":0", 1), "", "", ""},
		{"DNAT address range", v4, strings.Replace(legacy4, "192.168.1.10:30003", "192.168.1.10-192.168.1.11:30003", 1), "", "", ""},
		{"DNAT port range", v4, strings.Replace(legacy4, ":30003", ":30003-30004", 1), "", "", ""},
		{"DNAT to a name", v4, strings.Replace(legacy4, "192.168.1.10:30003", "cloudcore:30003", 1), "", "", ""},
		{"DNAT --random", v4, legacy4 + " --random", "", "", ""},
		{"DNAT --persistent", v4, legacy4 + " --persistent", "", "", ""},
		{"two targets", v4, legacy4 + " --to-destination 192.168.1.11:30003", "", "", ""},
		{"no target address", v4, strings.TrimSuffix(legacy4, " 192.168.1.10:30003"), "", "", ""},
		{"no jump", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10350", "", "", ""},
		{"options reordered", v4, "-A OUTPUT -p tcp -m tcp --dport 10350 -d 10.1.0.5/32 -j DNAT --to-destination 192.168.1.10:30003", "", "", ""},
		{"duplicate destination", v4, strings.Replace(legacy4, "-p tcp", "-d 10.1.0.6/32 -p tcp", 1), "", "", ""},
		{"IPv6 destination in iptables", v4, legacy6, "", "", ""},
		{"IPv4 rule in ip6tables", v6, legacy4, "", "", ""},
		{"IPv4-mapped destination", v6, strings.Replace(legacy6, "fd01::5/128", "::ffff:10.1.0.5/128", 1), "", "", ""},
		{"IPv6 to IPv4 target", v6, strings.Replace(legacy6, "[fd00::1]:10003", "10.0.0.2:10003", 1), "", "", ""},
		{"IPv4 to IPv6 target", v4, strings.Replace(legacy4, "192.168.1.10:30003", "[fd00::1]:10003", 1), "", "", ""},
		{"IPv6 subnet", v6, strings.Replace(legacy6, "/128", "/64", 1), "", "", ""},
		{"IPv6 target without brackets", v6, strings.Replace(legacy6, "[fd00::1]:10003", "fd00::1:10003", 1), "", "", ""},
		{"with counters", v4, "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10350 -c 1 60 -j DNAT --to-destination 192.168.1.10:30003", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, spec, ok := parseLegacyRule(tt.family, tt.line)
			if tt.wantDst == "" {
				if ok {
					t.Fatalf("parseLegacyRule(%v, %q) = %+v, spec %q; want no match", tt.family, tt.line, r, spec)
				}
				return
			}
			if !ok {
				t.Fatalf("parseLegacyRule(%v, %q) did not match", tt.family, tt.line)
			}
			want := LegacyRule{
				Family:      tt.family,
				Destination: netip.MustParseAddrPort(tt.wantDst),
				Target:      netip.MustParseAddrPort(tt.wantTo),
				Rule:        strings.Join(strings.Fields(tt.line), " "),
			}
			if r != want {
				t.Errorf("rule = %+v, want %+v", r, want)
			}
			if got := strings.Join(spec, " "); got != tt.wantSpec {
				t.Errorf("spec = %q, want %q", got, tt.wantSpec)
			}
			if !slices.Equal(strings.Fields("-A OUTPUT "+tt.wantSpec), strings.Fields(tt.line)) {
				t.Errorf("the deletion spec is not the listed rule")
			}
		})
	}
}
