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
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"sort"
)

// LowestFree returns the lowest allocatable address that isTaken rejects, trying the pools in flag order.
//
// Each pool is walked from its first host address and the walk stops at the first free address, so the cost is
// proportional to the number of taken addresses before it (O(1) for a mostly free /8), never to the pool size
// unless the pool is nearly full. isTaken should combine every reason an address is unavailable (the Index,
// cloudcore addresses, the Service CIDR); it is called without any lock held by this package.
func (ps *Pools) LowestFree(isTaken func(netip.Addr) bool) (netip.Addr, error) {
	if !ps.Configured() {
		return netip.Addr{}, fmt.Errorf("%w: no edge IP pool is configured", ErrPoolExhausted)
	}
	for _, p := range ps.prefixes {
		first, last := hostRange(p)
		for a := first; a.IsValid() && a.Compare(last) <= 0; a = a.Next() {
			if !isTaken(a) {
				return a, nil
			}
		}
	}
	return netip.Addr{}, fmt.Errorf("%w: no free IP address left in %s", ErrPoolExhausted, ps)
}

// LowestFreeSorted returns the same address as LowestFree when taken is everything unavailable, given as a slice
// sorted strictly ascending by netip.Addr.Compare (no duplicates; addresses outside the pools are allowed).
//
// It needs O(log n) comparisons per pool instead of one lookup per taken address: within a pool the k-th taken
// host address equals first+k exactly until the first gap, so the gap is found by binary search. It suits batch
// allocation from a sorted snapshot, where one sort serves many allocations.
func (ps *Pools) LowestFreeSorted(taken []netip.Addr) (netip.Addr, error) {
	if !ps.Configured() {
		return netip.Addr{}, fmt.Errorf("%w: no edge IP pool is configured", ErrPoolExhausted)
	}
	for _, p := range ps.prefixes {
		first, last := hostRange(p)
		lo, _ := slices.BinarySearchFunc(taken, first, netip.Addr.Compare)
		hi, found := slices.BinarySearchFunc(taken, last, netip.Addr.Compare)
		if found {
			hi++
		}
		gap := firstGap(taken[lo:hi], first)
		if free, ok := addOffset(first, uint64(gap)); ok && free.Compare(last) <= 0 {
			return free, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("%w: no free IP address left in %s", ErrPoolExhausted, ps)
}

// firstGap returns the smallest i with in[i] != first+i, or len(in). in must be strictly ascending and >= first,
// which makes offset(in[i]) >= i and the predicate monotone.
func firstGap(in []netip.Addr, first netip.Addr) int {
	return sort.Search(len(in), func(i int) bool {
		off, ok := offset(in[i], first)
		return !ok || off != uint64(i)
	})
}

// offset returns a-base when a >= base and the difference fits in 64 bits.
func offset(a, base netip.Addr) (uint64, bool) {
	ah, al := halves(a)
	bh, bl := halves(base)
	lo, borrow := bits.Sub64(al, bl, 0)
	hi, _ := bits.Sub64(ah, bh, borrow)
	return lo, hi == 0 && a.Compare(base) >= 0
}

// addOffset returns a+n, and false when the sum leaves a's address family.
func addOffset(a netip.Addr, n uint64) (netip.Addr, bool) {
	h, l := halves(a)
	l, carry := bits.Add64(l, n, 0)
	h, overflow := bits.Add64(h, 0, carry)
	if overflow != 0 {
		return netip.Addr{}, false
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], h)
	binary.BigEndian.PutUint64(b[8:], l)
	sum := netip.AddrFrom16(b)
	if a.Is4() {
		if !sum.Is4In6() {
			return netip.Addr{}, false
		}
		return sum.Unmap(), true
	}
	return sum, true
}

// halves returns the 128-bit IPv6 (or IPv4-mapped) form of a as high and low 64-bit words.
func halves(a netip.Addr) (hi, lo uint64) {
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}
