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

package ipam

import (
	"cmp"
	"net/netip"
	"slices"
	"sync"
)

// Index records which owners claim which addresses, for O(1) uniqueness checks over every Node, reservation,
// cloudcore and host address. It is safe for concurrent use; the zero value is not, use NewIndex.
//
// Memory is kept small for 100k Nodes with 2-3 addresses each: addresses are stored as 16-byte keys, owners are
// interned once and referred to by a 4-byte id, address types by a 2-byte id, and the rare second claimant of an
// address lives in a side map, so an uncontested address costs one 24-byte map entry.
type Index struct {
	mu      sync.RWMutex
	ids     map[objectKey]uint32
	objects []object
	free    []uint32
	first   map[addrKey]ref
	more    map[addrKey][]ref
	typeIDs map[string]uint16
	types   []string
	// pools is the allocation memory of LowestFree; freed counts freed addresses, to validate a walk.
	pools map[netip.Prefix]*poolState
	freed uint64
}

// maxTypes bounds the number of distinct address types the Index interns; real clusters use about five.
const maxTypes = 1024

// overflowType names every address type beyond maxTypes.
const overflowType = "Other"

// addrKey is an address in its 16-byte form; every stored address is unmapped and zoneless, so keys never collide.
type addrKey [16]byte

// objectKey identifies a claimant.
type objectKey struct {
	kind Kind
	name string
}

// ref is one claim on an address: the object id and the address type id.
type ref struct {
	obj uint32
	typ uint16
}

// claim is one address of an object with its address type id.
type claim struct {
	addr addrKey
	typ  uint16
}

// object is an interned claimant and its claims; a free slot has no claims.
type object struct {
	key    objectKey
	claims []claim
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	return &Index{
		ids:     map[objectKey]uint32{},
		first:   map[addrKey]ref{},
		more:    map[addrKey][]ref{},
		typeIDs: map[string]uint16{},
		pools:   map[netip.Prefix]*poolState{},
	}
}

// keyOf returns the map key of addr and whether addr is valid.
func keyOf(addr netip.Addr) (addrKey, bool) {
	if !addr.IsValid() {
		return addrKey{}, false
	}
	return addr.Unmap().WithZone("").As16(), true
}

// addr returns the address a key stands for.
func (k addrKey) addr() netip.Addr { return netip.AddrFrom16(k).Unmap() }

// Set replaces the addresses owner's object claims under owner.AddressType with addrs, leaving its claims under
// other address types alone. Invalid addresses are ignored; IPv4-mapped addresses are stored as IPv4. An empty
// addrs removes the claims of that type.
func (x *Index) Set(owner Owner, addrs []netip.Addr) {
	x.mu.Lock()
	defer x.mu.Unlock()
	obj := objectKey{owner.Kind, owner.Name}
	id, exists := x.ids[obj]
	var old []claim
	if exists {
		old = x.objects[id].claims
	}
	typ := x.typeID(owner.AddressType)
	next := make([]claim, 0, len(old)+len(addrs))
	for _, c := range old {
		if c.typ != typ {
			next = append(next, c)
		}
	}
	kept := len(next)
	for _, a := range addrs {
		if k, ok := keyOf(a); ok {
			next = append(next, claim{k, typ})
		}
	}
	x.replace(obj, dedupe(next, kept))
}

// dedupe removes repeated claims from claims[from:] in place, keeping the first of each; claims[:from] are
// distinct already and differ from the rest in type.
func dedupe(claims []claim, from int) []claim {
	out := claims[:from]
	if len(claims)-from <= 16 {
		for _, c := range claims[from:] {
			if !slices.Contains(out[from:], c) {
				out = append(out, c)
			}
		}
		return out
	}
	seen := make(map[claim]struct{}, len(claims)-from)
	for _, c := range claims[from:] {
		if _, dup := seen[c]; !dup {
			seen[c] = struct{}{}
			out = append(out, c)
		}
	}
	return out
}

// Remove drops every claim of owner's object, whatever the address type.
func (x *Index) Remove(owner Owner) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.replace(objectKey{owner.Kind, owner.Name}, nil)
}

// replace makes claims the complete claim list of obj, updating the address maps by difference. x.mu must be held.
func (x *Index) replace(obj objectKey, claims []claim) {
	id, exists := x.ids[obj]
	if !exists {
		if len(claims) == 0 {
			return
		}
		id = x.alloc(obj)
	}
	old := x.objects[id].claims
	if slices.Equal(old, claims) {
		return
	}
	inOld, inNew := membership(old), membership(claims)
	for _, c := range old {
		if !inNew(c) {
			x.unlink(c.addr, ref{id, c.typ})
		}
	}
	for _, c := range claims {
		if !inOld(c) {
			x.link(c.addr, ref{id, c.typ})
		}
	}
	if len(claims) == 0 {
		x.objects[id] = object{}
		delete(x.ids, obj)
		x.free = append(x.free, id)
		return
	}
	if cap(claims) > len(claims) {
		claims = slices.Clone(claims)
	}
	x.objects[id].claims = claims
}

