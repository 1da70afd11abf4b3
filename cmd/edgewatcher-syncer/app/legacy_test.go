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

package app

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// TestLegacyCleaner checks that a failed removal is retried at the next call (the next successful Apply) and
// that a successful one is final.
func TestLegacyCleaner(t *testing.T) {
	var calls int
	var removeErr error
	c := &legacyCleaner{remove: func(context.Context) ([]dataplane.LegacyRule, error) {
		calls++
		return []dataplane.LegacyRule{{
			Family:      forwarding.IPv4,
			Destination: netip.MustParseAddrPort("10.1.0.5:10250"),
			Target:      netip.MustParseAddrPort("192.168.1.10:30003"),
			Rule:        "-A OUTPUT -d 10.1.0.5/32 -p tcp -m tcp --dport 10250 -j DNAT --to-destination 192.168.1.10:30003",
		}}, removeErr
	}}
	rules := []forwarding.Rule{{Node: "e1", Destination: netip.MustParseAddrPort("10.1.0.5:10351"), Target: netip.MustParseAddrPort("10.0.0.2:10003")}}

	removeErr = errors.New("xtables lock")
	c.afterApply(t.Context(), rules)
	if calls != 1 || c.done {
		t.Fatalf("after a failed removal: %d calls, done %v; want 1, false", calls, c.done)
	}
	removeErr = nil
	c.afterApply(t.Context(), rules)
	if calls != 2 || !c.done {
		t.Fatalf("after the retry: %d calls, done %v; want 2, true", calls, c.done)
	}
	for range 3 {
		c.afterApply(t.Context(), nil)
	}
	if calls != 2 {
		t.Errorf("%d removals after a successful one, want none", calls-2)
	}
}

