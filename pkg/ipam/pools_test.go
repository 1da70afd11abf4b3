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
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParsePools(t *testing.T) {
	tests := []struct {
		name    string
		specs   []string
		want    string
		wantErr string
	}{
		{name: "none", specs: nil, want: "(none)"},
		{name: "empty entries", specs: []string{"", "  "}, want: "(none)"},
		{name: "one", specs: []string{"10.20.0.0/16"}, want: "10.20.0.0/16"},
		{name: "mixed families in flag order", specs: []string{"fd00:e::/64", " 192.0.2.0/24 "}, want: "fd00:e::/64, 192.0.2.0/24"},
		{name: "CGNAT is allowed", specs: []string{"100.64.0.0/10"}, want: "100.64.0.0/10"},
		{name: "host bits", specs: []string{"10.20.0.1/16"}, wantErr: "did you mean 10.20.0.0/16"},
		{name: "malformed", specs: []string{"10.20/16"}, wantErr: "edge IP pool: invalid CIDR"},
		{name: "overlap", specs: []string{"10.0.0.0/16", "10.0.5.0/24"}, wantErr: "overlaps pool 10.0.0.0/16"},
		{name: "loopback", specs: []string{"127.0.0.0/8"}, wantErr: "special range 127.0.0.0/8 (Loopback)"},
		{name: "everything", specs: []string{"0.0.0.0/0"}, wantErr: "special range"},
		{name: "multicast", specs: []string{"232.0.0.0/8"}, wantErr: "Multicast"},
		{name: "link-local v6", specs: []string{"fe80::/64"}, wantErr: "LinkLocalUnicast"},
		{name: "all v6", specs: []string{"::/0"}, wantErr: "special range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := ParsePools(tt.specs)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidCIDR) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePools(%q) error %v, want ErrInvalidCIDR saying %q", tt.specs, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePools(%q): %v", tt.specs, err)
			}
			if got := ps.String(); got != tt.want {
				t.Fatalf("pools = %q, want %q", got, tt.want)
			}
		})
	}
}

func mustPools(t testing.TB, specs ...string) *Pools {
	t.Helper()
	ps, err := ParsePools(specs)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestPoolsContainsAndCheck(t *testing.T) {
	ps := mustPools(t, "10.0.0.0/24", "10.1.0.0/31", "10.2.0.7/32", "fd00::/120")
	tests := []struct {
		addr string
		want bool
	}{
		{"10.0.0.0", false}, // network
		{"10.0.0.1", true},
		{"10.0.0.254", true},
		{"10.0.0.255", false}, // broadcast
		{"::ffff:10.0.0.9", true},
		{"10.1.0.0", true}, // /31 keeps both
		{"10.1.0.1", true},
		{"10.2.0.7", true}, // /32
		{"10.3.0.1", false},
		{"fd00::", false}, // subnet-router anycast
		{"fd00::1", true},
		{"fd00::ff", true},
		{"fd00::100", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			addr := netip.MustParseAddr(tt.addr)
			if got := ps.Contains(addr); got != tt.want {
				t.Fatalf("Contains(%s) = %v, want %v", addr, got, tt.want)
			}
			err := ps.Check(addr)
			if tt.want != (err == nil) {
				t.Fatalf("Check(%s) = %v, want error %v", addr, err, !tt.want)
			}
			if err != nil && (!errors.Is(err, ErrNotInPool) || !strings.Contains(err.Error(), "IP address "+addr.Unmap().String()+" is outside the edge IP pools 10.0.0.0/24, ")) {
				t.Fatalf("Check(%s) = %q, want ErrNotInPool naming the address and pools", addr, err)
			}
		})
	}
	var none *Pools
	if none.Contains(netip.MustParseAddr("10.0.0.1")) || none.Check(netip.MustParseAddr("10.0.0.1")) != nil || none.Configured() {
		t.Fatal("nil Pools must contain nothing, check nothing and not be configured")
	}
}

