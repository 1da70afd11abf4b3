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
	"container/heap"
	"net/netip"
)

// addrHeap is a min-heap of distinct addresses that can also remove any member in O(log n).
type addrHeap struct {
	h *addrSlice
}

// addrSlice implements heap.Interface and tracks each address's position.
type addrSlice struct {
	addrs []netip.Addr
	pos   map[netip.Addr]int
}

// newAddrHeap returns an empty heap.
func newAddrHeap() addrHeap {
	return addrHeap{h: &addrSlice{pos: map[netip.Addr]int{}}}
}

// Len returns the number of addresses in the heap.
func (h addrHeap) Len() int { return len(h.h.addrs) }

// Min returns the smallest address; the heap must not be empty.
func (h addrHeap) Min() netip.Addr { return h.h.addrs[0] }

// Push adds a unless it is already present.
func (h addrHeap) Push(a netip.Addr) {
	if _, ok := h.h.pos[a]; !ok {
		heap.Push(h.h, a)
	}
}

// Remove deletes a if present.
func (h addrHeap) Remove(a netip.Addr) {
	if i, ok := h.h.pos[a]; ok {
		heap.Remove(h.h, i)
	}
}

// Len implements heap.Interface.
func (s *addrSlice) Len() int { return len(s.addrs) }

// Less implements heap.Interface.
func (s *addrSlice) Less(i, j int) bool { return s.addrs[i].Less(s.addrs[j]) }

// Swap implements heap.Interface.
func (s *addrSlice) Swap(i, j int) {
	s.addrs[i], s.addrs[j] = s.addrs[j], s.addrs[i]
	s.pos[s.addrs[i]] = i
	s.pos[s.addrs[j]] = j
}

// Push implements heap.Interface.
func (s *addrSlice) Push(v any) {
	a := v.(netip.Addr)
	s.pos[a] = len(s.addrs)
	s.addrs = append(s.addrs, a)
}

// Pop implements heap.Interface.
func (s *addrSlice) Pop() any {
	n := len(s.addrs) - 1
	a := s.addrs[n]
	s.addrs = s.addrs[:n]
	delete(s.pos, a)
	return a
}
