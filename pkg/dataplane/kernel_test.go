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
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// foreignRule is somebody else's rule in nat OUTPUT; EdgeWatcher must leave it alone.
const foreignRule = "-A OUTPUT -d 192.0.2.1/32 -p tcp -m tcp --dport 10350 -j DNAT --to-destination 192.0.2.2:30003"

// TestKernel drives one namespace per backend through a sequence of syncs, drift and cleanup, and after each
// step compares iptables-save and ipset save, line by line, with the state the rules must produce. It runs the
// sequence twice: as configured, and with every fill large enough to overlap the chain writes, which a step
// must do exactly when it adds entries and its chains keep every live rule.
func TestKernel(t *testing.T) {
	base := []forwarding.Rule{
		rule("e1", "10.1.0.1:10351", "10.0.0.2:10003"),
		rule("e1", "10.1.0.1:10250", "10.0.0.2:10003"),
		rule("e2", "10.1.0.2:10352", "10.0.0.3:10003"),
		rule("e3", "10.1.0.3:10351", "10.0.0.2:10003"),
		rule("v6", "[fd01::1]:10353", "[fd00::2]:10003"),
	}
	with := func(rs []forwarding.Rule, extra ...forwarding.Rule) []forwarding.Rule {
		return append(slices.Clone(rs), extra...)
	}
	without := func(rs []forwarding.Rule, node string) []forwarding.Rule {
		return slices.DeleteFunc(slices.Clone(rs), func(r forwarding.Rule) bool { return r.Node == node })
	}
	added := with(base, rule("e4", "10.1.0.4:10352", "10.0.0.3:10003"))
	removed := without(added, "e3")
	moved := with(without(removed, "e4"), rule("e4", "10.1.0.4:10351", "10.0.0.2:10003"))
	retargeted := with(without(moved, "e2"), rule("e2", "10.1.0.2:10352", "10.0.0.4:10003"))

	steps := []kernelStep{
		{overlaps: true, name: "first sync", rules: base, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.SetsRebuilt == 3 && st.ChainsWritten == 2 && st.JumpsInserted == 4 && st.Entries == 5 && st.Targets == 3, st)
		}},
		{name: "same rules again change nothing", rules: base, check: unchanged},
		{overlaps: true, name: "node added", rules: added, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.EntriesAdded == 1 && st.EntriesRemoved == 0 && st.SetsRebuilt == 0 && st.ChainsWritten == 0, st)
		}},
		{name: "node removed", rules: removed, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.EntriesRemoved == 1 && st.EntriesAdded == 0 && st.SetsRebuilt == 0 && st.ChainsWritten == 0, st)
		}},
		{overlaps: true, name: "node moved to another cloudcore", rules: moved, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.EntriesAdded == 1 && st.EntriesRemoved == 1 && st.ChainsWritten == 0, st)
		}},
		{name: "a cloudcore replaced by a new one", rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.SetsRebuilt == 1 && st.ChainsWritten == 1 && st.SetsDestroyed+st.SetsPending == 1, st)
		}},
		{name: "settled", rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
			want(t, !st.Changed() || st.SetsDestroyed == 1 && st.SetsRebuilt == 0 && st.ChainsWritten == 0, st)
		}},
		{name: "our chain flushed", drift: [][]string{{"IPT", "-t", "nat", "-F", dataplane.ChainName}}, rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.ChainsWritten == 1 && st.SetsRebuilt == 0 && st.JumpsInserted == 0, st)
		}},
		{name: "OUTPUT jump deleted", drift: [][]string{{"IPT", "-t", "nat", "-D", "OUTPUT", "-m", "comment", "--comment", dataplane.JumpComment, "-j", dataplane.ChainName}},
			rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
				want(t, st.JumpsInserted == 1 && st.ChainsWritten == 0, st)
			}},
		{name: "PREROUTING jump duplicated", drift: [][]string{{"IPT", "-t", "nat", "-A", "PREROUTING", "-m", "comment", "--comment", dataplane.JumpComment, "-j", dataplane.ChainName}},
			rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
				want(t, st.JumpsRemoved == 1 && st.JumpsInserted == 0, st)
			}},
		{name: "chain and jumps deleted", drift: [][]string{
			{"IPT", "-t", "nat", "-D", "OUTPUT", "-m", "comment", "--comment", dataplane.JumpComment, "-j", dataplane.ChainName},
			{"IPT", "-t", "nat", "-D", "PREROUTING", "-m", "comment", "--comment", dataplane.JumpComment, "-j", dataplane.ChainName},
			{"IPT", "-t", "nat", "-F", dataplane.ChainName}, {"IPT", "-t", "nat", "-X", dataplane.ChainName},
		}, rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.ChainsWritten == 1 && st.JumpsInserted == 2, st)
		}},
		{overlaps: true, name: "a set flushed", drift: [][]string{{"ipset", "flush", dataplane.SetName(forwarding.IPv4, netip.MustParseAddrPort("10.0.0.2:10003"))}},
			rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
				want(t, st.SetsRebuilt == 1 && st.EntriesAdded == 0 && st.ChainsWritten == 0, st)
			}},
		{overlaps: true, name: "a foreign entry added to a set", drift: [][]string{{"ipset", "add", dataplane.SetName(forwarding.IPv4, netip.MustParseAddrPort("10.0.0.2:10003")), "10.9.9.9,tcp:1"}},
			rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
				want(t, st.SetsRebuilt == 1, st)
			}},
		{overlaps: true, name: "a set recreated with another maxelem, as an older version might have", drift: [][]string{
			{"IPT", "-t", "nat", "-F", dataplane.ChainName},
			{"ipset", "destroy", dataplane.SetName(forwarding.IPv4, netip.MustParseAddrPort("10.0.0.2:10003"))},
			{"ipset", "create", dataplane.SetName(forwarding.IPv4, netip.MustParseAddrPort("10.0.0.2:10003")), "hash:ip,port", "maxelem", "65536"},
		}, rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.SetsRebuilt == 1 && st.ChainsWritten == 1 && st.SetsDestroyed == 0, st)
		}},
		{overlaps: true, name: "a set recreated with another type", drift: [][]string{
			{"IPT", "-t", "nat", "-F", dataplane.ChainName},
			{"ipset", "destroy", dataplane.SetName(forwarding.IPv4, netip.MustParseAddrPort("10.0.0.2:10003"))},
			{"ipset", "create", dataplane.SetName(forwarding.IPv4, netip.MustParseAddrPort("10.0.0.2:10003")), "hash:ip"},
		}, rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.SetsRebuilt == 1 && st.ChainsWritten == 1, st)
		}},
		{name: "restart: every set read back with ipset save, nothing to change", fresh: true, rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.SetsRead == 3 && !st.Changed(), st)
		}},
		{overlaps: true, name: "restart over a set holding what we never write (UDP): that set rebuilt by swap", fresh: true,
			drift: [][]string{{"ipset", "add", dataplane.SetName(forwarding.IPv4, netip.MustParseAddrPort("10.0.0.2:10003")), "10.9.9.9,udp:53"}},
			rules: retargeted, check: func(t *testing.T, st dataplane.Stats) {
				want(t, st.SetsRead == 2 && st.SetsRebuilt == 1 && st.ChainsWritten == 0 && st.JumpsInserted == 0, st)
			}},
		{name: "no rules at all", rules: nil, check: func(t *testing.T, st dataplane.Stats) {
			want(t, st.ChainsWritten == 2 && st.SetsDestroyed+st.SetsPending == 3, st)
		}},
	}
	for _, b := range backends(t) {
		for _, overlapAll := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/overlapAll=%v", b, overlapAll), func(t *testing.T) {
				k := newKernel(t, b)
				if overlapAll {
					k.overlapAll = true
					k.nf = k.newNetfilter()
				}
				runKernelSteps(t, k, steps)
			})
		}
	}
}