func TestLowestFree(t *testing.T) {
	tests := []struct {
		name    string
		pools   []string
		taken   []string
		want    string
		wantErr error
	}{
		{name: "first host of /24", pools: []string{"10.0.0.0/24"}, want: "10.0.0.1"},
		{name: "skips taken", pools: []string{"10.0.0.0/24"}, taken: []string{"10.0.0.1", "10.0.0.2", "10.0.0.4"}, want: "10.0.0.3"},
		{name: "never broadcast", pools: []string{"10.0.0.0/30"}, taken: []string{"10.0.0.1", "10.0.0.2"}, wantErr: ErrPoolExhausted},
		{name: "/31 uses both", pools: []string{"10.0.0.0/31"}, taken: []string{"10.0.0.0"}, want: "10.0.0.1"},
		{name: "/32", pools: []string{"10.0.0.9/32"}, want: "10.0.0.9"},
		{name: "next pool in flag order", pools: []string{"10.9.0.0/30", "10.1.0.0/24"}, taken: []string{"10.9.0.1", "10.9.0.2"}, want: "10.1.0.1"},
		{name: "ipv6 skips anycast", pools: []string{"fd00::/64"}, want: "fd00::1"},
		{name: "ipv6 /127", pools: []string{"fd00::/127"}, taken: []string{"fd00::"}, want: "fd00::1"},
		{name: "top of the address space", pools: []string{"223.255.255.254/31"}, taken: []string{"223.255.255.254"}, want: "223.255.255.255"},
		{name: "top of the address space exhausted", pools: []string{"223.255.255.254/31"}, taken: []string{"223.255.255.254", "223.255.255.255"}, wantErr: ErrPoolExhausted},
		{name: "no pools", pools: nil, wantErr: ErrPoolExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := mustPools(t, tt.pools...)
			set := map[netip.Addr]bool{}
			var sorted []netip.Addr
			for _, s := range tt.taken {
				a := netip.MustParseAddr(s)
				set[a] = true
				sorted = append(sorted, a)
			}
			got, err := ps.LowestFree(func(a netip.Addr) bool { return set[a] })
			gotSorted, errSorted := ps.LowestFreeSorted(sorted)
			for _, r := range []struct {
				how string
				got netip.Addr
				err error
			}{{"LowestFree", got, err}, {"LowestFreeSorted", gotSorted, errSorted}} {
				if tt.wantErr != nil {
					if !errors.Is(r.err, tt.wantErr) || !strings.Contains(r.err.Error(), "IP") {
						t.Errorf("%s = %v, %v; want %v", r.how, r.got, r.err, tt.wantErr)
					}
					continue
				}
				if r.err != nil || r.got.String() != tt.want {
					t.Errorf("%s = %v, %v; want %s", r.how, r.got, r.err, tt.want)
				}
			}
		})
	}
}

// TestLowestFreeSortedAgrees checks the binary search against the linear walk on many random taken sets.
func TestLowestFreeSortedAgrees(t *testing.T) {
	ps := mustPools(t, "10.0.0.0/26", "fd00::/122")
	all := []netip.Addr{}
	for _, p := range ps.Prefixes() {
		for a := p.Addr(); p.Contains(a); a = a.Next() {
			all = append(all, a)
		}
	}
	outside := []netip.Addr{netip.MustParseAddr("9.255.255.255"), netip.MustParseAddr("10.0.0.200"), netip.MustParseAddr("fd00::1:0")}
	seed := uint64(1)
	for round := range 2000 {
		set := map[netip.Addr]bool{}
		density := round % 100
		for _, a := range all {
			seed = seed*6364136223846793005 + 1442695040888963407
			if int(seed>>33%100) < density {
				set[a] = true
			}
		}
		for _, a := range outside {
			set[a] = true
		}
		var sorted []netip.Addr
		for _, a := range append(all, outside...) {
			if set[a] {
				sorted = append(sorted, a)
			}
		}
		sortAddrs(sorted)
		want, wantErr := ps.LowestFree(func(a netip.Addr) bool { return set[a] })
		got, err := ps.LowestFreeSorted(sorted)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Fatalf("round %d: LowestFreeSorted = %v, %v; LowestFree = %v, %v", round, got, err, want, wantErr)
		}
	}
}

func TestAddOffsetFamilies(t *testing.T) {
	if _, ok := addOffset(netip.MustParseAddr("255.255.255.255"), 1); ok {
		t.Error("adding past 255.255.255.255 must leave IPv4 and fail")
	}
	if _, ok := addOffset(netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 1); ok {
		t.Error("adding past the last IPv6 address must fail")
	}
	if got, ok := addOffset(netip.MustParseAddr("fd00::ffff:ffff:ffff:ffff"), 1); !ok || got.String() != "fd00:0:0:1::" {
		t.Errorf("carry into the high word: got %v, %v", got, ok)
	}
	if _, ok := offset(netip.MustParseAddr("fd00::1"), netip.MustParseAddr("fd00::2")); ok {
		t.Error("offset below base must fail")
	}
	if _, ok := offset(netip.MustParseAddr("fd01::"), netip.MustParseAddr("fd00::")); ok {
		t.Error("offset beyond 64 bits must fail")
	}
}
