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
	"strings"
)

// ParseCIDR parses s as a CIDR such as 10.0.0.0/24 or fd00::/64.
//
// Host bits must be zero (10.0.0.5/24 is ambiguous between a network and a host, so it is rejected with a hint),
// IPv4 fields must be strict dotted decimal, and IPv4-mapped IPv6 prefixes and zones are rejected.
func ParseCIDR(s string) (netip.Prefix, error) {
	addrPart, _, ok := strings.Cut(s, "/")
	if !ok {
		return netip.Prefix{}, fmt.Errorf("%w %s: want address/prefix-length", ErrInvalidCIDR, quote(s))
	}
	if reason := formProblem(addrPart); reason != "" {
		return netip.Prefix{}, fmt.Errorf("%w %s: %s", ErrInvalidCIDR, quote(s), reason)
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%w %s: the prefix length must be plain decimal and fit the address family", ErrInvalidCIDR, quote(s))
	}
	if p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("%w %s: IPv4-mapped IPv6 prefixes are ambiguous; write the IPv4 CIDR", ErrInvalidCIDR, quote(s))
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("%w %s: host bits are set; did you mean %s?", ErrInvalidCIDR, quote(s), m)
	}
	return p, nil
}

// InCIDRs reports whether addr lies in any of cidrs, such as the cluster's Service CIDRs.
// IPv4-mapped IPv6 addresses and prefixes are compared as IPv4, and an address zone is ignored.
func InCIDRs(addr netip.Addr, cidrs []netip.Prefix) bool {
	if !addr.IsValid() {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, p := range cidrs {
		if unmapPrefix(p).Contains(addr) {
			return true
		}
	}
	return false
}

// unmapPrefix turns an IPv4-mapped IPv6 prefix of at least 96 bits into the IPv4 prefix it maps, masked.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96).Masked()
	}
	return p.Masked()
}
