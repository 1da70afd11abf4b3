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
	"reflect"
	"sync"
	"testing"
)

var (
	node1Internal = Owner{Kind: KindNode, Name: "edge-1", AddressType: "InternalIP"}
	node1External = Owner{Kind: KindNode, Name: "edge-1", AddressType: "ExternalIP"}
	node2Internal = Owner{Kind: KindNode, Name: "cloud-1", AddressType: "InternalIP"}
	resv          = Owner{Kind: KindReservation, Name: "edge-9"}
	cloudcore     = Owner{Kind: KindCloudCore, Name: "kubeedge/cloudcore", AddressType: "AdvertiseAddress"}
)

// op is one mutation of an Index in a table test.
type op struct {
	remove bool
	owner  Owner
	addrs  []netip.Addr
}

func apply(x *Index, ops []op) {
	for _, o := range ops {
		if o.remove {
			x.Remove(o.owner)
		} else {
			x.Set(o.owner, o.addrs)
		}
	}
}

func TestIndexOwnersAndIsTaken(t *testing.T) {
	tests := []struct {
		name   string
		ops    []op
		lookup string
		want   []Owner
	}{
		{name: "empty", lookup: "10.0.0.1"},
		{
			name:   "one owner",
			ops:    []op{{owner: node1Internal, addrs: addrs("10.0.0.1")}},
			lookup: "10.0.0.1",
			want:   []Owner{node1Internal},
		},
		{
			name:   "mapped and canonical are one address",
			ops:    []op{{owner: node1Internal, addrs: addrs("::ffff:10.0.0.1")}},
			lookup: "10.0.0.1",
			want:   []Owner{node1Internal},
		},
		{
			name:   "lookup by mapped form",
			ops:    []op{{owner: node1Internal, addrs: addrs("10.0.0.1")}},
			lookup: "::ffff:10.0.0.1",
			want:   []Owner{node1Internal},
		},
		{
			name:   "ipv4 and ipv6 never collide",
			ops:    []op{{owner: node1Internal, addrs: addrs("::a00:1")}},
			lookup: "10.0.0.1",
		},
		{
			name: "several owners, sorted",
			ops: []op{
				{owner: resv, addrs: addrs("10.0.0.1")},
				{owner: node2Internal, addrs: addrs("10.0.0.1")},
				{owner: node1External, addrs: addrs("10.0.0.1")},
			},
			lookup: "10.0.0.1",
			want:   []Owner{node2Internal, node1External, resv},
		},
		{
			name: "set replaces the addresses of that type only",
			ops: []op{
				{owner: node1Internal, addrs: addrs("10.0.0.1")},
				{owner: node1External, addrs: addrs("192.0.2.1")},
				{owner: node1Internal, addrs: addrs("10.0.0.2")},
			},
			lookup: "192.0.2.1",
			want:   []Owner{node1External},
		},
		{
			name: "replaced address is freed",
			ops: []op{
				{owner: node1Internal, addrs: addrs("10.0.0.1")},
				{owner: node1Internal, addrs: addrs("10.0.0.2")},
			},
			lookup: "10.0.0.1",
		},
		{
			name: "remove drops every type",
			ops: []op{
				{owner: node1Internal, addrs: addrs("10.0.0.1")},
				{owner: node1External, addrs: addrs("192.0.2.1")},
				{remove: true, owner: Owner{Kind: KindNode, Name: "edge-1"}},
			},
			lookup: "192.0.2.1",
		},
		{
			name: "removing the first claimant promotes the next",
			ops: []op{
				{owner: node1Internal, addrs: addrs("10.0.0.1")},
				{owner: node2Internal, addrs: addrs("10.0.0.1")},
				{owner: resv, addrs: addrs("10.0.0.1")},
				{remove: true, owner: node1Internal},
			},
			lookup: "10.0.0.1",
			want:   []Owner{node2Internal, resv},
		},
		{
			name: "removing a later claimant keeps the first",
			ops: []op{
				{owner: node1Internal, addrs: addrs("10.0.0.1")},
				{owner: node2Internal, addrs: addrs("10.0.0.1")},
				{owner: resv, addrs: addrs("10.0.0.1")},
				{remove: true, owner: node2Internal},
			},
			lookup: "10.0.0.1",
			want:   []Owner{node1Internal, resv},
		},
		{
			name: "same kind different name is another owner",
			ops: []op{
				{owner: Owner{Kind: KindReservation, Name: "a"}, addrs: addrs("10.0.0.1")},
				{owner: Owner{Kind: KindReservation, Name: "b"}, addrs: addrs("10.0.0.1")},
			},
			lookup: "10.0.0.1",
			want:   []Owner{{Kind: KindReservation, Name: "a"}, {Kind: KindReservation, Name: "b"}},
		},
		{
			name:   "duplicates and invalid addresses in one set",
			ops:    []op{{owner: resv, addrs: []netip.Addr{{}, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("::ffff:10.0.0.1")}}},
			lookup: "10.0.0.1",
			want:   []Owner{resv},
		},
		{
			name:   "zone is ignored",
			ops:    []op{{owner: resv, addrs: addrs("fe80::1%eth0")}},
			lookup: "fe80::1",
			want:   []Owner{resv},
		},
		{
			name: "empty set frees",
			ops: []op{
				{owner: resv, addrs: addrs("10.0.0.1")},
				{owner: resv, addrs: nil},
			},
			lookup: "10.0.0.1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := NewIndex()
			apply(x, tt.ops)
			addr := netip.MustParseAddr(tt.lookup)
			got := x.Owners(addr)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Owners(%s) = %v, want %v", addr, got, tt.want)
			}
			if taken := x.IsTaken(addr); taken != (len(tt.want) > 0) {
				t.Errorf("IsTaken(%s) = %v, want %v", addr, taken, len(tt.want) > 0)
			}
			checkInvariants(t, x)
		})
	}
}

