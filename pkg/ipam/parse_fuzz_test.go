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
	"strconv"
	"strings"
	"testing"
)

// FuzzParseCIDR checks that an accepted CIDR has no host bits, no zone, is not an IPv4-mapped prefix, has a
// plain decimal length, and that an IPv4 CIDR prints back exactly as given (strict dotted decimal).
func FuzzParseCIDR(f *testing.F) {
	for _, s := range []string{"10.0.0.0/24", "fd00::/64", "10.0.0.5/24", "010.0.0.0/8", "::ffff:10.0.0.0/104", "10.0.0.0/+8", "fe80::%eth0/64", "0.0.0.0/0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseCIDR(s)
		if err != nil {
			return
		}
		_, length, _ := strings.Cut(s, "/")
		if p.Masked() != p || p.Addr().Is4In6() || p.Addr().Zone() != "" || strconv.Itoa(p.Bits()) != length ||
			p.Addr().Is4() && p.String() != s {
			t.Errorf("ParseCIDR(%q) accepted %v, which is not canonical", s, p)
		}
	})
}

// FuzzParseRecorded checks that the lenient parser of recorded addresses over-claims: whatever Normalize accepts
// from a request, ParseRecorded reads as the same address, so a Node recording it always blocks it.
func FuzzParseRecorded(f *testing.F) {
	for _, s := range []string{"10.0.0.1", " 10.0.0.1 ", "010.000.000.001", "fe80::1%eth0", "::ffff:10.0.0.1", "0x0a.0.0.1", "node.example", "10.0.0.0/8", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		recorded, ok := ParseRecorded(s)
		if ok && (!recorded.IsValid() || recorded.Is4In6()) {
			t.Errorf("ParseRecorded(%q) = %v: invalid or IPv4-mapped", s, recorded)
		}
		if requested, err := Normalize(s); err == nil && (!ok || recorded != requested) {
			t.Errorf("Normalize(%q) = %v but ParseRecorded = %v, %v: a Node recording it would not block it", s, requested, recorded, ok)
		}
	})
}

// FuzzParsePools checks that pool specifications never panic and that accepted pools are canonical and disjoint.
func FuzzParsePools(f *testing.F) {
	for _, s := range []string{"10.64.0.0/16", "10.64.0.0/16,fd00:64::/112", "10.64.0.1/16", "", ",", "10.64.0.0/16,10.64.0.0/24", "127.0.0.0/8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParsePools(strings.Split(s, ","))
		if err != nil {
			return
		}
		prefixes := ps.Prefixes()
		for i, p := range prefixes {
			if p.Masked() != p || !p.Addr().IsValid() {
				t.Errorf("ParsePools(%q) accepted %v, which is not a canonical CIDR", s, p)
			}
			for _, q := range prefixes[i+1:] {
				if p.Overlaps(q) {
					t.Errorf("ParsePools(%q) accepted overlapping pools %v and %v", s, p, q)
				}
			}
		}
	})
}
