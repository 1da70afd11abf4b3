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

// Category is the special-address class of an IP address; Usable means none.
type Category int

// The categories Classify returns. Only Usable addresses may be given to an edge node.
const (
	// Usable is an ordinary unicast address.
	Usable Category = iota
	// Invalid is the zero netip.Addr.
	Invalid
	// Unspecified is 0.0.0.0 or ::.
	Unspecified
	// Loopback is 127.0.0.0/8 or ::1.
	Loopback
	// LinkLocalUnicast is 169.254.0.0/16 or fe80::/10.
	LinkLocalUnicast
	// LinkLocalMulticast is 224.0.0.0/24 or ff02::/16.
	LinkLocalMulticast
	// InterfaceLocalMulticast is ff01::/16.
	InterfaceLocalMulticast
	// Multicast is any other multicast address: 224.0.0.0/4 or ff00::/8.
	Multicast
	// Broadcast is the IPv4 limited broadcast address 255.255.255.255.
	Broadcast
	// Reserved is a range that is not routable unicast: 0.0.0.0/8, 240.0.0.0/4, ::/96, 100::/64, fec0::/10.
	Reserved
)

// String implements fmt.Stringer.
func (c Category) String() string {
	switch c {
	case Usable:
		return "Usable"
	case Invalid:
		return "Invalid"
	case Unspecified:
		return "Unspecified"
	case Loopback:
		return "Loopback"
	case LinkLocalUnicast:
		return "LinkLocalUnicast"
	case LinkLocalMulticast:
		return "LinkLocalMulticast"
	case InterfaceLocalMulticast:
		return "InterfaceLocalMulticast"
	case Multicast:
		return "Multicast"
	case Broadcast:
		return "Broadcast"
	case Reserved:
		return "Reserved"
	}
	return fmt.Sprintf("Category(%d)", int(c))
}

// describe completes "IP address X ..." for an error message; r is the special range that matched.
func (c Category) describe(r netip.Prefix) string {
	switch c {
	case Invalid:
		return "is not set"
	case Unspecified:
		return "is the unspecified address"
	case Loopback:
		return "is a loopback address"
	case LinkLocalUnicast:
		return "is a link-local unicast address"
	case LinkLocalMulticast:
		return "is a link-local multicast address"
	case InterfaceLocalMulticast:
		return "is an interface-local multicast address"
	case Multicast:
		return "is a multicast address"
	case Broadcast:
		return "is the IPv4 limited broadcast address"
	case Reserved:
		return fmt.Sprintf("is in the reserved range %s (%s)", r, reservedWhy[r])
	}
	return "is usable"
}

// specialRange is one row of the special-address table.
type specialRange struct {
	prefix   netip.Prefix
	category Category
}

// specials lists the special ranges, most specific first, so the first match names the category.
//
// Deliberately absent, because real edge networks and our tests use them as ordinary unicast:
//   - 100.64.0.0/10 (carrier-grade NAT, RFC 6598): many edge sites sit behind CGNAT and number hosts from it;
//   - 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 (documentation, RFC 5737/3849): they are
//     special only by convention, are not routed on the public internet and are safe to use on a test cluster,
//     which is why demos and tests use them;
//   - private ranges (RFC 1918), unique-local fc00::/7 and benchmarking 198.18.0.0/15.
var specials = []specialRange{
	{netip.MustParsePrefix("0.0.0.0/32"), Unspecified},
	{netip.MustParsePrefix("0.0.0.0/8"), Reserved},
	{netip.MustParsePrefix("127.0.0.0/8"), Loopback},
	{netip.MustParsePrefix("169.254.0.0/16"), LinkLocalUnicast},
	{netip.MustParsePrefix("224.0.0.0/24"), LinkLocalMulticast},
	{netip.MustParsePrefix("224.0.0.0/4"), Multicast},
	{netip.MustParsePrefix("255.255.255.255/32"), Broadcast},
	{netip.MustParsePrefix("240.0.0.0/4"), Reserved},
	{netip.MustParsePrefix("::/128"), Unspecified},
	{netip.MustParsePrefix("::1/128"), Loopback},
	{netip.MustParsePrefix("::/96"), Reserved},
	{netip.MustParsePrefix("100::/64"), Reserved},
	{netip.MustParsePrefix("fe80::/10"), LinkLocalUnicast},
	{netip.MustParsePrefix("fec0::/10"), Reserved},
	{netip.MustParsePrefix("ff01::/16"), InterfaceLocalMulticast},
	{netip.MustParsePrefix("ff02::/16"), LinkLocalMulticast},
	{netip.MustParsePrefix("ff00::/8"), Multicast},
}

// reservedWhy says why each Reserved range is reserved, for error messages.
var reservedWhy = map[netip.Prefix]string{
	netip.MustParsePrefix("0.0.0.0/8"):   `"this network", RFC 1122`,
	netip.MustParsePrefix("240.0.0.0/4"): "reserved for future use, RFC 1112",
	netip.MustParsePrefix("::/96"):       "IPv4-compatible IPv6, deprecated by RFC 4291",
	netip.MustParsePrefix("100::/64"):    "discard-only, RFC 6666",
	netip.MustParsePrefix("fec0::/10"):   "site-local, deprecated by RFC 3879",
}

// Classify returns the special category of addr, Usable for an ordinary unicast address.
// An IPv4-mapped IPv6 address is classified as the IPv4 address it maps, and a zone is ignored.
func Classify(addr netip.Addr) Category {
	c, _ := classify(addr)
	return c
}

// classify returns the category of addr and the special range that matched.
func classify(addr netip.Addr) (Category, netip.Prefix) {
	if !addr.IsValid() {
		return Invalid, netip.Prefix{}
	}
	addr = addr.Unmap().WithZone("")
	for _, s := range specials {
		if s.prefix.Contains(addr) {
			return s.category, s.prefix
		}
	}
	return Usable, netip.Prefix{}
}

// CheckUsable returns an error naming the category when addr is special and must not be given to an edge node:
// unspecified, loopback, link-local unicast or multicast, multicast, IPv4 broadcast or reserved.
// A zone or an unset address is rejected as invalid.
func CheckUsable(addr netip.Addr) error {
	if !addr.IsValid() {
		return &AddressError{Reason: "the address is not set"}
	}
	if addr.Zone() != "" {
		return &AddressError{Input: addr.String(), Reason: "it has an IPv6 zone (%...); zones are not allowed"}
	}
	if c, r := classify(addr); c != Usable {
		return &UnusableAddressError{Addr: addr.Unmap(), Category: c, Range: r}
	}
	return nil
}

// overlapsSpecial returns the first special range that overlaps p, if any.
func overlapsSpecial(p netip.Prefix) (specialRange, bool) {
	for _, s := range specials {
		if s.prefix.Overlaps(p) {
			return s, true
		}
	}
	return specialRange{}, false
}