func TestIndexConflicts(t *testing.T) {
	tests := []struct {
		name  string
		ops   []op
		query Owner
		want  []Conflict
	}{
		{name: "unknown owner", query: resv},
		{
			name:  "no conflict",
			ops:   []op{{owner: node1Internal, addrs: addrs("10.0.0.1")}, {owner: node2Internal, addrs: addrs("10.0.0.2")}},
			query: node1Internal,
		},
		{
			name:  "an object never conflicts with itself across address types",
			ops:   []op{{owner: node1Internal, addrs: addrs("10.0.0.1")}, {owner: node1External, addrs: addrs("10.0.0.1")}},
			query: node1Internal,
		},
		{
			name: "edge node shares a cloud node's address",
			ops: []op{
				{owner: node1Internal, addrs: addrs("10.0.0.1", "fd00::1")},
				{owner: node1External, addrs: addrs("192.0.2.1")},
				{owner: node2Internal, addrs: addrs("10.0.0.1")},
				{owner: cloudcore, addrs: addrs("192.0.2.1")},
			},
			query: Owner{Kind: KindNode, Name: "edge-1"},
			want: []Conflict{
				{Addr: netip.MustParseAddr("10.0.0.1"), Owner: node1Internal, Others: []Owner{node2Internal}},
				{Addr: netip.MustParseAddr("192.0.2.1"), Owner: node1External, Others: []Owner{cloudcore}},
			},
		},
		{
			name: "listed under two types and contested is reported once",
			ops: []op{
				{owner: node1Internal, addrs: addrs("10.0.0.1")},
				{owner: node1External, addrs: addrs("10.0.0.1")},
				{owner: resv, addrs: addrs("10.0.0.1")},
			},
			query: node1External,
			want:  []Conflict{{Addr: netip.MustParseAddr("10.0.0.1"), Owner: node1Internal, Others: []Owner{resv}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := NewIndex()
			apply(x, tt.ops)
			if got := x.Conflicts(tt.query); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Conflicts(%v) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestIndexAddressesOfAndLen(t *testing.T) {
	x := NewIndex()
	x.Set(node1Internal, addrs("10.0.0.2", "10.0.0.1"))
	x.Set(node1External, addrs("10.0.0.1", "192.0.2.1"))
	x.Set(resv, addrs("10.0.0.9"))
	if got, want := x.AddressesOf(node1Internal), addrs("10.0.0.1", "10.0.0.2", "192.0.2.1"); !reflect.DeepEqual(got, want) {
		t.Errorf("AddressesOf = %v, want %v", got, want)
	}
	if got := x.AddressesOf(cloudcore); got != nil {
		t.Errorf("AddressesOf(unknown) = %v, want nil", got)
	}
	if got := x.Len(); got != 4 {
		t.Errorf("Len = %d, want 4", got)
	}
	x.Remove(node1Internal)
	if got := x.Len(); got != 1 {
		t.Errorf("Len after remove = %d, want 1", got)
	}
	checkInvariants(t, x)
}

func TestIndexReusesSlotsAndBoundsTypes(t *testing.T) {
	x := NewIndex()
	for i := range 100 {
		o := Owner{Kind: KindReservation, Name: fmt.Sprint("r", i)}
		x.Set(o, addrs("10.0.0.1"))
		x.Remove(o)
	}
	if len(x.objects) != 1 {
		t.Errorf("100 set/remove cycles used %d object slots, want 1", len(x.objects))
	}
	var last netip.Addr
	for i := range maxTypes + 10 {
		last = netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})
		x.Set(Owner{Kind: KindHost, Name: fmt.Sprint("h", i), AddressType: fmt.Sprint("t", i)}, []netip.Addr{last})
	}
	if len(x.types) > maxTypes+1 {
		t.Errorf("interned %d address types, want at most %d", len(x.types), maxTypes+1)
	}
	if got := x.Owners(last); len(got) != 1 || got[0].AddressType != overflowType {
		t.Errorf("types past the bound should read %q, got %v", overflowType, got)
	}
	checkInvariants(t, x)
}

// TestIndexConcurrent is meaningful under -race: writers and readers share one Index.
func TestIndexConcurrent(t *testing.T) {
	x := NewIndex()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				o := Owner{Kind: KindNode, Name: fmt.Sprint("n", w, "-", i%50), AddressType: "InternalIP"}
				a := netip.AddrFrom4([4]byte{10, 0, byte(w), byte(i % 7)})
				x.Set(o, []netip.Addr{a})
				if i%3 == 0 {
					x.Remove(o)
				}
			}
		})
		wg.Go(func() {
			for i := range 500 {
				a := netip.AddrFrom4([4]byte{10, 0, byte(w), byte(i % 7)})
				_ = x.IsTaken(a)
				_ = x.Owners(a)
				_ = x.Conflicts(Owner{Kind: KindNode, Name: fmt.Sprint("n", w, "-", i%50)})
			}
		})
	}
	wg.Wait()
	checkInvariants(t, x)
}

