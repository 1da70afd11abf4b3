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

// ParseCanonical parses s as an IP address that must already be in canonical text form: no zone, not
// IPv4-mapped, and printing back exactly as given. It is the strict counterpart of Normalize, for values that
// are compared or used as map keys as written, and its errors say how to write the address instead.
func ParseCanonical(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
	}
	switch {
	case a.Zone() != "":
		return netip.Addr{}, fmt.Errorf("%q must not carry a zone", s)
	case a.Is4In6():
		return netip.Addr{}, fmt.Errorf("%q is IPv4-mapped; write it as %s", s, a.Unmap())
	case a.String() != s:
		return netip.Addr{}, fmt.Errorf("%q is not in canonical form; write it as %s", s, a)
	}
	return a, nil
}
