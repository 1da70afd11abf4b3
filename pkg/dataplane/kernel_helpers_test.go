package dataplane_test

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// kernel is a fresh network namespace with a Netfilter programming it through one backend.
type kernel struct {
	t       testing.TB
	ns      *netns.Namespace
	backend dataplane.Backend
	nf      *dataplane.Netfilter
	// overlapAll makes every full Apply with entries to add overlap the chain writes when it safely can.
	overlapAll bool
}

// backends returns the backends to test: nft always, legacy when its commands are installed.
func backends(t testing.TB) []dataplane.Backend {
	out := []dataplane.Backend{dataplane.BackendNFT}
	if _, err := exec.LookPath("iptables-legacy"); err == nil {
		out = append(out, dataplane.BackendLegacy)
	} else {
		t.Logf("iptables-legacy not installed; testing nf_tables only")
	}
	return out
}

// newKernel creates the namespace (skipping or failing as netns.New does) and a Netfilter inside it.
func newKernel(t testing.TB, b dataplane.Backend, addrs ...netip.Prefix) *kernel {
	t.Helper()
	netns.RequireRoot(t)
	netns.RequireCommands(t, "ip", "ipset", b.Command(forwarding.IPv4), b.Command(forwarding.IPv6),
		b.Command(forwarding.IPv4)+"-restore", b.Command(forwarding.IPv6)+"-save")
	k := &kernel{t: t, ns: netns.New(t, addrs...), backend: b}
	k.nf = k.newNetfilter()
	if want := map[dataplane.Backend]string{dataplane.BackendNFT: "nf_tables", dataplane.BackendLegacy: "legacy"}[b]; want != "" && k.nf.Mode() != want {
		t.Fatalf("backend %q runs in mode %q, want %q", b, k.nf.Mode(), want)
	}
	return k
}

// newNetfilter creates a Netfilter inside the namespace, as a restarted syncer would.
func (k *kernel) newNetfilter() *dataplane.Netfilter {
	k.t.Helper()
	var nf *dataplane.Netfilter
	err := k.ns.Do(func() error {
		var err error
		nf, err = dataplane.New(context.Background(), dataplane.Config{Backend: k.backend})
		return err
	})
	if err != nil {
		k.t.Fatalf("New: %v", err)
	}
	if k.overlapAll {
		nf.SetOverlapMinEntries(1)
	}
	return nf
}

// apply runs Apply inside the namespace and returns its stats.
func (k *kernel) apply(rules []forwarding.Rule) dataplane.Stats {
	k.t.Helper()
	if err := k.ns.Do(func() error { return k.nf.Apply(context.Background(), rules) }); err != nil {
		k.t.Fatalf("Apply: %v", err)
	}
	return k.nf.LastStats()
}

// cleanup runs Cleanup inside the namespace.
func (k *kernel) cleanup() {
	k.t.Helper()
	if err := k.ns.Do(func() error { return k.nf.Cleanup(context.Background()) }); err != nil {
		k.t.Fatalf("Cleanup: %v", err)
	}
}

// run runs a command inside the namespace, failing the test on error.
func (k *kernel) run(argv ...string) string {
	k.t.Helper()
	return k.ns.MustRun(k.t, argv...)
}

// counters matches the packet and byte counters iptables-save prints.
var counters = regexp.MustCompile(`\[\d+:\d+\]`)

// natTable returns `iptables-save -t nat` of family f without comments and with zeroed counters.
func (k *kernel) natTable(f forwarding.Family) []string {
	k.t.Helper()
	var out []string
	for line := range strings.Lines(k.run(k.backend.Command(f)+"-save", "-t", "nat")) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, counters.ReplaceAllString(line, "[0:0]"))
		}
	}
	return out
}

// sets returns `ipset save` as sorted "create <name> <type> family <f>" and "add ..." lines.
func (k *kernel) sets() []string {
	k.t.Helper()
	var out []string
	for line := range strings.Lines(k.run("ipset", "save")) {
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 5 && fields[0] == "create":
			out = append(out, strings.Join(fields[:5], " "))
		case len(fields) > 0:
			out = append(out, strings.Join(fields, " "))
		}
	}
	slices.Sort(out)
	return out
}

// emptyNat is the nat table of a fresh namespace, plus extra lines in the given positions.
func natWith(chains, prerouting, output, rest []string) []string {
	out := []string{"*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]"}
	out = append(out, chains...)
	out = append(out, prerouting...)
	out = append(out, output...)
	out = append(out, rest...)
	return append(out, "COMMIT")
}

// expected is the kernel state a set of rules must produce: both nat tables and the sets, written out
// independently of the code under test (set names come from setName, checked against sha256sum in TestSetName).
func expected(rules []forwarding.Rule, foreignOutput []string) (v4, v6, sets []string) {
	byTarget := map[netip.AddrPort][]string{}
	for _, r := range rules {
		byTarget[r.Target] = append(byTarget[r.Target], r.Destination.Addr().String()+",tcp:"+fmt.Sprint(r.Destination.Port()))
	}
	targets := make([]netip.AddrPort, 0, len(byTarget))
	for t := range byTarget {
		targets = append(targets, t)
	}
	slices.SortFunc(targets, netip.AddrPort.Compare)
	chain := map[forwarding.Family][]string{}
	for _, t := range targets {
		f := forwarding.FamilyOf(t.Addr())
		name := dataplane.SetName(f, t)
		family := map[forwarding.Family]string{forwarding.IPv4: "inet", forwarding.IPv6: "inet6"}[f]
		sets = append(sets, "create "+name+" hash:ip,port family "+family)
		for _, e := range byTarget[t] {
			sets = append(sets, "add "+name+" "+e)
		}
		chain[f] = append(chain[f], "-A EDGEWATCHER-FWD -p tcp -m set --match-set "+name+" dst,dst -j DNAT --to-destination "+t.String())
	}
	slices.Sort(sets)
	decl := []string{":EDGEWATCHER-FWD - [0:0]"}
	pre := []string{"-A PREROUTING -m comment --comment edgewatcher-forwarding -j EDGEWATCHER-FWD"}
	out := append([]string{"-A OUTPUT -m comment --comment edgewatcher-forwarding -j EDGEWATCHER-FWD"}, foreignOutput...)
	return natWith(decl, pre, out, chain[forwarding.IPv4]), natWith(decl, pre, out[:1], chain[forwarding.IPv6]), sets
}

// assertState compares the namespace's nat tables and sets with what rules must produce.
func (k *kernel) assertState(step string, rules []forwarding.Rule, foreignOutput []string) {
	k.t.Helper()
	v4, v6, sets := expected(rules, foreignOutput)
	if got := k.natTable(forwarding.IPv4); !slices.Equal(got, v4) {
		k.t.Errorf("%s: iptables nat:\n got %s\nwant %s", step, strings.Join(got, "\n     "), strings.Join(v4, "\n     "))
	}
	if got := k.natTable(forwarding.IPv6); !slices.Equal(got, v6) {
		k.t.Errorf("%s: ip6tables nat:\n got %s\nwant %s", step, strings.Join(got, "\n     "), strings.Join(v6, "\n     "))
	}
	if got := k.sets(); !slices.Equal(got, sets) {
		k.t.Errorf("%s: ipsets:\n got %s\nwant %s", step, strings.Join(got, "\n     "), strings.Join(sets, "\n     "))
	}
}

// rule builds a rule from strings.
func rule(node, dst, target string) forwarding.Rule {
	return forwarding.Rule{Node: node, Destination: netip.MustParseAddrPort(dst), Target: netip.MustParseAddrPort(target)}
}
