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
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// prefill runs Prefill inside the namespace.
func (k *kernel) prefill(candidates []forwarding.Rule) {
	k.t.Helper()
	if err := k.do(func() error { return k.nf.Prefill(context.Background(), candidates) }); err != nil {
		k.t.Fatalf("Prefill: %v", err)
	}
}

// ourObjects returns the names of our sets and whether our chain exists, in the namespace.
func (k *kernel) ourObjects() (sets []string, chain bool) {
	k.t.Helper()
	for _, line := range k.sets() {
		if f := strings.Fields(line); f[0] == "create" {
			sets = append(sets, f[1])
		}
	}
	return sets, slices.ContainsFunc(k.natTable(forwarding.IPv4), func(l string) bool { return strings.Contains(l, dataplane.ChainName) })
}

// waitForSets waits until at least n sets of ours exist, for up to 5 s, and returns them.
func (k *kernel) waitForSets(n int) []string {
	k.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if sets, _ := k.ourObjects(); len(sets) >= n || time.Now().After(deadline) {
			return sets
		}
	}
}

// prefillCandidates are the candidates of the tests below, in no order: the rules of prefillRules, plus
// destinations Compute then withheld (contested IPs, one of them named by two nodes with different targets) and
// a target only such destinations use; one of prefillRules is missing.
var prefillCandidates = []forwarding.Rule{
	rule("e2", "10.1.0.2:10351", "10.0.0.2:10003"),
	rule("e1", "10.1.0.1:10351", "10.0.0.2:10003"),
	rule("x1", "10.1.0.9:10351", "10.0.0.2:10003"), // contested
	rule("y1", "10.1.0.7:10351", "10.0.0.2:10003"), // contested by y2
	rule("e3", "10.1.0.3:10352", "10.0.0.3:10003"),
	rule("y2", "10.1.0.7:10351", "10.0.0.3:10003"),
	rule("x2", "10.1.0.8:10353", "10.0.0.4:10003"), // contested, alone on its target
	rule("v6", "[fd01::1]:10353", "[fd00::2]:10003"),
}

// prefillRules are what Apply receives after prefillCandidates.
var prefillRules = []forwarding.Rule{
	rule("e1", "10.1.0.1:10351", "10.0.0.2:10003"),
	rule("e2", "10.1.0.2:10351", "10.0.0.2:10003"),
	rule("e3", "10.1.0.3:10352", "10.0.0.3:10003"),
	rule("e4", "10.1.0.4:10352", "10.0.0.3:10003"), // not a candidate
	rule("v6", "[fd01::1]:10353", "[fd00::2]:10003"),
}

// TestKernelPrefill checks, on each backend and with and without the overlap of the chain writes, that Prefill
// creates only temporary sets and no rule, and that the Apply that follows swaps them in corrected: the exact
// state of its rules, the withheld destinations never in a referenced set, the unused temporary set gone.
func TestKernelPrefill(t *testing.T) {
	for _, b := range backends(t) {
		for _, overlap := range []bool{false, true} {
			t.Run(b.String()+map[bool]string{false: "/sequential", true: "/overlapped"}[overlap], func(t *testing.T) {
				k := newKernel(t, b)
				k.nf.SetOverlapMinEntries(1)
				if !overlap {
					// A rule of our chain that Apply drops: it then writes the chain after the fill.
					k.run(b.backend.Command(forwarding.IPv4), "-t", "nat", "-N", dataplane.ChainName)
					k.run(b.backend.Command(forwarding.IPv4), "-t", "nat", "-A", dataplane.ChainName, "-d", "192.0.2.7/32", "-j", "RETURN")
				}
				k.prefill(prefillCandidates)
				sets := k.waitForSets(4) // the restore runs in the background
				for _, s := range sets {
					if !strings.HasSuffix(s, "-tmp") {
						t.Errorf("after Prefill, set %s exists; want only temporary sets", s)
					}
				}
				if len(sets) != 4 {
					t.Errorf("after Prefill, sets %q, want 4 temporary sets", sets)
				}
				if got := k.natTable(forwarding.IPv4); overlap && slices.ContainsFunc(got, func(l string) bool { return strings.Contains(l, dataplane.ChainName) }) {
					t.Errorf("Prefill wrote rules: %q", got)
				}
				st := k.apply(prefillRules)
				want(t, st.SetsPrefilled == 3 && st.PrefillCorrections == 4 && st.SetsRebuilt == 3 && st.Entries == 5 && st.FillOverlapped == overlap, st)
				k.assertState("after the prefilled Apply", prefillRules, nil)
				unchanged(t, k.apply(prefillRules))
				k.cleanup()
				if sets, chain := k.ourObjects(); len(sets) > 0 || chain {
					t.Errorf("after Cleanup: sets %q, chain %v", sets, chain)
				}
			})
		}
	}
}

