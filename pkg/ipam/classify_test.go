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

func TestClassify(t *testing.T) {
	tests := []struct {
		addr    string
		want    Category
		message string
	}{
		{"10.0.0.1", Usable, ""},
		{"172.16.5.4", Usable, ""},
		{"192.168.1.1", Usable, ""},
		{"100.64.0.1", Usable, ""},      // CGNAT: real edge sites use it.
		{"100.127.255.254", Usable, ""}, // CGNAT upper end.
		{"192.0.2.10", Usable, ""},      // documentation ranges: demos and tests use them.
		{"198.51.100.7", Usable, ""},
		{"203.0.113.200", Usable, ""},
		{"2001:db8::1", Usable, ""},
		{"fd00::1", Usable, ""}, // unique-local
		{"198.18.0.1", Usable, ""},
		{"64:ff9b::a00:1", Usable, ""},
		{"0.0.0.0", Unspecified, "is the unspecified address"},
		{"::", Unspecified, "is the unspecified address"},
		{"0.1.2.3", Reserved, "reserved range 0.0.0.0/8"},
		{"127.0.0.1", Loopback, "is a loopback address"},
		{"127.255.0.9", Loopback, "is a loopback address"},
		{"::1", Loopback, "is a loopback address"},
		{"::ffff:127.0.0.1", Loopback, "is a loopback address"},
		{"169.254.169.254", LinkLocalUnicast, "is a link-local unicast address"},
		{"fe80::1", LinkLocalUnicast, "is a link-local unicast address"},
		{"224.0.0.251", LinkLocalMulticast, "is a link-local multicast address"},
		{"ff02::1", LinkLocalMulticast, "is a link-local multicast address"},
		{"ff01::1", InterfaceLocalMulticast, "is an interface-local multicast address"},
		{"239.1.2.3", Multicast, "is a multicast address"},
		{"ff05::2", Multicast, "is a multicast address"},
		{"255.255.255.255", Broadcast, "is the IPv4 limited broadcast address"},
		{"240.0.0.1", Reserved, "reserved range 240.0.0.0/4"},
		{"255.255.255.254", Reserved, "reserved range 240.0.0.0/4"},
		{"::10.0.0.1", Reserved, "IPv4-compatible"},
		{"100::1", Reserved, "discard-only"},
		{"fec0::1", Reserved, "site-local"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			addr := netip.MustParseAddr(tt.addr)
			if got := Classify(addr); got != tt.want {
				t.Errorf("Classify(%s) = %s, want %s", addr, got, tt.want)
			}
			err := CheckUsable(addr)
			if tt.want == Usable {
				if err != nil {
					t.Errorf("CheckUsable(%s) = %v, want nil", addr, err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrUnusableAddress) || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("CheckUsable(%s) = %v, want ErrUnusableAddress saying %q", addr, err, tt.message)
			}
			if !strings.HasPrefix(err.Error(), "IP address "+addr.Unmap().String()+" ") {
				t.Errorf("CheckUsable(%s) = %q, want it to start with the canonical address", addr, err)
			}
			var ue *UnusableAddressError
			if !errors.As(err, &ue) || ue.Category != tt.want {
				t.Errorf("CheckUsable(%s) = %#v, want an UnusableAddressError of category %s", addr, err, tt.want)
			}
		})
	}
}

func TestCheckUsableInvalid(t *testing.T) {
	tests := []struct {
		name string
		addr netip.Addr
		want string
	}{
		{"zero", netip.Addr{}, "not set"},
		{"zone", netip.MustParseAddr("fd00::1%eth0"), "zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckUsable(tt.addr)
			if !errors.Is(err, ErrInvalidAddress) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckUsable(%v) = %v, want ErrInvalidAddress saying %q", tt.addr, err, tt.want)
			}
			if Classify(tt.addr) == Usable && !tt.addr.IsValid() {
				t.Fatalf("Classify of an unset address must not be Usable")
			}
		})
	}
}

func TestCategoryString(t *testing.T) {
	for c := Usable; c <= Reserved; c++ {
		if s := c.String(); strings.HasPrefix(s, "Category(") {
			t.Errorf("category %d has no name", int(c))
		}
	}
	if got := Category(99).String(); got != "Category(99)" {
		t.Errorf("unknown category String() = %q", got)
	}
}
