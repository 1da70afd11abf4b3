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
	"net/netip"
	"strings"
)

// ParseRecorded parses an address that is already recorded in the cluster, such as a Node status address, and
// reports whether it is an IP address at all.
//
// It is deliberately more lenient than Normalize, because for uniqueness it is safer to over-claim: surrounding
// whitespace and an IPv6 zone are dropped, and IPv4 fields with leading zeros are read as decimal, as Kubernetes'
// own sloppy parser does, so a Node listing 010.0.0.1 still blocks 10.0.0.1. DNS names, CIDRs and garbage
// report false.
func ParseRecorded(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '%'); i >= 0 {
		s = s[:i]
	}
	if addr, err := netip.ParseAddr(s); err == nil {
		return addr.Unmap(), true
	}
	return parseSloppyIPv4(s)
}

// parseSloppyIPv4 parses 4 dotted decimal fields of 1-3 digits each, leading zeros allowed and read as decimal.
func parseSloppyIPv4(s string) (netip.Addr, bool) {
	fields := strings.Split(s, ".")
	if len(fields) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, f := range fields {
		if f == "" || len(f) > 3 || strings.Trim(f, "0123456789") != "" {
			return netip.Addr{}, false
		}
		n := atoi(f)
		if n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}