// kernelStep is one step of TestKernel.
type kernelStep struct {
	name  string
	drift [][]string // commands run in the namespace before Apply; "IPT" stands for the backend's iptables
	rules []forwarding.Rule
	fresh bool // a new dataplane.Netfilter, as after a restart
	check func(t *testing.T, st dataplane.Stats)
	// overlaps says whether, with overlapAll, the fill overlaps the chain writes.
	overlaps bool
}

// runKernelSteps runs steps in k, checking stats and the exact state after each, then Cleanup.
func runKernelSteps(t *testing.T, k *kernel, steps []kernelStep) {
	b := k.backend
	k.run(b.Command(forwarding.IPv4), "-t", "nat", "-A", "OUTPUT", "-d", "192.0.2.1/32", "-p", "tcp", "-m", "tcp", "--dport", "10350",
		"-j", "DNAT", "--to-destination", "192.0.2.2:30003") // as listed, so that the fake lists it alike
	foreign := []string{foreignRule}
	for _, s := range steps {
		for _, argv := range s.drift {
			argv = slices.Clone(argv)
			if argv[0] == "IPT" {
				argv[0] = b.Command(forwarding.IPv4)
			}
			k.run(argv...)
		}
		if s.fresh {
			k.nf = k.newNetfilter()
		}
		st := k.apply(s.rules)
		t.Run(s.name, func(t *testing.T) {
			s.check(t, st)
			if st.FillOverlapped != (k.overlapAll && s.overlaps) {
				t.Errorf("FillOverlapped = %v with overlapAll %v, want %v", st.FillOverlapped, k.overlapAll, k.overlapAll && s.overlaps)
			}
		})
		k.assertState(s.name, s.rules, foreign)
	}
	k.cleanup()
	v4, v6 := k.natTable(forwarding.IPv4), k.natTable(forwarding.IPv6)
	if wantV4 := natWith(nil, nil, foreign, nil); !slices.Equal(v4, wantV4) {
		t.Errorf("after Cleanup, iptables nat = %q, want %q", v4, wantV4)
	}
	if wantV6 := natWith(nil, nil, nil, nil); !slices.Equal(v6, wantV6) {
		t.Errorf("after Cleanup, ip6tables nat = %q, want %q", v6, wantV6)
	}
	if sets := k.sets(); len(sets) != 0 {
		t.Errorf("after Cleanup, ipsets remain: %q", sets)
	}
	k.cleanup() // idempotent
}

