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
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// Apply implements Dataplane. It works in four steps, each leaving the forwarding in force:
//  1. one `ipset -exist restore` creates sets and adds entries: a new set is filled directly, a set of the wrong
//     type is filled as a temporary set and swapped in, an existing set gets the entries it lacks (after a
//     restart or a failure, its content is read back first, see Config.ReadSet), and a set whose content cannot be
//     known (it drifted, or holds what we never write) gets every wanted entry added;
//  2. per family, when ChainName differs from the wanted rules, one `iptables-restore --noflush` replaces its
//     content in a single transaction;
//  3. per family, go-iptables ensures exactly one jump into ChainName from OUTPUT and from PREROUTING;
//  4. one more restore deletes the entries that went away and swaps the exact content into the sets of unknown
//     content from temporary sets, then unused sets are destroyed.
//
// Entries are added before the old ones are deleted, so a destination moving between targets is never unmatched;
// when a chain or jump cannot be written (the xtables lock held past the wait, say), step 4 is left to an Apply
// that writes them. When step 1 is large and the new chains keep every live rule, steps 2 and 3 run while it
// fills the sets (created first), since they can then only add forwarding.
// After a Prefill, step 1 corrects the prefilled temporary sets to rules and swaps them in instead of filling
// new sets. Within Config.VerifyInterval of a full Apply, and with the same targets, only step 1 and the
// deletions of step 4 run, in one restore.
func (n *Netfilter) Apply(ctx context.Context, rules []forwarding.Rule) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	start := time.Now()
	st := Stats{}
	err := n.apply(ctx, rules, &st)
	st.Duration = time.Since(start)
	n.stats = st
	return err
}

// apply does Apply's work, counting in st. When a set command fails, what the sets hold is no longer known, so
// the memory of it is dropped and the next Apply rebuilds them.
func (n *Netfilter) apply(ctx context.Context, rules []forwarding.Rule, st *Stats) error {
	pf := n.prefill
	n.prefill = nil
	defer pf.abort() // unless reconcile finished it
	want, err := plan(rules)
	if err != nil {
		return err
	}
	var errs []error
	for f, sets := range want {
		if n.tables(f) == nil {
			errs = append(errs, fmt.Errorf("%d %s targets not programmed: family not enabled", len(sets), f))
			delete(want, f)
		}
	}
	if n.canSkipVerify(want) {
		return errors.Join(append(errs, n.applyEntries(ctx, want, st))...)
	}
	return errors.Join(append(errs, n.reconcile(ctx, want, pf, st))...)
}

// overlapMinEntries is the number of entries to add from which a full Apply writes the chains and jumps while
// `ipset restore` fills the sets, when that cannot unforward anything. A cold sync of 100k otherwise waits about a
// quarter of a second on a dozen iptables commands after the restore.
const overlapMinEntries = 4096

// reconcile re-reads the kernel and brings sets, chains and jumps to want, repairing any drift. The sets of pf,
// when not nil, are corrected and swapped in by its restore, which reconcile ends.
func (n *Netfilter) reconcile(ctx context.Context, want map[forwarding.Family][]targetSet, pf *prefill, st *Stats) error {
	live, err := listSets(ctx, n.runner)
	if err != nil {
		return err
	}
	if pf != nil {
		for _, tmp := range pf.tmpSets() {
			delete(live, tmp) // pf's restore destroys them
		}
	}
	if err := n.destroyRetyped(ctx, want, live); err != nil {
		return err
	}
	have := n.liveContents(ctx, want, live, st)
	var creates, adds, dels, tail ipsetScript
	scripts := &fillScripts{creates: &creates, adds: &adds, dels: &dels, tail: &tail}
	next := map[string][]netip.AddrPort{}
	targets := map[string]netip.AddrPort{}
	for _, t := range n.families {
		for _, ts := range want[t.family] {
			n.planSet(ts, live, have, pf, scripts, st)
			next[ts.name] = ts.entries
			targets[ts.name] = ts.target
			st.Entries += len(ts.entries)
			st.Targets++
		}
	}
	chains, chainErrs := n.liveChains()
	overlap := n.canOverlap(want, chains, chainErrs, adds.entries+scripts.prefilled)
	filled, err := n.startFill(ctx, &creates, &adds, pf, &tail, overlap)
	if err != nil {
		n.applied = nil
		return err
	}
	st.FillOverlapped = overlap
	var errs []error
	for _, t := range n.families {
		if err := chainErrs[t.family]; err != nil {
			errs = append(errs, err)
			continue
		}
		if err := n.syncChain(ctx, t, want[t.family], chains[t.family], st); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := n.syncJumps(t, st); err != nil {
			errs = append(errs, err)
		}
	}
	if err := filled(); err != nil {
		n.applied, n.verified = nil, time.Time{}
		return errors.Join(append(errs, err)...)
	}
	if len(errs) > 0 {
		// A chain or jump is not what want needs, so a destination moving to another target may be matched only
		// by its old set: deleting entries now would unforward it. Keep them for an Apply that writes the chain;
		// what the sets hold is then not known exactly, which makes that Apply add before it rebuilds.
		n.applied, n.verified = nil, time.Time{}
		return errors.Join(errs...)
	}
	n.applied, n.targets = next, targets
	if dels.Len() > 0 {
		if err := restoreSets(ctx, n.runner, dels.Bytes()); err != nil {
			n.applied = nil
			errs = append(errs, err)
		}
	}
	errs = append(errs, n.destroyUnused(ctx, live, next, st))
	st.Verified = true
	if err := errors.Join(errs...); err != nil {
		n.verified = time.Time{}
		return err
	}
	n.verified = time.Now()
	return nil
}