// TestKernelPrefillInterrupted checks the ways a Prefill can end without its Apply: Cleanup, a second Prefill,
// an Apply whose sets exist already, and its restore killed. Nothing is left behind, no candidate is forwarded,
// and the next Apply reaches the exact state.
func TestKernelPrefillInterrupted(t *testing.T) {
	forKernels(t, []dataplane.Backend{dataplane.BackendNFT}, func(t *testing.T, k *kernel) {
		k.nf.SetOverlapMinEntries(1)

		k.prefill(prefillCandidates)
		k.cleanup()
		if sets, chain := k.ourObjects(); len(sets) > 0 || chain {
			t.Errorf("Cleanup during a Prefill left sets %q, chain %v", sets, chain)
		}

		k.prefill(prefillCandidates)
		k.prefill(prefillCandidates[:2]) // replaces the first; both on one target
		st := k.apply(prefillRules)
		want(t, st.SetsPrefilled == 1 && st.SetsRebuilt == 3, st)
		k.assertState("after a second Prefill", prefillRules, nil)

		k.nf = k.newNetfilter() // a restart: every set exists, so nothing is prefilled
		k.prefill(prefillRules)
		if k.nf.Prefilling() {
			t.Error("Prefill acted although every set exists")
		}
		st = k.apply(prefillRules)
		want(t, st.SetsPrefilled == 0 && st.SetsRead == 3 && !st.Changed(), st)
		k.assertState("after a restart", prefillRules, nil)

		k.cleanup()
		k.nf = k.newNetfilter()
		k.nf.SetOverlapMinEntries(1)
		k.prefill(prefillCandidates)
		if !k.nf.Prefilling() {
			t.Fatal("no Prefill running")
		}
		k.nf.KillPrefill() // kills its restore
		if err := k.do(func() error { return k.nf.Apply(context.Background(), prefillRules) }); err == nil {
			t.Error("Apply after the prefill's restore was killed succeeded")
		}
		withheld := func(l string) bool { // in a set a rule may reference: the temporary sets may be left filled
			return !strings.HasSuffix(strings.Fields(l)[1], "-tmp") &&
				(strings.Contains(l, "10.1.0.9") || strings.Contains(l, "10.1.0.8") || strings.Contains(l, "10.1.0.7"))
		}
		if sets := k.sets(); slices.ContainsFunc(sets, withheld) {
			t.Errorf("a withheld destination is in a set: %q", sets)
		}
		st = k.apply(prefillRules)
		want(t, st.SetsPrefilled == 0, st)
		k.assertState("after a failed prefill", prefillRules, nil)

		// A temporary set an interrupted Prefill left, with a withheld destination in it, is flushed and reused.
		k.cleanup()
		k.nf = k.newNetfilter()
		k.nf.SetOverlapMinEntries(1)
		tmp := dataplane.SetName(forwarding.IPv4, netip.MustParseAddrPort("10.0.0.2:10003")) + "-tmp"
		if err := k.do(func() error {
			_, err := k.runner().Run(context.Background(), []byte("create "+tmp+" hash:ip,port family inet hashsize 1024 maxelem "+
				strconv.Itoa(dataplane.SetMaxElem)+"\nadd "+tmp+" 10.1.0.9,10351\n"), "ipset", "restore")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		k.prefill(prefillCandidates)
		st = k.apply(prefillRules)
		want(t, st.SetsPrefilled == 3, st)
		k.assertState("after a Prefill over a leftover temporary set", prefillRules, nil)
	})
}
