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

package dataplane_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// plantedRule is a rule the legacy test adds with `iptables -t <table> <args>`; listed is how iptables-save shows
// it when it is one of the old agent's, empty for a look-alike that must survive.
type plantedRule struct {
	table  string
	args   []string
	listed string
}

// legacyV4 is an old agent's rule added exactly as its go-iptables call did: -p TCP, then --dport, then -d.
func legacyV4(dst, port, to string) plantedRule {
	return plantedRule{
		table:  "nat",
		args:   []string{"-A", "OUTPUT", "-p", "TCP", "--dport", port, "-d", dst, "-j", "DNAT", "--to-destination", to},
		listed: "-A OUTPUT -d " + dst + "/32 -p tcp -m tcp --dport " + port + " -j DNAT --to-destination " + to,
	}
}

// lookAlike is somebody else's rule.
func lookAlike(table string, args ...string) plantedRule {
	return plantedRule{table: table, args: args}
}

// TestKernelRemoveLegacyRules plants the old EdgeWatcher agent's rules among look-alikes in a namespace where
// EdgeWatcher already forwards, runs RemoveLegacyRules, and checks that exactly the old agent's rules are gone and
// that every table of both families is otherwise identical, line for line. It runs with iptables-nft and, when
// installed, iptables-legacy.
func TestKernelRemoveLegacyRules(t *testing.T) {
	dnat := func(args ...string) []string {
		return append(append([]string{"-A", "OUTPUT"}, args...), "-j", "DNAT", "--to-destination", "192.168.1.10:30003")
	}
	shape := []string{"-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350"}
	v4 := []plantedRule{
		lookAlike("nat", "-N", "KUBE-SERVICES"),
		lookAlike("nat", "-N", "KUBE-MARK-MASQ"),
		lookAlike("nat", "-N", "TUNNEL-PORT"),
		lookAlike("nat", "-A", "OUTPUT", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES"),
		// Identical but for a target option, and before the old rule: deleting by specification must not take it.
		lookAlike("nat", append(dnat(shape...), "--persistent")...),
		legacyV4("10.1.0.5", "10350", "192.168.1.10:30003"),
		lookAlike("nat", append(dnat(shape...), "--random")...),
		lookAlike("nat", dnat(append(slices.Clone(shape), "-m", "comment", "--comment", "edge-watcher")...)...),
		lookAlike("nat", dnat("-d", "10.1.0.5/32", "-p", "tcp", "-m", "comment", "--comment", "hand-made", "--dport", "10350")...),
		legacyV4("10.1.0.5", "10250", "192.168.1.10:30003"),
		lookAlike("nat", dnat("-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10351")...),
		lookAlike("nat", dnat("-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350:10351")...),
		lookAlike("nat", dnat("-d", "10.1.0.5/32", "-p", "tcp", "!", "--dport", "10350")...),
		lookAlike("nat", dnat("-d", "10.1.0.5/32", "-p", "tcp", "-m", "multiport", "--dports", "10350,10250")...),
		lookAlike("nat", dnat("-d", "10.1.0.5/32", "-p", "tcp", "--sport", "10350")...),
		lookAlike("nat", dnat("-d", "10.1.0.5/32", "-p", "udp", "--dport", "10350")...),
		lookAlike("nat", dnat("-d", "10.1.0.0/24", "-p", "tcp", "--dport", "10350")...),
		lookAlike("nat", dnat("!", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350")...),
		lookAlike("nat", dnat("-s", "10.9.0.1/32", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350")...),
		lookAlike("nat", dnat("-o", "lo", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350")...),
		lookAlike("nat", dnat("-p", "tcp", "--dport", "10350")...), // KubeEdge's documented manual rule
		lookAlike("nat", "-A", "OUTPUT", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350", "-j", "DNAT", "--to-destination", "192.168.1.10"),
		lookAlike("nat", "-A", "OUTPUT", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350", "-j", "DNAT", "--to-destination", "192.168.1.10-192.168.1.11:30003"),
		lookAlike("nat", "-A", "OUTPUT", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350", "-j", "DNAT", "--to-destination", "192.168.1.10:30003-30004"),
		lookAlike("nat", "-A", "OUTPUT", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350", "-j", "REDIRECT", "--to-ports", "10003"),
		lookAlike("nat", "-A", "OUTPUT", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350", "-j", "KUBE-MARK-MASQ"),
		lookAlike("nat", "-A", "OUTPUT", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350", "-j", "RETURN"),
		// The old rules for a second node, one of them duplicated, as the agent could leave them.
		legacyV4("10.1.0.6", "10350", "10.0.0.2:10003"),
		legacyV4("10.1.0.6", "10250", "10.0.0.2:10003"),
		legacyV4("10.1.0.6", "10350", "10.0.0.2:10003"),
		// The same shape outside nat OUTPUT.
		lookAlike("nat", append([]string{"-A", "PREROUTING"}, dnat(shape...)[2:]...)...),
		lookAlike("nat", append([]string{"-A", "TUNNEL-PORT"}, dnat(shape...)[2:]...)...),
		lookAlike("nat", "-A", "TUNNEL-PORT", "-p", "tcp", "--dport", "10351", "-j", "DNAT", "--to-destination", "10.0.0.2:10003"),
		lookAlike("nat", "-A", "POSTROUTING", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350", "-j", "SNAT", "--to-source", "192.168.1.10:30003"),
		lookAlike("nat", "-A", "POSTROUTING", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350", "-j", "MASQUERADE"),
		lookAlike("filter", "-A", "OUTPUT", "-d", "10.1.0.5/32", "-p", "tcp", "--dport", "10350", "-j", "ACCEPT"),
	}
	v6 := []plantedRule{
		{table: "nat", args: []string{"-A", "OUTPUT", "-p", "TCP", "--dport", "10250", "-d", "fd01::5", "-j", "DNAT", "--to-destination", "[fd00::1]:10003"},
			listed: "-A OUTPUT -d fd01::5/128 -p tcp -m tcp --dport 10250 -j DNAT --to-destination [fd00::1]:10003"},
		lookAlike("nat", "-A", "OUTPUT", "-d", "fd01::/64", "-p", "tcp", "--dport", "10250", "-j", "DNAT", "--to-destination", "[fd00::1]:10003"),
		lookAlike("nat", "-A", "OUTPUT", "-d", "fd01::5/128", "-p", "tcp", "--dport", "10351", "-j", "DNAT", "--to-destination", "[fd00::1]:10003"),
		lookAlike("nat", "-A", "OUTPUT", "-d", "fd01::5/128", "-p", "tcp", "--dport", "10250", "-j", "DNAT", "--to-destination", "[fd00::1]:10003", "--persistent"),
	}
	for _, b := range backends(t) {
		t.Run(b.String(), func(t *testing.T) {
			k := newKernel(t, b)
			k.apply([]forwarding.Rule{rule("e1", "10.1.0.1:10351", "10.0.0.2:10003"), rule("v6", "[fd01::1]:10353", "[fd00::2]:10003")})
			for _, p := range v4 {
				k.run(append([]string{b.backend.Command(forwarding.IPv4), "-w", "-t", p.table}, k.planted(p)...)...)
			}
			for _, p := range v6 {
				k.run(append([]string{b.backend.Command(forwarding.IPv6), "-w", "-t", p.table}, k.planted(p)...)...)
			}
			before4, before6 := k.save(forwarding.IPv4), k.save(forwarding.IPv6)
			want4, legacy4 := withoutLegacy(t, before4, v4)
			want6, legacy6 := withoutLegacy(t, before6, v6)

			// An IPv4-only dataplane leaves ip6tables alone.
			removed := k.removeLegacy(k.newNetfilterFamilies(forwarding.IPv4))
			if got := ruleStrings(removed); !slices.Equal(got, legacy4) {
				t.Errorf("IPv4-only: removed\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(legacy4, "\n  "))
			}
			k.assertSaved("IPv4-only: iptables", k.save(forwarding.IPv4), want4)
			k.assertSaved("IPv4-only: ip6tables", k.save(forwarding.IPv6), before6)

			removed = k.removeLegacy(k.nf)
			if got := ruleStrings(removed); !slices.Equal(got, legacy6) {
				t.Errorf("both families: removed\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(legacy6, "\n  "))
			}
			if len(removed) == 1 && (removed[0].Family != forwarding.IPv6 || removed[0].Destination.String() != "[fd01::5]:10250" ||
				removed[0].Target.String() != "[fd00::1]:10003") {
				t.Errorf("removed %+v", removed[0])
			}
			k.assertSaved("iptables", k.save(forwarding.IPv4), want4)
			k.assertSaved("ip6tables", k.save(forwarding.IPv6), want6)

			if removed := k.removeLegacy(k.nf); len(removed) != 0 {
				t.Errorf("a second pass removed %q", ruleStrings(removed))
			}
			k.assertSaved("second pass: iptables", k.save(forwarding.IPv4), want4)
			// EdgeWatcher's own state is untouched: the next Apply has nothing to do.
			if st := k.apply([]forwarding.Rule{rule("e1", "10.1.0.1:10351", "10.0.0.2:10003"), rule("v6", "[fd01::1]:10353", "[fd00::2]:10003")}); st.Changed() {
				t.Errorf("Apply after the legacy cleanup changed the kernel: %+v", st)
			}
		})
	}
}

// newNetfilterFamilies creates a Netfilter for some families inside the namespace.
func (k *kernel) newNetfilterFamilies(families ...forwarding.Family) *dataplane.Netfilter {
	k.t.Helper()
	return k.newNetfilterWith(dataplane.Config{Families: families})
}

// planted returns the arguments that plant p: as given in a real kernel, which lists the old agent's rules in
// their canonical form; as listed in the fake, which keeps rules as they are written.
func (k *kernel) planted(p plantedRule) []string {
	if k.fake != nil && p.listed != "" {
		return strings.Fields(p.listed)
	}
	return p.args
}

// removeLegacy runs nf.RemoveLegacyRules inside the namespace.
func (k *kernel) removeLegacy(nf *dataplane.Netfilter) []dataplane.LegacyRule {
	k.t.Helper()
	var removed []dataplane.LegacyRule
	if err := k.do(func() error {
		var err error
		removed, err = nf.RemoveLegacyRules(context.Background())
		return err
	}); err != nil {
		k.t.Fatalf("RemoveLegacyRules: %v", err)
	}
	return removed
}

// save returns the whole `iptables-save` of family f (every table) without comments and with zeroed counters.
func (k *kernel) save(f forwarding.Family) []string {
	k.t.Helper()
	var out []string
	for line := range strings.Lines(k.run(k.backend.Command(f) + "-save")) {
		line = strings.TrimRight(line, "\n")
		if !strings.HasPrefix(line, "#") {
			out = append(out, counters.ReplaceAllString(line, "[0:0]"))
		}
	}
	return out
}

// assertSaved compares two iptables-save listings line by line.
func (k *kernel) assertSaved(what string, got, want []string) {
	k.t.Helper()
	if !slices.Equal(got, want) {
		k.t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// withoutLegacy returns the listing without the planted old agent's rules, and those rules in listing order. It
// fails the test when a planted rule is not listed as expected, or when a look-alike is listed like an old rule.
func withoutLegacy(t *testing.T, saved []string, planted []plantedRule) (rest, legacy []string) {
	t.Helper()
	want := map[string]int{}
	for _, p := range planted {
		if p.listed != "" {
			want[p.listed]++
		}
	}
	got := map[string]int{}
	for _, line := range saved {
		if want[line] > 0 {
			got[line]++
			legacy = append(legacy, line)
			continue
		}
		rest = append(rest, line)
	}
	for line, n := range want {
		if got[line] != n {
			t.Fatalf("iptables-save lists %q %d times, want %d (the planted rules are wrong)", line, got[line], n)
		}
	}
	return rest, legacy
}

// ruleStrings returns the rules as listed.
func ruleStrings(rs []dataplane.LegacyRule) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Rule
	}
	return out
}