// membership returns a membership test for claims: a linear scan for the usual handful of claims, a set beyond.
func membership(claims []claim) func(claim) bool {
	if len(claims) <= 16 {
		return func(c claim) bool { return slices.Contains(claims, c) }
	}
	set := make(map[claim]struct{}, len(claims))
	for _, c := range claims {
		set[c] = struct{}{}
	}
	return func(c claim) bool { _, ok := set[c]; return ok }
}

// alloc interns obj and returns its id. x.mu must be held.
func (x *Index) alloc(obj objectKey) uint32 {
	var id uint32
	if n := len(x.free); n > 0 {
		id = x.free[n-1]
		x.free = x.free[:n-1]
		x.objects[id] = object{key: obj}
	} else {
		id = uint32(len(x.objects))
		x.objects = append(x.objects, object{key: obj})
	}
	x.ids[obj] = id
	return id
}

// typeID interns an address type. Past maxTypes distinct types, further ones share the name "Other", which
// keeps a misbehaving caller from growing the table without bound. x.mu must be held.
func (x *Index) typeID(t string) uint16 {
	if id, ok := x.typeIDs[t]; ok {
		return id
	}
	if len(x.types) >= maxTypes {
		if id, ok := x.typeIDs[overflowType]; ok {
			return id
		}
		t = overflowType
	}
	id := uint16(len(x.types))
	x.types = append(x.types, t)
	x.typeIDs[t] = id
	return id
}

// link adds r as a claimant of k. x.mu must be held.
func (x *Index) link(k addrKey, r ref) {
	if _, taken := x.first[k]; !taken {
		x.first[k] = r
		x.claimedAddr(k)
		return
	}
	x.more[k] = append(x.more[k], r)
}

// unlink removes r as a claimant of k, promoting a side-map claimant when r was the first. x.mu must be held.
func (x *Index) unlink(k addrKey, r ref) {
	rest := x.more[k]
	if x.first[k] == r {
		if len(rest) == 0 {
			delete(x.first, k)
			x.freedAddr(k)
			return
		}
		x.first[k] = rest[0]
		rest = rest[1:]
	} else if i := slices.Index(rest, r); i >= 0 {
		rest = slices.Delete(slices.Clone(rest), i, i+1)
	}
	if len(rest) == 0 {
		delete(x.more, k)
	} else {
		x.more[k] = slices.Clone(rest)
	}
}

// IsTaken reports whether any owner claims addr.
func (x *Index) IsTaken(addr netip.Addr) bool {
	k, ok := keyOf(addr)
	if !ok {
		return false
	}
	x.mu.RLock()
	_, taken := x.first[k]
	x.mu.RUnlock()
	return taken
}

// Owners returns every claim on addr, sorted by kind, name and address type; nil when nobody claims it.
func (x *Index) Owners(addr netip.Addr) []Owner {
	k, ok := keyOf(addr)
	if !ok {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.owners(k, nil)
}

// owners returns the sorted claims on k, skipping those of the object skip (nil skips none). x.mu must be held.
func (x *Index) owners(k addrKey, skip *objectKey) []Owner {
	r, taken := x.first[k]
	if !taken {
		return nil
	}
	var out []Owner
	for _, r := range append([]ref{r}, x.more[k]...) {
		o := x.objects[r.obj].key
		if skip == nil || o != *skip {
			out = append(out, Owner{Kind: o.kind, Name: o.name, AddressType: x.types[r.typ]})
		}
	}
	slices.SortFunc(out, compareOwners)
	return out
}

// Conflicts returns the addresses of owner's object (under any address type) that other objects claim too,
// sorted by address. An address listed by the object under two types is reported once, with its first type.
func (x *Index) Conflicts(owner Owner) []Conflict {
	obj := objectKey{owner.Kind, owner.Name}
	x.mu.RLock()
	defer x.mu.RUnlock()
	id, exists := x.ids[obj]
	if !exists {
		return nil
	}
	var out []Conflict
	for i, c := range x.objects[id].claims {
		if slices.ContainsFunc(x.objects[id].claims[:i], func(p claim) bool { return p.addr == c.addr }) {
			continue
		}
		if others := x.owners(c.addr, &obj); len(others) > 0 {
			self := Owner{Kind: obj.kind, Name: obj.name, AddressType: x.types[c.typ]}
			out = append(out, Conflict{Addr: c.addr.addr(), Owner: self, Others: others})
		}
	}
	slices.SortFunc(out, func(a, b Conflict) int { return a.Addr.Compare(b.Addr) })
	return out
}

// AddressesOf returns the addresses owner's object claims under any address type, sorted and de-duplicated.
func (x *Index) AddressesOf(owner Owner) []netip.Addr {
	x.mu.RLock()
	defer x.mu.RUnlock()
	id, exists := x.ids[objectKey{owner.Kind, owner.Name}]
	if !exists {
		return nil
	}
	out := make([]netip.Addr, 0, len(x.objects[id].claims))
	for _, c := range x.objects[id].claims {
		out = append(out, c.addr.addr())
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// Len returns the number of distinct claimed addresses.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.first)
}

// compareOwners orders owners by kind, name, then address type.
func compareOwners(a, b Owner) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.AddressType, b.AddressType))
}
