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

// Pools is the set of edge IP pools configured with --edge-ip-pool: disjoint IPv4 and IPv6 CIDRs in flag order.
// The zero value has no pools. A Pools is immutable and safe for concurrent use.
type Pools struct {
	prefixes []netip.Prefix
}

// ParsePools parses the --edge-ip-pool values, each one CIDR (surrounding whitespace is trimmed, empty entries are
// skipped). A pool must be canonical, must not overlap another pool and must not overlap a special range such as
// loopback or multicast, so every address a pool hands out passes CheckUsable.
func ParsePools(specs []string) (*Pools, error) {
	ps := &Pools{}
	for _, spec := range specs {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		p, err := ParseCIDR(spec)
		if err != nil {
			return nil, fmt.Errorf("edge IP pool: %w", err)
		}
		if s, bad := overlapsSpecial(p); bad {
			return nil, fmt.Errorf("%w %s: edge IP pool overlaps the special range %s (%s)", ErrInvalidCIDR, quote(spec), s.prefix, s.category)
		}
		for _, q := range ps.prefixes {
			if q.Overlaps(p) {
				return nil, fmt.Errorf("%w %s: edge IP pool overlaps pool %s", ErrInvalidCIDR, quote(spec), q)
			}
		}
		ps.prefixes = append(ps.prefixes, p)
	}
	return ps, nil
}

// Configured reports whether at least one pool is configured.
func (ps *Pools) Configured() bool { return ps != nil && len(ps.prefixes) > 0 }

// Prefixes returns a copy of the pools in flag order.
func (ps *Pools) Prefixes() []netip.Prefix {
	if ps == nil {
		return nil
	}
	return append([]netip.Prefix(nil), ps.prefixes...)
}

// String lists the pools comma-separated, for messages.
func (ps *Pools) String() string {
	if !ps.Configured() {
		return "(none)"
	}
	parts := make([]string, len(ps.prefixes))
	for i, p := range ps.prefixes {
		parts[i] = p.String()
	}
	return strings.Join(parts, ", ")
}

// Contains reports whether addr is an allocatable address of some pool; network and broadcast addresses of IPv4
// pools and the subnet-router anycast address of IPv6 pools are not.
func (ps *Pools) Contains(addr netip.Addr) bool {
	if ps == nil || !addr.IsValid() {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, p := range ps.prefixes {
		if first, last := hostRange(p); p.Contains(addr) {
			return addr.Compare(first) >= 0 && addr.Compare(last) <= 0
		}
	}
	return false
}

// Check returns nil when no pools are configured or addr is allocatable from one, and an error wrapping ErrNotInPool
// that names the pools otherwise.
func (ps *Pools) Check(addr netip.Addr) error {
	if !ps.Configured() || ps.Contains(addr) {
		return nil
	}
	return fmt.Errorf("IP address %s is %w %s", addr.Unmap(), ErrNotInPool, ps)
}

// hostRange returns the first and last allocatable address of p.
//
// IPv4 pools of /30 or wider lose their network and broadcast addresses; /31 (RFC 3021) and /32 keep every address.
// IPv6 pools of /126 or wider lose the all-zero subnet-router anycast address (RFC 4291); IPv6 has no broadcast.
func hostRange(p netip.Prefix) (first, last netip.Addr) {
	first, last = p.Masked().Addr(), lastAddr(p)
	if p.Addr().Is4() && p.Bits() <= 30 {
		return first.Next(), last.Prev()
	}
	if p.Addr().Is6() && p.Bits() <= 126 {
		return first.Next(), last
	}
	return first, last
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As16()
	hostBits := p.Addr().BitLen() - p.Bits()
	for i := 15; hostBits > 0; i-- {
		n := min(hostBits, 8)
		b[i] |= byte(1<<n - 1)
		hostBits -= n
	}
	a := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		return a.Unmap()
	}
	return a
}
