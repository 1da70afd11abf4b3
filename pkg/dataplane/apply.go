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
//  1. one `ipset -exist restore` creates sets and adds entries; a new set is filled as a temporary set and swapped
//     in atomically, and an existing set whose content is not known for certain (restart, failure, drift) gets
//     every wanted entry added;
//  2. per family, when ChainName differs from the wanted rules, one `iptables-restore --noflush` replaces its
//     content in a single transaction;
//  3. per family, go-iptables ensures exactly one jump into ChainName from OUTPUT and from PREROUTING;
//  4. one more restore deletes the entries that went away and swaps the exact content into the sets of unknown
//     content from temporary sets, then unused sets are destroyed.
//
// Entries are added before the old ones are deleted, so a destination moving between targets is never unmatched;
// when a chain or jump cannot be written (the xtables lock held past the wait, say), step 4 is left to an Apply
// that writes them.
// Within Config.VerifyInterval of a full Apply, and with the same targets, only step 1 and the deletions of step 4
// run, in one restore.
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
	return errors.Join(append(errs, n.reconcile(ctx, want, st))...)
}

// reconcile re-reads the kernel and brings sets, chains and jumps to want, repairing any drift.
func (n *Netfilter) reconcile(ctx context.Context, want map[forwarding.Family][]targetSet, st *Stats) error {
	var errs []error
	live, err := listSets(ctx, n.runner)
	if err != nil {
		return err
	}
	var adds, dels ipsetScript
	next := map[string][]netip.AddrPort{}
	targets := map[string]netip.AddrPort{}
	for _, t := range n.families {
		for _, ts := range want[t.family] {
			n.planSet(ts, live, &adds, &dels, st)
			next[ts.name] = ts.entries
			targets[ts.name] = ts.target
			st.Entries += len(ts.entries)
			st.Targets++
		}
	}
	if adds.Len() > 0 {
		if err := restoreSets(ctx, n.runner, adds.Bytes()); err != nil {
			n.applied = nil
			return err
		}
	}
	for _, t := range n.families {
		if err := n.syncChain(ctx, t, want[t.family], st); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := n.syncJumps(t, st); err != nil {
			errs = append(errs, err)
		}
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

// planSet adds the commands that bring one set to ts: increments when its live content is known, else a rebuild.
// A set that exists with unknown content (restart, failure, drift) may hold destinations whose new set is still
// being filled, so its rebuild waits for the deletions, after the chain: first every wanted entry is added.
func (n *Netfilter) planSet(ts targetSet, live map[string]setInfo, adds, dels *ipsetScript, st *Stats) {
	info, exists := live[ts.name]
	prev, known := n.applied[ts.name]
	if !exists || !info.matches(ts) {
		adds.rebuild(ts)
		st.SetsRebuilt++
		return
	}
	if !known || info.entries != len(prev) {
		for _, e := range ts.entries {
			adds.add(ts.name, e)
		}
		dels.rebuild(ts)
		st.SetsRebuilt++
		return
	}
	added, removed := diffSorted(prev, ts.entries)
	for _, e := range added {
		adds.add(ts.name, e)
	}
	for _, e := range removed {
		dels.del(ts.name, e)
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
