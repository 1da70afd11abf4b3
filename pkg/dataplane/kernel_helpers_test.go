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
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	dataplanetesting "github.com/edgewatcher/edgewatcher/pkg/dataplane/testing"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// kernel is a fresh network namespace, or a fresh fake kernel, with a Netfilter programming it through one
// backend.
type kernel struct {
	t testing.TB
	// ns is the namespace of a real kernel, nil for the fake.
	ns *netns.Namespace
	// fake is the fake kernel, nil for a real one.
	fake    *dataplanetesting.FakeKernel
	backend dataplane.Backend
	nf      *dataplane.Netfilter
	// overlapAll makes every full Apply with entries to add overlap the chain writes when it safely can.
	overlapAll bool
}

// kernelKind is a kernel to run a test in: the fake or a real one, programmed through a backend.
type kernelKind struct {
	fake    bool
	backend dataplane.Backend
}

// String names the kind as subtests do: nft, legacy, fake-nft or fake-legacy.
func (k kernelKind) String() string {
	if k.fake {
		return "fake-" + string(k.backend)
	}
	return string(k.backend)
}

// backends returns the kernels to test: the fake kernel with nft and legacy, then the real kernel (which skips
// without root, see netns.SkipOrFail) with nft, and legacy when its commands are installed.
func backends(t testing.TB) []kernelKind {
	return kinds(t, dataplane.BackendNFT, dataplane.BackendLegacy)
}

// kinds returns the fake kernel with each backend, then the real kernel with each backend that is installed.
func kinds(t testing.TB, backends ...dataplane.Backend) []kernelKind {
	var out []kernelKind
	for _, b := range backends {
		out = append(out, kernelKind{fake: true, backend: b})
	}
	for _, b := range backends {
		if _, err := exec.LookPath(b.Command(forwarding.IPv4)); err != nil && b != dataplane.BackendNFT {
			t.Logf("%s not installed; not testing it in the real kernel", b.Command(forwarding.IPv4))
			continue
		}
		out = append(out, kernelKind{backend: b})
	}
	return out
}

// forKernels runs test as a subtest in a new kernel of each kind of kinds(backends).
func forKernels(t *testing.T, backends []dataplane.Backend, test func(t *testing.T, k *kernel)) {
	for _, kind := range kinds(t, backends...) {
		t.Run(kind.String(), func(t *testing.T) { test(t, newKernel(t, kind)) })
	}
}

// newKernel creates a fake kernel, or a namespace (skipping or failing as netns.New does), and a Netfilter
// programming it.
func newKernel(t testing.TB, kind kernelKind, addrs ...netip.Prefix) *kernel {
	t.Helper()
	if kind.fake {
		k := &kernel{t: t, fake: dataplanetesting.NewFakeKernel(), backend: kind.backend}
		k.nf = k.newNetfilter()
		return k
	}
	return newRealKernel(t, kind.backend, addrs...)
}

// newRealKernel creates the namespace (skipping or failing as netns.New does) and a Netfilter inside it.
func newRealKernel(t testing.TB, b dataplane.Backend, addrs ...netip.Prefix) *kernel {
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
	nf := k.newNetfilterWith(dataplane.Config{})
	if k.overlapAll {
		nf.SetOverlapMinEntries(1)
	}
	return nf
}

// newNetfilterWith creates a Netfilter with cfg inside the namespace; the backend and, for the fake, the
// iptables clients are the kernel's, and so is the runner when cfg has none. A real kernel's sets are read back
// over netlink unless cfg says otherwise, the fake's with `ipset save`.
func (k *kernel) newNetfilterWith(cfg dataplane.Config) *dataplane.Netfilter {
	k.t.Helper()
	cfg.Backend = k.backend
	if cfg.Runner == nil {
		cfg.Runner = k.runner()
	}
	if k.fake != nil {
		cfg.NewIPTables = k.fake.NewIPTables
	} else if cfg.ReadSet == nil {
		cfg.ReadSet = dataplane.ReadSetNetlink // what the syncer uses, as its Runner is the default
	}
	var nf *dataplane.Netfilter
	if err := k.do(func() error {
		var err error
		nf, err = dataplane.New(context.Background(), cfg)
		return err
	}); err != nil {
		k.t.Fatalf("New: %v", err)
	}
	return nf
}

// runner is the runner of the kernel's commands: the fake, or ExecRunner in the namespace.
func (k *kernel) runner() dataplane.Runner {
	if k.fake != nil {
		return k.fake
	}
	return dataplane.ExecRunner{}
}

// do runs fn in the namespace; for the fake, directly.
func (k *kernel) do(fn func() error) error {
	if k.fake != nil {
		return fn()
	}
	return k.ns.Do(fn)
}

// tryRun runs a command in the kernel and returns its output and error.
func (k *kernel) tryRun(argv ...string) (string, error) {
	if k.fake != nil {
		out, err := k.fake.Run(context.Background(), nil, argv[0], argv[1:]...)
		return string(out), err
	}
	return k.ns.Run(argv...)
}

// apply runs Apply inside the namespace and returns its stats.
func (k *kernel) apply(rules []forwarding.Rule) dataplane.Stats {
	k.t.Helper()
	if err := k.do(func() error { return k.nf.Apply(context.Background(), rules) }); err != nil {
		k.t.Fatalf("Apply: %v", err)
	}
	return k.nf.LastStats()
}

// cleanup runs Cleanup inside the namespace.
func (k *kernel) cleanup() {
	k.t.Helper()
	if err := k.do(func() error { return k.nf.Cleanup(context.Background()) }); err != nil {
		k.t.Fatalf("Cleanup: %v", err)
	}
}

// run runs a command inside the namespace, failing the test on error.
func (k *kernel) run(argv ...string) string {
	k.t.Helper()
	out, err := k.tryRun(argv...)
	if err != nil {
		k.t.Fatalf("%v: %v", argv, err)
	}
	return out
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
