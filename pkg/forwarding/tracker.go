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

package forwarding

import (
	"net/netip"
	"slices"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// Tracker keeps the desired set as nodes and globals change. A node change re-evaluates only that node and the
// edge nodes claiming an address it claims or claimed, so it costs O(1) at any cluster size; a change of the
// globals re-evaluates every edge node. After every Flush, Rules and Conflicts equal Compute's for the same
// input. A Tracker is not safe for concurrent use.
type Tracker struct {
	globals      Globals
	globalClaims []addressClaim
	claims       claimIndex
	eval         evaluator
	nodes        map[string]*trackedNode
	// dirty lists the nodes to re-evaluate at the next Flush; each has its dirty flag set.
	dirty []*trackedNode

	edgeNodes int
	forwarded map[Family]int
	entries   map[Family]int
	conflicts int

	rulesCache     []Rule
	rulesValid     bool
	conflictsCache []Conflict
	conflictsValid bool
}

// trackedNode is a node as last set, and its rules and conflicts as of the last Flush.
type trackedNode struct {
	edge      bool
	gone      bool
	dirty     bool
	node      EdgeNode
	internal  parsedIP
	rules     []Rule
	conflicts []Conflict
}

// Delta is what a Flush changed: the rules to add and to remove. A destination that moved between nodes with
// the same target appears in neither.
type Delta struct {
	Added   []Rule
	Removed []Rule
	// ConflictsChanged reports whether Conflicts changed.
	ConflictsChanged bool
}

// Empty reports whether the delta changes no rule.
func (d *Delta) Empty() bool { return len(d.Added) == 0 && len(d.Removed) == 0 }

// NewTracker returns an empty Tracker with zero globals.
func NewTracker() *Tracker {
	t := &Tracker{claims: claimIndex{}, nodes: map[string]*trackedNode{},
		forwarded: map[Family]int{}, entries: map[Family]int{}}
	t.eval = newEvaluator(&t.globals, t.claims)
	t.globalClaims = t.globals.addressClaims()
	for _, gc := range t.globalClaims {
		_, _, _ = t.claims.add(gc.addr, gc.owner)
	}
	return t
}

// SetGlobals replaces the non-node input. When it differs from the current one, every edge node is re-evaluated
// at the next Flush.
func (t *Tracker) SetGlobals(g Globals) {
	if t.globals.Equal(&g) {
		return
	}
	for _, gc := range t.globalClaims {
		if key, ok := keyOf(gc.addr); ok {
			t.claims.remove(key, gc.owner)
		}
	}
	t.globals = g.clone()
	t.globalClaims = t.globals.addressClaims()
	for _, gc := range t.globalClaims {
		_, _, _ = t.claims.add(gc.addr, gc.owner)
	}
	t.eval = newEvaluator(&t.globals, t.claims)
	for _, tn := range t.nodes {
		if tn.edge {
			t.mark(tn)
		}
	}
}

// Reserve sizes an empty Tracker for about n nodes, sparing the map growth of a first load.
func (t *Tracker) Reserve(n int) {
	if len(t.nodes) > 0 || n <= 0 {
		return
	}
	t.nodes = make(map[string]*trackedNode, n)
	t.dirty = make([]*trackedNode, 0, n)
	claims := make(claimIndex, n)
	for k, v := range t.claims {
		claims[k] = v
	}
	t.claims = claims
	t.eval = newEvaluator(&t.globals, t.claims)
}

// SetEdgeNode adds or updates an edge node. Setting a node as it already is changes nothing. The Tracker keeps
// n.Addresses, which must not be modified afterwards (informer objects are not).
func (t *Tracker) SetEdgeNode(n EdgeNode) { t.set(n, true) }

// SetOtherNode adds or updates a non-edge node, whose addresses no edge node may use. It keeps n.Addresses too.
func (t *Tracker) SetOtherNode(n Node) { t.set(EdgeNode{Name: n.Name, Addresses: n.Addresses}, false) }

// Delete removes a node; unknown names are ignored.
func (t *Tracker) Delete(name string) {
	tn, ok := t.nodes[name]
	if !ok || tn.gone {
		return
	}
	t.withdraw(tn)
	if tn.edge {
		t.edgeNodes--
	}
	tn.gone = true
	t.mark(tn)
}

// Retain deletes every node for which keep returns false.
func (t *Tracker) Retain(keep func(name string) bool) {
	for name, tn := range t.nodes {
		if !tn.gone && !keep(name) {
			t.Delete(name)
		}
	}
}

// set records n, withdrawing its previous claims and marking every node whose evaluation may change.
func (t *Tracker) set(n EdgeNode, edge bool) {
	tn, ok := t.nodes[n.Name]
	switch {
	case !ok:
		tn = &trackedNode{}
		t.nodes[n.Name] = tn
	case !tn.gone && tn.edge == edge && sameNode(&tn.node, &n):
		return
	case !tn.gone:
		t.withdraw(tn)
		if tn.edge {
			t.edgeNodes--
		}
	}
	tn.gone, tn.edge = false, edge
	tn.node = n
	tn.internal = parsedIP{}
	if edge {
		tn.internal = parseInternalIP(n.InternalIP)
		t.edgeNodes++
	}
	nodeClaims(n.Name, tn.node.Addresses, tn.internal.addr, func(a netip.Addr, o ipam.Owner) {
		if key, shared, ok := t.claims.add(a, o); ok && shared {
			t.markClaimants(key)
		}
	})
	t.mark(tn)
}

// withdraw removes tn's claims, marking the nodes that claimed the same addresses.
func (t *Tracker) withdraw(tn *trackedNode) {
	nodeClaims(tn.node.Name, tn.node.Addresses, tn.internal.addr, func(a netip.Addr, o ipam.Owner) {
		if key, ok := keyOf(a); ok {
			t.claims.remove(key, o)
			t.markClaimants(key)
		}
	})
	t.mark(tn)
}

// mark queues tn for re-evaluation at the next Flush.
func (t *Tracker) mark(tn *trackedNode) {
	if !tn.dirty {
		tn.dirty = true
		t.dirty = append(t.dirty, tn)
	}
}

// markClaimants marks the node claimants of key for re-evaluation.
func (t *Tracker) markClaimants(key [16]byte) {
	t.claims.each(key, func(o ipam.Owner) {
		if o.Kind == ipam.KindNode {
			if tn, ok := t.nodes[o.Name]; ok {
				t.mark(tn)
			}
		}
	})
}

// Flush re-evaluates the nodes marked since the last Flush and returns the rule changes.
func (t *Tracker) Flush() Delta { return t.flush(true) }

// Settle is Flush for a caller that programs Rules in full: it skips building the delta, and reports only
// whether Conflicts changed.
func (t *Tracker) Settle() (conflictsChanged bool) { return t.flush(false).ConflictsChanged }

// flush re-evaluates the marked nodes, collecting the rule changes when collect is set.
func (t *Tracker) flush(collect bool) Delta {
	var d Delta
	for _, tn := range t.dirty {
		tn.dirty = false
		var rules []Rule
		var conflicts []Conflict
		if !tn.gone && tn.edge {
			rules, conflicts = t.eval.node(&tn.node, tn.internal, nil, nil)
		}
		if !slices.Equal(tn.rules, rules) {
			t.rulesValid = false
			t.account(tn.rules, -1)
			t.account(rules, +1)
			if collect {
				d.Added, d.Removed = appendRuleDiff(d.Added, d.Removed, tn.rules, rules)
			}
		}
		if !slices.EqualFunc(tn.conflicts, conflicts, equalConflict) {
			d.ConflictsChanged = true
			t.conflicts += len(conflicts) - len(tn.conflicts)
		}
		tn.rules, tn.conflicts = rules, conflicts
		if tn.gone && t.nodes[tn.node.Name] == tn {
			delete(t.nodes, tn.node.Name)
		}
	}
	clear(t.dirty)
	t.dirty = t.dirty[:0]
	if cap(t.dirty) > 4096 {
		t.dirty = nil // release a first load's list
	}
	d.Added, d.Removed = cancelMoves(d.Added, d.Removed)
	slices.SortFunc(d.Added, compareRules)
	slices.SortFunc(d.Removed, compareRules)
	if d.ConflictsChanged {
		t.conflictsValid = false
	}
	return d
}

// account adds sign × one node's rules to the entry and forwarded-node counts; a node's rules share its family.
func (t *Tracker) account(rules []Rule, sign int) {
	if len(rules) == 0 {
		return
	}
	t.forwarded[rules[0].Family()] += sign
	for _, r := range rules {
		t.entries[r.Family()] += sign
	}
}

// Rules returns every rule as of the last Flush, sorted as Compute sorts them. The slice is shared: do not modify.
func (t *Tracker) Rules() []Rule {
	if !t.rulesValid {
		total := 0
		for _, n := range t.entries {
			total += n
		}
		if cap(t.rulesCache) < total {
			t.rulesCache = make([]Rule, 0, total)
		}
		t.rulesCache = t.rulesCache[:0]
		for _, tn := range t.nodes {
			t.rulesCache = append(t.rulesCache, tn.rules...)
		}
		slices.SortFunc(t.rulesCache, compareRules)
		t.rulesValid = true
	}
	return t.rulesCache
}

// Conflicts returns every conflict as of the last Flush, sorted as Compute sorts them. The slice is shared.
func (t *Tracker) Conflicts() []Conflict {
	if !t.conflictsValid {
		t.conflictsCache = make([]Conflict, 0, t.conflicts)
		for _, tn := range t.nodes {
			t.conflictsCache = append(t.conflictsCache, tn.conflicts...)
		}
		slices.SortFunc(t.conflictsCache, compareConflicts)
		t.conflictsValid = true
	}
	return t.conflictsCache
}

// EdgeNodes is the number of edge nodes set and not deleted.
func (t *Tracker) EdgeNodes() int { return t.edgeNodes }

// ForwardedNodes is the number of edge nodes of family f with at least one rule, as of the last Flush.
func (t *Tracker) ForwardedNodes(f Family) int { return t.forwarded[f] }

// Entries is the number of rules of family f, as of the last Flush.
func (t *Tracker) Entries(f Family) int { return t.entries[f] }

// ConflictCount is the number of conflicts, as of the last Flush.
func (t *Tracker) ConflictCount() int { return t.conflicts }

// Globals returns the current globals.
func (t *Tracker) Globals() Globals { return t.globals }

// sameNode reports whether two nodes evaluate alike: same InternalIP, kubelet port and addresses.
func sameNode(a, b *EdgeNode) bool {
	return a.InternalIP == b.InternalIP && a.KubeletPort == b.KubeletPort && slices.Equal(a.Addresses, b.Addresses)
}

// equalConflict compares conflicts field by field.
func equalConflict(a, b Conflict) bool {
	return a.Node == b.Node && a.IP == b.IP && a.Reason == b.Reason && a.Message == b.Message && slices.Equal(a.Others, b.Others)
}

// appendRuleDiff appends the rules only in next to added and those only in prev to removed; both lists are one
// node's, a handful of rules.
func appendRuleDiff(added, removed, prev, next []Rule) ([]Rule, []Rule) {
	for _, r := range next {
		if !slices.Contains(prev, r) {
			added = append(added, r)
		}
	}
	for _, r := range prev {
		if !slices.Contains(next, r) {
			removed = append(removed, r)
		}
	}
	return added, removed
}

// moveKey identifies a kernel entry: the destination in the set of a target.
type moveKey struct{ dst, target netip.AddrPort }

// cancelMoves drops the pairs of an added and a removed rule for the same destination and target, whose node
// changed: the kernel entry stays as it is, and adding then removing it would delete it.
func cancelMoves(added, removed []Rule) ([]Rule, []Rule) {
	if len(added) == 0 || len(removed) == 0 {
		return added, removed
	}
	gone := make(map[moveKey]int, len(removed))
	for i, r := range removed {
		gone[moveKey{r.Destination, r.Target}] = i
	}
	drop := make([]bool, len(removed))
	added = slices.DeleteFunc(added, func(r Rule) bool {
		i, ok := gone[moveKey{r.Destination, r.Target}]
		if ok && !drop[i] {
			drop[i] = true
			return true
		}
		return false
	})
	kept := removed[:0]
	for i, r := range removed {
		if !drop[i] {
			kept = append(kept, r)
		}
	}
	return added, kept
}
