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
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// targetSet is one DNAT target with the destinations forwarded to it: one ipset and one rule in ChainName.
type targetSet struct {
	family  forwarding.Family
	target  netip.AddrPort
	name    string
	entries []netip.AddrPort
}

// plan groups rules by family and target, sorted by target with sorted entries, after validating them.
// Exact duplicates collapse; one destination with two targets is an error.
//
// At 100k rules sorting dominates, so destinations are sorted as fixed-size integer keys: within one family
// their order is netip.AddrPort.Compare's, which diffSorted relies on.
func plan(rules []forwarding.Rule) (map[forwarding.Family][]targetSet, error) {
	keys := make([]planKey, len(rules))
	for i, r := range rules {
		if err := validateRule(r); err != nil {
			return nil, err
		}
		b := r.Destination.Addr().As16()
		keys[i] = planKey{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:]), port: r.Destination.Port(), rule: int32(i)}
	}
	if !slices.IsSortedFunc(keys, comparePlanKeys) { // forwarding.Compute's output is sorted already
		slices.SortFunc(keys, comparePlanKeys)
	}
	// Two passes over the sorted keys: count each target's entries, then fill exactly sized slices. Targets are
	// few (one per cloudcore), so a slice with a last-hit cache beats a map.
	var groups []*targetSet
	var counts []int
	var last int
	group := func(t netip.AddrPort) int {
		if last < len(groups) && groups[last].target == t {
			return last
		}
		for i, g := range groups {
			if g.target == t {
				last = i
				return i
			}
		}
		f := forwarding.FamilyOf(t.Addr())
		groups = append(groups, &targetSet{family: f, target: t, name: setName(f, t)})
		counts = append(counts, 0)
		last = len(groups) - 1
		return last
	}
	for i, k := range keys {
		r := rules[k.rule]
		if i > 0 && comparePlanKeys(keys[i-1], k) == 0 {
			if prev := rules[keys[i-1].rule]; prev.Target != r.Target {
				return nil, fmt.Errorf("destination %s is forwarded to both %s and %s", r.Destination, prev.Target, r.Target)
			}
			keys[i].rule = -1 // a duplicate, skipped below
			continue
		}
		counts[group(r.Target)]++
	}
	for i, g := range groups {
		g.entries = make([]netip.AddrPort, 0, counts[i])
	}
	for _, k := range keys {
		if k.rule >= 0 {
			r := rules[k.rule]
			g := groups[group(r.Target)]
			g.entries = append(g.entries, r.Destination)
		}
	}
	out := map[forwarding.Family][]targetSet{}
	for _, g := range groups {
		out[g.family] = append(out[g.family], *g)
	}
	for _, sets := range out {
		slices.SortFunc(sets, func(a, b targetSet) int { return a.target.Compare(b.target) })
	}
	return out, nil
}

// Validate returns the error Apply would return for rules before touching the kernel, or nil: a rule that
// cannot be rendered canonically, or a destination forwarded to two targets.
func Validate(rules []forwarding.Rule) error {
	_, err := plan(rules)
	return err
}

// planKey is a destination as integers, for sorting, and the index of its rule.
type planKey struct {
	hi, lo uint64
	port   uint16
	rule   int32
}

// comparePlanKeys orders keys by address, then port.
func comparePlanKeys(a, b planKey) int {
	return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo), cmp.Compare(a.port, b.port))
}

// validateRule checks that a rule can be rendered canonically: valid unzoned unmapped addresses of one family
// and non-zero ports.
func validateRule(r forwarding.Rule) error {
	if err := validateAddrPort(r.Destination); err != nil {
		return fmt.Errorf("rule %s: %w", r, err)
	}
	if err := validateAddrPort(r.Target); err != nil {
		return fmt.Errorf("rule %s: %w", r, err)
	}
	if r.Family() != forwarding.FamilyOf(r.Target.Addr()) {
		return fmt.Errorf("rule %s: destination and target are of different families", r)
	}
	return nil
}

// validateAddrPort checks one address and port of a rule.
func validateAddrPort(ap netip.AddrPort) error {
	a := ap.Addr()
	switch {
	case !a.IsValid():
		return errors.New("address not set")
	case a.Zone() != "":
		return fmt.Errorf("address %s has a zone", a)
	case a.Is4In6():
		return fmt.Errorf("address %s is IPv4-mapped IPv6; unmap it", a)
	case ap.Port() == 0:
		return errors.New("port 0")
	}
	return nil
}

// setName returns the ipset name for a target: SetPrefix, the IP version, "-" and 16 hex digits of the SHA-256 of
// the target, 23 characters in all, well within ipset's 31. The name is stable, so a target keeps its set
// across restarts and changes of other targets.
func setName(f forwarding.Family, target netip.AddrPort) string {
	sum := sha256.Sum256([]byte(target.String()))
	return SetPrefix + strconv.Itoa(int(f)) + "-" + hex.EncodeToString(sum[:8])
}

// tmpSetName is the set a full rebuild fills before swapping it with name.
func tmpSetName(name string) string { return name + "-tmp" }

// ownedSetPrefix returns the name prefix of the sets owned for family f.
func ownedSetPrefix(f forwarding.Family) string { return SetPrefix + strconv.Itoa(int(f)) + "-" }

// diffSorted returns the elements only in want (to add) and only in have (to remove); both must be sorted.
func diffSorted(have, want []netip.AddrPort) (add, remove []netip.AddrPort) {
	i, j := 0, 0
	for i < len(have) && j < len(want) {
		switch c := have[i].Compare(want[j]); {
		case c == 0:
			i++
			j++
		case c < 0:
			remove = append(remove, have[i])
			i++
		default:
			add = append(add, want[j])
			j++
		}
	}
	return append(add, want[j:]...), append(remove, have[i:]...)
}
