package ipam

import (
	"net/netip"
	"slices"
)

// sortAddrs sorts addresses ascending in place.
func sortAddrs(a []netip.Addr) { slices.SortFunc(a, netip.Addr.Compare) }

// addrs parses addresses for test tables.
func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}