// checkInvariants verifies that the address maps and the object claims describe the same relation.
func checkInvariants(t *testing.T, x *Index) {
	t.Helper()
	x.mu.RLock()
	defer x.mu.RUnlock()
	want := map[addrKey]map[ref]bool{}
	for id, o := range x.objects {
		if len(o.claims) == 0 {
			if o.key.name != "" {
				t.Errorf("free slot %d still has key %v", id, o.key)
			}
			continue
		}
		if got, ok := x.ids[o.key]; !ok || got != uint32(id) {
			t.Errorf("object %v at slot %d has id %d, %v", o.key, id, got, ok)
		}
		for _, c := range o.claims {
			if want[c.addr] == nil {
				want[c.addr] = map[ref]bool{}
			}
			want[c.addr][ref{uint32(id), c.typ}] = true
		}
	}
	if len(x.ids) != len(x.objects)-len(x.free) {
		t.Errorf("%d ids for %d used slots", len(x.ids), len(x.objects)-len(x.free))
	}
	if len(want) != len(x.first) {
		t.Errorf("first has %d addresses, claims have %d", len(x.first), len(want))
	}
	for k, refs := range want {
		got := map[ref]bool{}
		if r, ok := x.first[k]; ok {
			got[r] = true
		}
		for _, r := range x.more[k] {
			got[r] = true
		}
		if !reflect.DeepEqual(got, refs) {
			t.Errorf("address %s: map claimants %v, object claims %v", k.addr(), got, refs)
		}
	}
	for k, rest := range x.more {
		if len(rest) == 0 {
			t.Errorf("address %s has an empty side-map entry", k.addr())
		}
	}
}
