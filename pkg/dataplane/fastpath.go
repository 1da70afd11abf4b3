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
	"context"
	"net/netip"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// canSkipVerify reports whether Config.VerifyInterval allows applying only the entry changes: the last full
// Apply succeeded recently and the wanted targets are exactly the sets it left.
func (n *Netfilter) canSkipVerify(want map[forwarding.Family][]targetSet) bool {
	if n.verifyInterval <= 0 || n.applied == nil || n.verified.IsZero() || time.Since(n.verified) >= n.verifyInterval {
		return false
	}
	count := 0
	for _, sets := range want {
		for _, ts := range sets {
			if _, ok := n.applied[ts.name]; !ok {
				return false
			}
			count++
		}
	}
	return count == len(n.applied)
}

// applyEntries applies only the differences of set entries, adds before deletes, in one `ipset restore`.
func (n *Netfilter) applyEntries(ctx context.Context, want map[forwarding.Family][]targetSet, st *Stats) error {
	type removal struct {
		set     string
		entries []netip.AddrPort
	}
	var script ipsetScript
	var removals []removal
	next := make(map[string][]netip.AddrPort, len(n.applied))
	for _, t := range n.families {
		for _, ts := range want[t.family] {
			added, removed := diffSorted(n.applied[ts.name], ts.entries)
			for _, e := range added {
				script.add(ts.name, e)
			}
			removals = append(removals, removal{ts.name, removed})
			st.EntriesAdded += len(added)
			st.EntriesRemoved += len(removed)
			st.Entries += len(ts.entries)
			st.Targets++
			next[ts.name] = ts.entries
		}
	}
	for _, r := range removals {
		for _, e := range r.entries {
			script.del(r.set, e)
		}
	}
	if script.Len() > 0 {
		if err := restoreSets(ctx, n.runner, script.Bytes()); err != nil {
			n.applied, n.verified = nil, time.Time{}
			return err
		}
	}
	n.applied = next
	return nil
}
