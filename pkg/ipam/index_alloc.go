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
	"fmt"
	"net/netip"
)

// LowestFree returns the lowest allocatable pool address (pools in flag order) that no owner in the index claims
// and that lies in none of exclude, such as the Service CIDRs. Cloudcore and host addresses block allocation once
// they are in the index under KindCloudCore and KindHost.
//
// The index keeps, per pool, a frontier below which every host address is claimed except a heap of holes, the
// addresses freed since. The lowest free address is the smallest hole or the frontier, so allocation costs O(log h)
// for h holes instead of a walk over every taken address; only the first call for a pool walks its taken prefix.
// The result is free when the call returns; making it durable (a Lease create) and recording it with Set is the
// caller's job, and a concurrent caller may be handed the same address until then.
func (x *Index) LowestFree(ps *Pools, exclude []netip.Prefix) (netip.Addr, error) {
	if !ps.Configured() {
		return netip.Addr{}, fmt.Errorf("%w: no edge IP pool is configured", ErrPoolExhausted)
	}
	for _, p := range ps.prefixes {
		if a, ok := x.lowestFreeIn(p, exclude); ok {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("%w: no free IP address left in %s", ErrPoolExhausted, ps)
}

// poolState is the allocation memory of one pool: every host address below frontier is claimed, except holes.
type poolState struct {
	frontier netip.Addr
	holes    addrHeap
}

// lowestFreeIn returns the lowest free address of pool p, walking under the read lock and recording what the walk
// learnt under the write lock, unless an address was freed in between.
func (x *Index) lowestFreeIn(p netip.Prefix, exclude []netip.Prefix) (netip.Addr, bool) {
	first, last := hostRange(p)
	x.mu.RLock()
	st := x.pools[p]
	if st != nil && st.holes.Len() > 0 {
		if hole := st.holes.Min(); !InCIDRs(hole, exclude) {
			x.mu.RUnlock()
			return hole, true
		}
		st = nil // an excluded hole: walk the whole pool and learn nothing
	}
	start := first
	if st != nil && st.frontier.Compare(start) > 0 {
		start = st.frontier
	}
	gen := x.freed
	free, frontier := x.walk(start, last, exclude)
	x.mu.RUnlock()

	x.mu.Lock()
	defer x.mu.Unlock()
	if x.freed == gen { // nothing was freed meanwhile, so the frontier is still true
		cur := x.pools[p]
		if cur == nil {
			cur = &poolState{frontier: first, holes: newAddrHeap()}
			x.pools[p] = cur
		}
		if frontier.Compare(cur.frontier) > 0 {
			cur.frontier = frontier
		}
	}
	return free, free.IsValid()
}

// walk returns the first free address in [start, last] outside exclude (zero if none) and how far the walk proved
// every address claimed: the free address, or the first excluded one, or past last. x.mu must be held.
func (x *Index) walk(start, last netip.Addr, exclude []netip.Prefix) (free, frontier netip.Addr) {
	frontier, advancing := start, true
	for a := start; a.IsValid() && a.Compare(last) <= 0; {
		if ex, ok := containing(exclude, a); ok {
			advancing = false // the frontier covers index claims only, never excluded ranges
			a = lastAddr(ex).Next()
			continue
		}
		k, _ := keyOf(a)
		if _, taken := x.first[k]; !taken {
			if advancing {
				frontier = a
			}
			return a, frontier
		}
		a = a.Next()
		if advancing && a.IsValid() {
			frontier = a
		}
	}
	return netip.Addr{}, frontier
}

// containing returns the first prefix of ps that contains a.
func containing(ps []netip.Prefix, a netip.Addr) (netip.Prefix, bool) {
	for _, p := range ps {
		if p = unmapPrefix(p); p.Contains(a) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// freedAddr records that k became free: an allocatable address below a pool's frontier becomes a hole; network
// and broadcast addresses never do. x.mu must be held.
func (x *Index) freedAddr(k addrKey) {
	x.freed++
	if len(x.pools) == 0 {
		return
	}
	a := k.addr()
	for p, st := range x.pools {
		if first, last := hostRange(p); p.Contains(a) && a.Compare(first) >= 0 && a.Compare(last) <= 0 &&
			a.Compare(st.frontier) < 0 {
			st.holes.Push(a)
		}
	}
}

// claimedAddr records that k, free until now, is claimed: it is no longer a hole. x.mu must be held.
func (x *Index) claimedAddr(k addrKey) {
	if len(x.pools) == 0 {
		return
	}
	a := k.addr()
	for p, st := range x.pools {
		if p.Contains(a) {
			st.holes.Remove(a)
		}
	}
}
