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

// ErrFullApplyRequired is ApplyDelta's answer when only a full Apply can reach the wanted state: no Apply has
// succeeded since the start or the last failure, or a rule's target has no set yet. Nothing was changed.
var ErrFullApplyRequired = errors.New("a full Apply is required")

// DeltaApplier is a Dataplane that can also apply a change on its own.
type DeltaApplier interface {
	Dataplane
	// ApplyDelta adds and removes rules without re-reading the kernel, or returns ErrFullApplyRequired.
	ApplyDelta(ctx context.Context, added, removed []forwarding.Rule) error
	// Verify re-reads the kernel and repairs any drift from what the last Apply and ApplyDeltas programmed, or
	// returns ErrFullApplyRequired.
	Verify(ctx context.Context) error
}

var _ DeltaApplier = &Netfilter{}

// ApplyDelta adds and removes set entries in one `ipset -exist restore`, adds first, so its kernel work is
// proportional to the change at any number of entries. It relies on the sets a previous Apply left; drift is
// repaired by the next Apply, which also destroys a set the changes left empty. After a failure what the sets hold is unknown, so the next call needs a full Apply.
func (n *Netfilter) ApplyDelta(ctx context.Context, added, removed []forwarding.Rule) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	start := time.Now()
	st := Stats{}
	err := n.applyDelta(ctx, added, removed, &st)
	st.Duration = time.Since(start)
	n.stats = st
	return err
}

// entryChange is one set entry to add or delete.
type entryChange struct {
	set   string
	entry netip.AddrPort
}

// applyDelta does ApplyDelta's work, counting in st.
func (n *Netfilter) applyDelta(ctx context.Context, added, removed []forwarding.Rule, st *Stats) error {
	if n.applied == nil {
		return ErrFullApplyRequired
	}
	adds, err := n.entryChanges(added)
	if err != nil {
		return err
	}
	dels, err := n.entryChanges(removed)
	if err != nil {
		return err
	}
	var script ipsetScript
	for _, c := range adds {
		script.add(c.set, c.entry)
	}
	for _, c := range dels {
		script.del(c.set, c.entry)
	}
	if script.Len() > 0 {
		if err := restoreSets(ctx, n.runner, script.Bytes()); err != nil {
			n.applied, n.verified = nil, time.Time{}
			return err
		}
	}
	for _, c := range adds {
		if i, found := slices.BinarySearchFunc(n.applied[c.set], c.entry, netip.AddrPort.Compare); !found {
			n.applied[c.set] = slices.Insert(n.applied[c.set], i, c.entry)
			st.EntriesAdded++
		}
	}
	for _, c := range dels {
		if i, found := slices.BinarySearchFunc(n.applied[c.set], c.entry, netip.AddrPort.Compare); found {
			n.applied[c.set] = slices.Delete(n.applied[c.set], i, i+1)
			st.EntriesRemoved++
		}
	}
	for _, entries := range n.applied {
		st.Entries += len(entries)
	}
	st.Targets = len(n.applied)
	return nil
}

// entryChanges maps rules to their sets, which the last Apply must have left.
func (n *Netfilter) entryChanges(rules []forwarding.Rule) ([]entryChange, error) {
	out := make([]entryChange, 0, len(rules))
	for _, r := range rules {
		if err := validateRule(r); err != nil {
			return nil, err
		}
		f := r.Family()
		if n.tables(f) == nil {
			return nil, fmt.Errorf("rule %s not programmed: %s not enabled", r, f)
		}
		name := setName(f, r.Target)
		if _, ok := n.applied[name]; !ok {
			return nil, fmt.Errorf("%w: no set for target %s yet", ErrFullApplyRequired, r.Target)
		}
		out = append(out, entryChange{name, r.Destination})
	}
	return out, nil
}

// Verify implements DeltaApplier: Apply's reconciliation, with the wanted state taken from what the last Apply
// and the ApplyDeltas since programmed, so no rule is planned again.
func (n *Netfilter) Verify(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.applied == nil {
		return ErrFullApplyRequired
	}
	start := time.Now()
	want := map[forwarding.Family][]targetSet{}
	for name, entries := range n.applied {
		t := n.targets[name]
		f := forwarding.FamilyOf(t.Addr())
		want[f] = append(want[f], targetSet{family: f, target: t, name: name, entries: entries})
	}
	for _, sets := range want {
		slices.SortFunc(sets, func(a, b targetSet) int { return a.target.Compare(b.target) })
	}
	st := Stats{}
	err := n.reconcile(ctx, want, nil, &st)
	st.Duration = time.Since(start)
	n.stats = st
	return err
}
