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
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// benchTargets are the cloudcores the benchmark rules are spread over.
var benchTargets = []netip.AddrPort{
	netip.MustParseAddrPort("10.0.0.2:10003"), netip.MustParseAddrPort("10.0.0.3:10003"), netip.MustParseAddrPort("10.0.0.4:10003"),
}

// benchRule returns the i-th benchmark rule: edge IP 10.64.0.0 + i, kubelet port 10351-10353, owner by port.
func benchRule(i int) forwarding.Rule {
	ip := netip.AddrFrom4([4]byte{10, byte(64 + i>>16), byte(i >> 8), byte(i)})
	return forwarding.Rule{
		Node:        "edge-" + strconv.Itoa(i),
		Destination: netip.AddrPortFrom(ip, uint16(10351+i%3)),
		Target:      benchTargets[i%3],
	}
}

// benchRules returns n benchmark rules.
func benchRules(n int) []forwarding.Rule {
	rules := make([]forwarding.Rule, n)
	for i := range rules {
		rules[i] = benchRule(i)
	}
	return rules
}

// timeIn runs argv with stdin inside the kernel's namespace and returns how long it took.
func (k *kernel) timeIn(stdin []byte, argv ...string) time.Duration {
	k.t.Helper()
	var took time.Duration
	if err := k.do(func() error {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin = bytes.NewReader(stdin)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took = time.Since(start)
		if err != nil {
			return fmt.Errorf("%v: %w: %s", argv, err, out)
		}
		return nil
	}); err != nil {
		k.t.Fatal(err)
	}
	return took
}

// floors measures, in the same namespace, the two floors of a cold sync of rules: one `ipset restore` of all
// entries into one set, and one `iptables-restore --noflush` of one `-d IP/32` DNAT rule per entry.
func (k *kernel) floors(rules []forwarding.Rule) (ipset, iptablesRestore time.Duration) {
	var s bytes.Buffer
	s.WriteString("create floor hash:ip,port family inet hashsize " + strconv.Itoa(dataplane.HashSize(len(rules))) + " maxelem " + strconv.Itoa(dataplane.SetMaxElem) + "\n")
	var r bytes.Buffer
	r.WriteString("*nat\n:FLOOR - [0:0]\n")
	for _, rl := range rules {
		s.WriteString("add floor " + dataplane.EntryText(rl.Destination) + "\n")
		r.WriteString("-A FLOOR -d " + rl.Destination.Addr().String() + "/32 -p tcp -m tcp --dport " + strconv.Itoa(int(rl.Destination.Port())) +
			" -j DNAT --to-destination " + rl.Target.String() + "\n")
	}
	r.WriteString("COMMIT\n")
	ipset = k.timeIn(s.Bytes(), "ipset", "restore")
	k.run("ipset", "destroy", "floor")
	iptablesRestore = k.timeIn(r.Bytes(), "iptables-restore", "--noflush")
	k.run("iptables", "-t", "nat", "-F", "FLOOR")
	k.run("iptables", "-t", "nat", "-X", "FLOOR")
	return ipset, iptablesRestore
}

// BenchmarkApply measures a cold sync (nothing programmed) of 1k, 10k and 100k rules and reports it against
// the floors measured in the same run: x-ipset-floor is Apply / one `ipset restore` (target ≤ 2), and
// x-faster-than-iptables-restore is one `iptables-restore` of per-IP rules / Apply.
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			k := newRealKernel(b, dataplane.BackendSystem)
			rules := benchRules(n)
			ipsetFloor, restoreFloor := k.floors(rules)
			b.ResetTimer()
			var total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				k.cleanup()
				b.StartTimer()
				st := k.apply(rules)
				total += st.Duration
				if st.Entries != n || st.SetsRebuilt != len(benchTargets) {
					b.Fatalf("cold Apply stats %+v", st)
				}
			}
			apply := total / time.Duration(b.N)
			b.ReportMetric(float64(apply.Milliseconds()), "ms/apply")
			b.ReportMetric(float64(ipsetFloor.Milliseconds()), "ms-ipset-floor")
			b.ReportMetric(float64(restoreFloor.Milliseconds()), "ms-iptables-restore")
			b.ReportMetric(float64(apply)/float64(ipsetFloor), "x-ipset-floor")
			b.ReportMetric(float64(restoreFloor)/float64(apply), "x-faster-than-iptables-restore")
		})
	}
}