// TestLegacyFlags checks the daemon's --clean-legacy-rules and cleanup's --legacy-rules-only exist and parse.
func TestLegacyFlags(t *testing.T) {
	cmd := NewCommand(t.Context())
	if err := cmd.ParseFlags([]string{"--clean-legacy-rules"}); err != nil {
		t.Fatal(err)
	}
	if v, err := cmd.Flags().GetBool("clean-legacy-rules"); err != nil || !v {
		t.Errorf("--clean-legacy-rules = %v, %v", v, err)
	}
	cleanup, _, err := cmd.Find([]string{"cleanup"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cleanup.ParseFlags([]string{"--legacy-rules-only"}); err != nil {
		t.Fatal(err)
	}
}

// legacyRule is an old agent's rule as its go-iptables call added it, and listedLegacy as iptables lists it.
var (
	legacyRule   = []string{"-t", "nat", "-A", "OUTPUT", "-p", "TCP", "--dport", "10350", "-d", "10.99.0.50", "-j", "DNAT", "--to-destination", "10.99.0.1:30003"}
	listedLegacy = "-A OUTPUT -d 10.99.0.50/32 -p tcp -m tcp --dport 10350 -j DNAT --to-destination 10.99.0.1:30003"
	lookAlike    = []string{"-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "10350", "-j", "DNAT", "--to-destination", "10.99.0.1:10003"}
	listedLook   = "-A OUTPUT -p tcp -m tcp --dport 10350 -j DNAT --to-destination 10.99.0.1:10003"
)

// TestLegacyCleanerInNamespace runs the daemon's wiring (executor, Netfilter, executorDataplane with the cleaner)
// inside a namespace: a failed Apply leaves the old rule; the first successful one puts EdgeWatcher's jump ahead of
// it and then removes it, and the look-alike stays.
func TestLegacyCleanerInNamespace(t *testing.T) {
	netns.RequireCommands(t, "ipset", "iptables-nft")
	ns := netns.New(t, netip.MustParsePrefix("10.99.0.1/24"))
	ns.MustRun(t, append([]string{"iptables-nft", "-w"}, legacyRule...)...)
	ns.MustRun(t, append([]string{"iptables-nft", "-w"}, lookAlike...)...)
	output := func() string { return strings.TrimSpace(ns.MustRun(t, "iptables-nft", "-t", "nat", "-S", "OUTPUT")) }
	if out := output(); !strings.Contains(out, listedLegacy) {
		t.Fatalf("the old rule is not listed as %q:\n%s", listedLegacy, out)
	}
	ex, nf := namespaceNetfilter(t, ns)
	dp := executorDataplane{ex: ex, nf: nf, legacy: newLegacyCleaner(ex, nf)}
	rules := []forwarding.Rule{{Node: "edge-a", Destination: netip.MustParseAddrPort("10.99.0.50:10350"), Target: netip.MustParseAddrPort("10.99.0.1:10003")}}
	jump := "-A OUTPUT -m comment --comment " + dataplane.JumpComment + " -j " + dataplane.ChainName

	// An IPv6 rule on this IPv4-only dataplane fails the Apply (after programming the IPv4 part).
	v6 := forwarding.Rule{Node: "edge-b", Destination: netip.MustParseAddrPort("[fd01::1]:10350"), Target: netip.MustParseAddrPort("[fd00::1]:10003")}
	if err := dp.Apply(t.Context(), append(slices.Clone(rules), v6)); err == nil {
		t.Fatal("Apply with an IPv6 rule on an IPv4-only dataplane succeeded")
	}
	if out, want := output(), strings.Join([]string{"-P OUTPUT ACCEPT", jump, listedLegacy, listedLook}, "\n"); out != want {
		t.Fatalf("nat OUTPUT after a failed Apply:\n%s\nwant\n%s", out, want)
	}
	if dp.legacy.done {
		t.Fatal("the removal ran after a failed Apply")
	}

	if err := dp.Apply(t.Context(), rules); err != nil {
		t.Fatal(err)
	}
	if out, want := output(), strings.Join([]string{"-P OUTPUT ACCEPT", jump, listedLook}, "\n"); out != want {
		t.Errorf("nat OUTPUT after the first successful Apply:\n%s\nwant\n%s", out, want)
	}
	if !dp.legacy.done {
		t.Error("the removal is not recorded as done")
	}
}

// TestCleanupLegacyRulesInNamespace runs `cleanup --legacy-rules-only` with --iptables-backend=auto inside a
// namespace holding EdgeWatcher's state and the old rule in both iptables variants: the old rules go, the rest
// stays.
func TestCleanupLegacyRulesInNamespace(t *testing.T) {
	netns.RequireCommands(t, "ipset", "iptables-nft", "iptables-legacy")
	ns := netns.New(t, netip.MustParsePrefix("10.99.0.1/24"))
	rules := []forwarding.Rule{{Node: "edge-a", Destination: netip.MustParseAddrPort("10.99.0.50:10351"), Target: netip.MustParseAddrPort("10.99.0.1:10003")}}
	for _, b := range []dataplane.Backend{dataplane.BackendNFT, dataplane.BackendLegacy} {
		if err := ns.Do(func() error {
			nf, err := dataplane.New(context.Background(), dataplane.Config{Backend: b, Families: []forwarding.Family{forwarding.IPv4}})
			if err != nil {
				return err
			}
			return nf.Apply(context.Background(), rules)
		}); err != nil {
			t.Fatalf("programming with %s: %v", b, err)
		}
		ns.MustRun(t, append([]string{"iptables-" + string(b), "-w"}, legacyRule...)...)
		ns.MustRun(t, append([]string{"iptables-" + string(b), "-w"}, lookAlike...)...)
		if out := ns.MustRun(t, "iptables-"+string(b), "-t", "nat", "-S", "OUTPUT"); !strings.Contains(out, listedLegacy+"\n") {
			t.Fatalf("the old rule is not listed as %q:\n%s", listedLegacy, out)
		}
	}
	if err := CleanupLegacyRules(t.Context(), &DataplaneOptions{Backend: BackendAuto, IPFamilies: []string{"ipv4", "ipv6"}, NetNS: ns.Name}); err != nil {
		t.Fatalf("CleanupLegacyRules: %v", err)
	}
	want := strings.Join([]string{
		"-P OUTPUT ACCEPT",
		"-A OUTPUT -m comment --comment " + dataplane.JumpComment + " -j " + dataplane.ChainName,
		listedLook,
	}, "\n")
	for _, cmd := range []string{"iptables-nft", "iptables-legacy"} {
		if got := strings.TrimSpace(ns.MustRun(t, cmd, "-t", "nat", "-S", "OUTPUT")); got != want {
			t.Errorf("%s nat OUTPUT after cleanup --legacy-rules-only:\n%s\nwant\n%s", cmd, got, want)
		}
		if out := ns.MustRun(t, cmd, "-t", "nat", "-S", dataplane.ChainName); !strings.Contains(out, "-j DNAT") {
			t.Errorf("%s: EdgeWatcher's chain was touched:\n%s", cmd, out)
		}
	}
}
