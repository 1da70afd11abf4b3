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
	"errors"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// TestKernelApplyDelta checks ApplyDelta against the kernel: it refuses before a full Apply and for a target with
// no set, applies adds and removals in one command including a destination moving between targets, and leaves
// the kernel exactly as a full Apply of the result would.
func TestKernelApplyDelta(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.String(), func(t *testing.T) {
			k := newKernel(t, b)
			runner := &countingRunner{inner: k.runner()}
			k.nf = k.newNetfilterWith(dataplane.Config{Runner: runner})
			delta := func(added, removed []forwarding.Rule) error {
				return k.do(func() error { return k.nf.ApplyDelta(context.Background(), added, removed) })
			}
			e1 := rule("e1", "10.1.0.1:10351", "10.0.0.2:10003")
			e2 := rule("e2", "10.1.0.2:10352", "10.0.0.3:10003")
			e5 := rule("e5", "10.1.0.5:10352", "10.0.0.3:10003")
			v6 := rule("v6", "[fd01::1]:10353", "[fd00::2]:10003")
			if err := delta([]forwarding.Rule{e1}, nil); !errors.Is(err, dataplane.ErrFullApplyRequired) {
				t.Fatalf("before any Apply: %v, want ErrFullApplyRequired", err)
			}
			k.apply([]forwarding.Rule{e1, e2, e5, v6})

			e3 := rule("e3", "10.1.0.3:10351", "10.0.0.2:10003")
			runner.count = 0
			if err := delta([]forwarding.Rule{e3}, []forwarding.Rule{e2}); err != nil {
				t.Fatal(err)
			}
			if st := k.nf.LastStats(); runner.count != 1 || st.EntriesAdded != 1 || st.EntriesRemoved != 1 || st.Entries != 4 {
				t.Errorf("add+remove: %d commands, stats %+v; want 1 command, 1 added, 1 removed, 4 entries", runner.count, st)
			}
			want := []forwarding.Rule{e1, e3, e5, v6}
			k.assertState("add and remove", want, nil)

			moved := rule("e1", "10.1.0.1:10351", "10.0.0.3:10003")
			if err := delta([]forwarding.Rule{moved}, []forwarding.Rule{e1}); err != nil {
				t.Fatal(err)
			}
			want = []forwarding.Rule{moved, e3, e5, v6}
			k.assertState("a destination moved to another target", want, nil)

			newTarget := rule("e4", "10.1.0.4:10351", "10.0.0.4:10003")
			runner.count = 0
			if err := delta([]forwarding.Rule{newTarget}, nil); !errors.Is(err, dataplane.ErrFullApplyRequired) || runner.count != 0 {
				t.Errorf("new target: %v after %d commands, want ErrFullApplyRequired after none", err, runner.count)
			}
			k.apply(append(want, newTarget))
			k.assertState("full Apply after the delta", append(want, newTarget), nil)
		})
	}
}

// TestKernelVerifyRepairsDrift checks that Verify, with nothing planned again, repairs a flushed chain, a
// deleted jump and a flushed set after deltas, and needs a full Apply first.
func TestKernelVerifyRepairsDrift(t *testing.T) {
	forKernels(t, []dataplane.Backend{dataplane.BackendNFT}, func(t *testing.T, k *kernel) {
		verify := func() error { return k.do(func() error { return k.nf.Verify(context.Background()) }) }
		if err := verify(); !errors.Is(err, dataplane.ErrFullApplyRequired) {
			t.Fatalf("before any Apply: %v, want ErrFullApplyRequired", err)
		}
		e1 := rule("e1", "10.1.0.1:10351", "10.0.0.2:10003")
		e2 := rule("e2", "10.1.0.2:10351", "10.0.0.2:10003")
		v6 := rule("v6", "[fd01::1]:10353", "[fd00::2]:10003")
		k.apply([]forwarding.Rule{e1, v6})
		if err := k.do(func() error { return k.nf.ApplyDelta(context.Background(), []forwarding.Rule{e2}, nil) }); err != nil {
			t.Fatal(err)
		}
		want := []forwarding.Rule{e1, e2, v6}
		k.run("iptables-nft", "-t", "nat", "-F", dataplane.ChainName)
		k.run("ip6tables-nft", "-t", "nat", "-D", "OUTPUT", "-m", "comment", "--comment", dataplane.JumpComment, "-j", dataplane.ChainName)
		k.run("ipset", "flush", dataplane.SetName(forwarding.IPv4, e1.Target))
		if err := verify(); err != nil {
			t.Fatal(err)
		}
		if st := k.nf.LastStats(); !st.Verified || st.SetsRebuilt != 1 || st.ChainsWritten != 1 || st.JumpsInserted != 1 {
			t.Errorf("Verify stats %+v, want 1 set rebuilt, 1 chain written, 1 jump inserted", st)
		}
		k.assertState("after Verify", want, nil)
	})
}