// BenchmarkApplyIncremental measures Apply with 100k rules programmed when one node comes or goes, and reports
// the p50 and p99 of the iterations (target p99 ≤ 50 ms): verifying the kernel state on every Apply, and with
// a VerifyInterval that lets event-driven Applies change only set entries.
func BenchmarkApplyIncremental(b *testing.B) {
	const n = 100_000
	for _, bc := range []struct {
		name     string
		interval time.Duration
	}{{"verify=always", 0}, {"verify=10s", 10 * time.Second}} {
		b.Run(bc.name, func(b *testing.B) {
			k := newRealKernel(b, dataplane.BackendSystem)
			if err := k.do(func() error {
				var err error
				k.nf, err = dataplane.New(context.Background(), dataplane.Config{VerifyInterval: bc.interval})
				return err
			}); err != nil {
				b.Fatal(err)
			}
			rules := benchRules(n)
			grown := append(slices.Clone(rules), benchRule(n))
			k.apply(rules)
			durations := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				want := rules
				if i%2 == 0 {
					want = grown
				}
				st := k.apply(want)
				if st.SetsRebuilt != 0 || st.EntriesAdded+st.EntriesRemoved != 1 {
					b.Fatalf("incremental Apply stats %+v", st)
				}
				durations = append(durations, st.Duration)
			}
			slices.Sort(durations)
			pct := func(p float64) float64 {
				return float64(durations[int(p*float64(len(durations)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "ms-p50")
			b.ReportMetric(pct(0.99), "ms-p99")
		})
	}
}

// perRuleBudget is how long the per-rule baseline may take at one size; the next, doubled size runs only if
// this one finished within half of it, since the pattern is superlinear.
const perRuleBudget = 60 * time.Second

// BenchmarkPerRuleBaseline measures the old agent's pattern, `iptables -C` then `-A` for each rule in nat
// OUTPUT, at 1k rules and doubling while it finishes within perRuleBudget, against a cold Apply of the same
// rules in the same namespace, and reports the ratio.
func BenchmarkPerRuleBaseline(b *testing.B) {
	for n := 1_000; ; n *= 2 {
		var baseline time.Duration
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) { baseline = perRuleBaseline(b, n) })
		if baseline == 0 || baseline > perRuleBudget/2 {
			return
		}
	}
}

// perRuleBaseline runs one size of BenchmarkPerRuleBaseline and returns the baseline's time per run.
func perRuleBaseline(b *testing.B, n int) time.Duration {
	k := newRealKernel(b, dataplane.BackendSystem)
	rules := benchRules(n)
	var baseline, apply time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		k.run("iptables", "-t", "nat", "-F", "OUTPUT")
		k.cleanup()
		b.StartTimer()
		if err := k.do(func() error {
			start := time.Now()
			for _, r := range rules {
				spec := []string{"-t", "nat", "-w", "5", "OUTPUT", "-d", r.Destination.Addr().String() + "/32", "-p", "tcp",
					"--dport", strconv.Itoa(int(r.Destination.Port())), "-j", "DNAT", "--to-destination", r.Target.String()}
				check := slices.Insert(slices.Clone(spec), 4, "-C")
				if exec.CommandContext(context.Background(), "iptables", check...).Run() == nil {
					continue
				}
				add := slices.Insert(slices.Clone(spec), 4, "-A")
				if out, err := exec.CommandContext(context.Background(), "iptables", add...).CombinedOutput(); err != nil {
					return fmt.Errorf("%v: %w: %s", add, err, out)
				}
			}
			baseline += time.Since(start)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		k.run("iptables", "-t", "nat", "-F", "OUTPUT")
		apply += k.apply(rules).Duration
		b.StartTimer()
	}
	b.ReportMetric(baseline.Seconds()/float64(b.N), "s-per-rule-baseline")
	b.ReportMetric(float64(apply.Milliseconds())/float64(b.N), "ms/apply")
	b.ReportMetric(float64(baseline)/float64(apply), "x-faster-than-per-rule")
	return baseline / time.Duration(b.N)
}