// destroyRetyped destroys the sets of ours that want needs but that have another type or family than
// hash:ip,port of their family, and forgets them in live, so that they are created anew. No rule of ours can
// reference such a set: ipset refuses to destroy a referenced set, so it was recreated unreferenced.
func (n *Netfilter) destroyRetyped(ctx context.Context, want map[forwarding.Family][]targetSet, live map[string]setInfo) error {
	for _, sets := range want {
		for _, ts := range sets {
			info, ok := live[ts.name]
			if !ok || info.matches(ts) {
				continue
			}
			if err := destroySet(ctx, n.runner, ts.name); err != nil && !isSetMissing(err) {
				return fmt.Errorf("set %s is %s family %s instead of hash:ip,port and cannot be replaced: %w", ts.name, info.typ, info.family, err)
			}
			delete(live, ts.name)
		}
	}
	return nil
}

// liveChains reads ChainName of every enabled family; a family whose chain cannot be read has an error instead.
func (n *Netfilter) liveChains() (map[forwarding.Family][]string, map[forwarding.Family]error) {
	chains := map[forwarding.Family][]string{}
	errs := map[forwarding.Family]error{}
	for _, t := range n.families {
		chains[t.family], errs[t.family] = liveChain(t)
	}
	return chains, errs
}

// canOverlap reports whether the chains and jumps may be written while the sets fill: the fill is large, every
// chain was read, and writing it keeps every rule in force, so it only adds forwarding. Only a Starter can
// start a command without waiting for it.
func (n *Netfilter) canOverlap(want map[forwarding.Family][]targetSet, chains map[forwarding.Family][]string,
	chainErrs map[forwarding.Family]error, entries int,
) bool {
	if _, ok := n.runner.(Starter); !ok || entries == 0 || entries < n.overlapMinEntries {
		return false
	}
	for _, t := range n.families {
		if chainErrs[t.family] != nil || !keepsEveryRule(chains[t.family], want[t.family]) {
			return false
		}
	}
	return true
}

// startFill creates the new sets, adds the entries and completes pf with tail (pf may be nil); adds and tail
// declare every set they fill. Without overlap it returns once all ended. With overlap it first runs creates,
// so that every set exists before a rule names it, and leaves adds and pf running: filled waits for them and
// reports how they ended.
func (n *Netfilter) startFill(ctx context.Context, creates, adds *ipsetScript, pf *prefill, tail *ipsetScript, overlap bool) (filled func() error, err error) {
	if !overlap {
		if adds.Len() > 0 {
			if err := restoreSets(ctx, n.runner, adds.Bytes()); err != nil {
				return nil, err
			}
		}
		if pf != nil {
			if err := pf.finish(tail); err != nil {
				return nil, err
			}
		}
		return func() error { return nil }, nil
	}
	if creates.Len() > 0 {
		if err := restoreSets(ctx, n.runner, creates.Bytes()); err != nil {
			return nil, err
		}
	}
	waitAdds := func() error { return nil }
	if adds.Len() > 0 {
		wait, err := n.runner.(Starter).Start(ctx, adds.Bytes(), "ipset", "-exist", "restore")
		if err != nil {
			return nil, err
		}
		waitAdds = func() error { _, err := wait(); return err }
	}
	prefilled := make(chan error, 1)
	if pf != nil {
		go func() { prefilled <- pf.finish(tail) }() // writes to a pipe only: no namespace involved
	} else {
		prefilled <- nil
	}
	return func() error { return errors.Join(waitAdds(), <-prefilled) }, nil
}