// TestKernelIPv4Only checks that a Netfilter limited to IPv4 refuses IPv6 rules but programs the rest.
func TestKernelIPv4Only(t *testing.T) {
	forKernels(t, []dataplane.Backend{dataplane.BackendNFT}, func(t *testing.T, k *kernel) {
		nf := k.newNetfilterWith(dataplane.Config{Families: []forwarding.Family{forwarding.IPv4}})
		rules := []forwarding.Rule{rule("e1", "10.1.0.1:10351", "10.0.0.2:10003"), rule("v6", "[fd01::1]:10353", "[fd00::2]:10003")}
		var applyErr error
		if err := k.do(func() error {
			if applyErr = nf.Apply(t.Context(), rules); applyErr == nil {
				return nil
			}
			if err := nf.Apply(t.Context(), rules); err == nil || nf.LastStats().Changed() {
				return fmt.Errorf("second Apply: stats %+v, want no change; error: %w", nf.LastStats(), err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if applyErr == nil {
			t.Error("Apply with IPv6 rules on an IPv4-only dataplane succeeded")
		}
		if st := nf.LastStats(); st.Entries != 1 {
			t.Errorf("programmed %d entries, want the 1 IPv4 entry", st.Entries)
		}
		if got := k.natTable(forwarding.IPv6); !slices.Equal(got, natWith(nil, nil, nil, nil)) {
			t.Errorf("ip6tables was touched: %q", got)
		}
	})
}

// unchanged checks that an Apply changed nothing.
func unchanged(t *testing.T, st dataplane.Stats) {
	t.Helper()
	want(t, !st.Changed(), st)
}

// want fails the test with the stats when ok is false.
func want(t *testing.T, ok bool, st dataplane.Stats) {
	t.Helper()
	if !ok {
		t.Errorf("unexpected stats %+v", st)
	}
}

// countingRunner counts the commands it runs. It is no Starter, so every command is counted.
type countingRunner struct {
	inner dataplane.Runner
	count int
}

// Run implements Runner.
func (r *countingRunner) Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	r.count++
	return r.inner.Run(ctx, stdin, name, args...)
}

// TestKernelVerifyInterval checks the fast path: within VerifyInterval, an Apply with unchanged targets runs one
// `ipset restore` of the differences and nothing else, and a change of targets falls back to a full Apply,
// which repairs drift.
func TestKernelVerifyInterval(t *testing.T) {
	forKernels(t, []dataplane.Backend{dataplane.BackendNFT}, func(t *testing.T, k *kernel) {
		runner := &countingRunner{inner: k.runner()}
		k.nf = k.newNetfilterWith(dataplane.Config{Runner: runner, VerifyInterval: time.Hour})
		base := []forwarding.Rule{rule("e1", "10.1.0.1:10351", "10.0.0.2:10003"), rule("v6", "[fd01::1]:10353", "[fd00::2]:10003")}
		grown := append(slices.Clone(base), rule("e2", "10.1.0.2:10351", "10.0.0.2:10003"))
		shrunk := append(slices.Clone(base[1:]), rule("e2", "10.1.0.2:10351", "10.0.0.2:10003"))
		retargeted := append(slices.Clone(shrunk), rule("e3", "10.1.0.3:10351", "10.0.0.3:10003"))
		tests := []struct {
			name         string
			drift        []string
			rules        []forwarding.Rule
			wantVerified bool
			wantExecs    int
			wantRepaired bool
		}{
			{name: "first Apply verifies", rules: base, wantVerified: true, wantExecs: 4, wantRepaired: true},
			{name: "a node added: one restore", rules: grown, wantExecs: 1, wantRepaired: true},
			{name: "a node removed: one restore", rules: shrunk, wantExecs: 1, wantRepaired: true},
			{name: "nothing changed: no command", rules: shrunk, wantExecs: 0, wantRepaired: true},
			{name: "drift waits for the interval", drift: []string{"iptables-nft", "-t", "nat", "-F", dataplane.ChainName}, rules: shrunk},
			{name: "a new target verifies and repairs", rules: retargeted, wantVerified: true, wantExecs: 3, wantRepaired: true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.drift != nil {
					k.run(tt.drift...)
				}
				runner.count = 0
				st := k.apply(tt.rules)
				if st.Verified != tt.wantVerified || runner.count != tt.wantExecs {
					t.Errorf("Verified %v after %d commands, want %v after %d; stats %+v", st.Verified, runner.count, tt.wantVerified, tt.wantExecs, st)
				}
				if tt.wantRepaired {
					k.assertState(tt.name, tt.rules, nil)
				}
			})
		}
	})
}
