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
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// TestPrefillInNamespace checks that the syncer binary's dataplane, which runs the Netfilter on the --netns
// thread, prefills: 5000 candidates (one of them then withheld) fill temporary sets inside the namespace, never
// in the host's, and the Apply that follows swaps them in corrected.
func TestPrefillInNamespace(t *testing.T) {
	netns.RequireCommands(t, "ipset", "iptables-nft")
	ns := netns.New(t)
	ex, nf := namespaceNetfilter(t, ns)
	var dp dataplane.Dataplane = executorDataplane{ex: ex, nf: nf}
	prefiller, ok := dp.(dataplane.Prefiller)
	if !ok {
		t.Fatal("the syncer's dataplane is not a Prefiller: the first sync would not prefill")
	}
	target := netip.MustParseAddrPort("10.99.0.1:10003")
	var candidates []forwarding.Rule
	for i := range 5000 {
		dest := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 64, byte(i >> 8), byte(i)}), 10351)
		candidates = append(candidates, forwarding.Rule{Node: fmt.Sprintf("edge-%d", i), Destination: dest, Target: target})
	}
	if err := prefiller.Prefill(t.Context(), candidates); err != nil {
		t.Fatal(err)
	}
	// The restore runs in the background: wait for it to create its temporary set.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		sets := ns.MustRun(t, "ipset", "list", "-n")
		if strings.Contains(sets, "-tmp") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no temporary set in the namespace 5 s after Prefill: %q", sets)
		}
	}
	rules := candidates[1:] // the first is withheld
	if err := dp.Apply(t.Context(), rules); err != nil {
		t.Fatal(err)
	}
	if st := nf.LastStats(); st.SetsPrefilled != 1 || st.PrefillCorrections != 1 || st.Entries != len(rules) {
		t.Errorf("stats %+v, want 1 set prefilled with 1 correction and %d entries", st, len(rules))
	}
	saved := ns.MustRun(t, "ipset", "save")
	if strings.Contains(saved, "-tmp") || strings.Contains(saved, " 10.64.0.0,") || strings.Count(saved, "\nadd ") != len(rules) {
		t.Errorf("sets after Apply hold %d entries, want %d, without 10.64.0.0 or a temporary set", strings.Count(saved, "\nadd "), len(rules))
	}
	if err := dp.Cleanup(t.Context()); err != nil {
		t.Fatal(err)
	}
}