// fillScripts are the `ipset restore` scripts of a full Apply: creates makes the new sets before an overlapped
// fill, adds fills sets, dels runs after the chains are written, and tail completes a Prefill.
type fillScripts struct {
	creates, adds, dels, tail *ipsetScript
	// prefilled counts the entries that arrive by swapping in prefilled sets.
	prefilled int
}

// liveContents returns, by set name, what each wanted set that exists holds: what the last Apply wrote or, where
// that is not known (a restart, a failed set command), what Config.ReadSet reads from the kernel. A set it cannot
// read, or that holds something we never write, is left out: planSet rebuilds it.
func (n *Netfilter) liveContents(ctx context.Context, want map[forwarding.Family][]targetSet, live map[string]setInfo, st *Stats) map[string][]netip.AddrPort {
	have := map[string][]netip.AddrPort{}
	for _, t := range n.families {
		for _, ts := range want[t.family] {
			if _, exists := live[ts.name]; !exists {
				continue
			}
			if prev, known := n.applied[ts.name]; known {
				have[ts.name] = prev
				continue
			}
			if entries, ok, err := n.readSet(ctx, ts.name, ts.family); err == nil && ok {
				have[ts.name] = entries
				st.SetsRead++
			}
		}
	}
	return have
}

// planSet adds the commands that bring one set to ts: increments from its live content when have knows it, else a
// fill. A new set is created and filled directly, or swapped in from pf after correcting
// it to ts. A set that exists with unknown content (unreadable, or drifted from what the last Apply wrote) may
// hold destinations whose new set is still being filled, so its rebuild waits for the deletions, after the
// chain: first every wanted entry is added. Each script declares the sets it touches (see ipsetScript.declare).
func (n *Netfilter) planSet(ts targetSet, live map[string]setInfo, have map[string][]netip.AddrPort, pf *prefill, s *fillScripts, st *Stats) {
	info, exists := live[ts.name]
	prev, known := have[ts.name]
	maxElem := setMaxElem
	if exists && info.maxElem > 0 { // an older version's limit: a create line must repeat it to be a no-op
		maxElem = info.maxElem
	}
	switch {
	case !exists:
		s.creates.declare(ts, maxElem)
		st.SetsRebuilt++
		if pre, ok := pf.take(ts); ok {
			st.SetsPrefilled++
			st.PrefillCorrections += s.tail.correct(pre, ts)
			s.prefilled += len(ts.entries)
			return
		}
		s.adds.declare(ts, maxElem)
		s.adds.fill(ts)
		return
	case !known || !info.counted || info.entries != len(prev):
		s.adds.declare(ts, maxElem)
		s.adds.fill(ts)
		s.dels.rebuild(ts, maxElem)
		st.SetsRebuilt++
		return
	}
	added, removed := diffSorted(prev, ts.entries)
	if len(added) > 0 {
		s.adds.declare(ts, maxElem)
	}
	for _, e := range added {
		s.adds.add(ts.name, e)
	}
	if len(removed) > 0 {
		s.dels.declare(ts, maxElem)
	}
	for _, e := range removed {
		s.dels.del(ts.name, e)
	}
	st.EntriesAdded += len(added)
	st.EntriesRemoved += len(removed)
}

// destroyUnused destroys our sets of the enabled families that no target uses, and leftover temporary sets.
// A set the kernel still references is left for the next Apply.
func (n *Netfilter) destroyUnused(ctx context.Context, live map[string]setInfo, used map[string][]netip.AddrPort, st *Stats) error {
	var errs []error
	for _, name := range sortedKeys(live) {
		if _, ok := used[name]; ok || n.tables(familyOfSetName(name)) == nil {
			continue
		}
		switch err := destroySet(ctx, n.runner, name); {
		case err == nil, isSetMissing(err): // a leftover temporary set may have gone with a rebuild
			st.SetsDestroyed++
		case isSetInUse(err):
			st.SetsPending++
		default:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sortedKeys returns the keys of m in order, so commands run in a deterministic order.
func sortedKeys(m map[string]setInfo) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
