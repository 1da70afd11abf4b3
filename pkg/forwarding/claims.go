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
	"cmp"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// claims records who claims which address. Each address maps to the head of a short linked list of claims in one
// shared slice, so 100k nodes cost one map entry and one slice element per address and no per-address allocation.
type claims struct {
	head map[[16]byte]int32
	list []claim
}

// claim is one owner's claim on an address and the index of the next claim on the same address, or -1.
type claim struct {
	owner ipam.Owner
	next  int32
}

// newClaims returns an empty claim table sized for about n addresses.
func newClaims(n int) *claims {
	return &claims{head: make(map[[16]byte]int32, n), list: make([]claim, 0, n)}
}

// add records o's claim on addr. Invalid addresses are ignored, IPv4-mapped addresses count as IPv4, and a
// second claim by the same object (kind and name) on the same address is dropped, so nothing conflicts with itself.
func (c *claims) add(addr netip.Addr, o ipam.Owner) {
	key, ok := keyOf(addr)
	if !ok {
		return
	}
	next, ok := c.head[key]
	if !ok {
		next = -1
	}
	for i := next; i >= 0; i = c.list[i].next {
		if sameObject(c.list[i].owner, o) {
			return
		}
	}
	c.list = append(c.list, claim{owner: o, next: next})
	c.head[key] = int32(len(c.list) - 1)
}

// keyOf returns the map key of addr, its 16-byte form with IPv4-mapped addresses unmapped first (so IPv4 keys
// are distinct from every IPv6 key), and false for an invalid address. A pointer-free key keeps the map out
// of the garbage collector's scans.
func keyOf(addr netip.Addr) ([16]byte, bool) {
	if !addr.IsValid() {
		return [16]byte{}, false
	}
	return addr.Unmap().As16(), true
}

// addNode claims every IP among a node's status addresses under the address's type.
func (c *claims) addNode(name string, addrs []corev1.NodeAddress) {
	for _, na := range addrs {
		if !mayBeIP(na.Address) {
			continue
		}
		if a, ok := ipam.ParseRecorded(na.Address); ok {
			c.add(a, ipam.Owner{Kind: ipam.KindNode, Name: name, AddressType: string(na.Type)})
		}
	}
}

// mayBeIP reports whether s could be an IP address for ipam.ParseRecorded: before any zone it holds only hex
// digits, dots, colons and whitespace. It spares the parser (and its error allocations) every host name.
func mayBeIP(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			return true
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == '.', c == ':', c == ' ', c == '\t':
		default:
			return false
		}
	}
	return true
}

// others returns the claims on addr by objects other than self's, sorted by kind, name and address type.
func (c *claims) others(addr netip.Addr, self ipam.Owner) []ipam.Owner {
	var out []ipam.Owner
	key, ok := keyOf(addr)
	if !ok {
		return nil
	}
	head, ok := c.head[key]
	if !ok {
		return nil
	}
	for i := head; i >= 0; i = c.list[i].next {
		if !sameObject(c.list[i].owner, self) {
			out = append(out, c.list[i].owner)
		}
	}
	slices.SortFunc(out, compareOwners)
	return out
}

// sameObject reports whether two owners are the same claimant; the address type only describes a claim.
func sameObject(a, b ipam.Owner) bool { return a.Kind == b.Kind && a.Name == b.Name }

// compareOwners orders owners by kind, name, then address type.
func compareOwners(a, b ipam.Owner) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.AddressType, b.AddressType))
}
