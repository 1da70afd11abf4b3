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

func TestParseCIDR(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "10.0.0.0/24", want: "10.0.0.0/24"},
		{in: "10.96.0.0/12", want: "10.96.0.0/12"},
		{in: "fd00:10:96::/112", want: "fd00:10:96::/112"},
		{in: "FD00::/64", want: "fd00::/64"},
		{in: "10.0.0.1/32", want: "10.0.0.1/32"},
		{in: "10.0.0.5/24", wantErr: "did you mean 10.0.0.0/24"},
		{in: "10.0.0.0", wantErr: "want address/prefix-length"},
		{in: "010.0.0.0/24", wantErr: "leading zero"},
		{in: "10.0/16", wantErr: "short forms"},
		{in: "10.0.0.0/33", wantErr: "prefix length"},
		{in: "10.0.0.0/024", wantErr: "prefix length"},
		{in: "10.0.0.0/+24", wantErr: "prefix length"},
		{in: "::ffff:10.0.0.0/120", wantErr: "IPv4-mapped"},
		{in: "fe80::%eth0/64", wantErr: "zone"},
		{in: " 10.0.0.0/24", wantErr: "whitespace"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCIDR(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidCIDR) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseCIDR(%q) = %v, %v; want ErrInvalidCIDR saying %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("ParseCIDR(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestInCIDRs(t *testing.T) {
	cidrs := []netip.Prefix{
		netip.MustParsePrefix("10.96.0.0/12"),
		netip.MustParsePrefix("fd00:10:96::/112"),
		netip.MustParsePrefix("::ffff:172.30.0.0/112"), // mapped form of 172.30.0.0/16
	}
	tests := []struct {
		addr netip.Addr
		want bool
	}{
		{netip.MustParseAddr("10.96.0.1"), true},
		{netip.MustParseAddr("10.111.255.255"), true},
		{netip.MustParseAddr("10.112.0.0"), false},
		{netip.MustParseAddr("::ffff:10.96.0.10"), true},
		{netip.MustParseAddr("fd00:10:96::a"), true},
		{netip.MustParseAddr("fd00:10:97::a"), false},
		{netip.MustParseAddr("172.30.1.1"), true},
		{netip.MustParseAddr("172.31.1.1"), false},
		{netip.MustParseAddr("fd00:10:96::a%eth0"), true},
		{netip.Addr{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.addr.String(), func(t *testing.T) {
			if got := InCIDRs(tt.addr, cidrs); got != tt.want {
				t.Fatalf("InCIDRs(%v) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
	if InCIDRs(netip.MustParseAddr("10.96.0.1"), nil) {
		t.Fatal("InCIDRs with no CIDRs must be false")
	}
}
