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
	"fmt"
	"net/netip"
	"testing"
)

func TestIndexLowestFree(t *testing.T) {
	tests := []struct {
		name    string
		pools   []string
		exclude []string
		ops     []op
		want    string
		wantErr error
	}{
		{name: "empty index", pools: []string{"10.0.0.0/24"}, want: "10.0.0.1"},
		{
			name:  "skips every kind of claim",
			pools: []string{"10.0.0.0/24"},
			ops: []op{
				{owner: node1Internal, addrs: addrs("10.0.0.1")},
				{owner: resv, addrs: addrs("10.0.0.2")},
				{owner: cloudcore, addrs: addrs("10.0.0.3")},
				{owner: Owner{Kind: KindHost, Name: "cp-1"}, addrs: addrs("10.0.0.4")},
			},
			want: "10.0.0.5",
		},
		{
			name:    "jumps over an excluded Service CIDR",
			pools:   []string{"10.0.0.0/16"},
			exclude: []string{"10.0.0.0/24", "10.0.1.0/24"},
			want:    "10.0.2.0",
		},
		{
			name:    "excluded mapped prefix",
			pools:   []string{"10.0.0.0/16"},
			exclude: []string{"::ffff:10.0.0.0/120"},
			want:    "10.0.1.0",
		},
		{
			name:    "exhausted",
			pools:   []string{"10.0.0.0/30"},
			ops:     []op{{owner: resv, addrs: addrs("10.0.0.1", "10.0.0.2")}},
			wantErr: ErrPoolExhausted,
		},
		{
			name:    "exhausted by exclusion",
			pools:   []string{"10.0.0.0/30"},
			exclude: []string{"10.0.0.0/8"},
			wantErr: ErrPoolExhausted,
		},
		{name: "no pools", wantErr: ErrPoolExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := mustPools(t, tt.pools...)
			var exclude []netip.Prefix
			for _, s := range tt.exclude {
				exclude = append(exclude, netip.MustParsePrefix(s))
			}
			x := NewIndex()
			apply(x, tt.ops)
			for range 2 { // the second call starts from the frontier the first one left
				got, err := x.LowestFree(ps, exclude)
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("LowestFree = %v, %v; want %v", got, err, tt.wantErr)
					}
					continue
				}
				if err != nil || got.String() != tt.want {
					t.Fatalf("LowestFree = %v, %v; want %s", got, err, tt.want)
				}
			}
		})
	}
}

// TestIndexLowestFreeNeverHandsOutNetworkAddress frees a network address someone had claimed below the frontier.
func TestIndexLowestFreeNeverHandsOutNetworkAddress(t *testing.T) {
	ps := mustPools(t, "10.0.0.0/24")
	x := NewIndex()
	squatter := Owner{Kind: KindNode, Name: "odd", AddressType: "InternalIP"}
	x.Set(squatter, addrs("10.0.0.0", "10.0.0.255"))
	x.Set(resv, addrs("10.0.0.1"))
	if got, err := x.LowestFree(ps, nil); err != nil || got.String() != "10.0.0.2" {
		t.Fatalf("LowestFree = %v, %v; want 10.0.0.2", got, err)
	}
	x.Remove(squatter)
	if got, err := x.LowestFree(ps, nil); err != nil || got.String() != "10.0.0.2" {
		t.Fatalf("after freeing the network address LowestFree = %v, %v; want 10.0.0.2", got, err)
	}
}

// TestIndexLowestFreeFrontier interleaves allocations, releases, moves and exclusions and checks every answer
// against the stateless walk.
func TestIndexLowestFreeFrontier(t *testing.T) {
	ps := mustPools(t, "10.0.0.0/25", "fd00::/121")
	exclusions := [][]netip.Prefix{nil, {netip.MustParsePrefix("10.0.0.16/28")}}
	elsewhere := addrs("192.0.2.1", "10.0.0.0", "10.0.0.127", "fd00::") // outside, network, broadcast, anycast
	x := NewIndex()
	var owners []Owner
	seed := uint64(7)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	for step := range 5000 {
		exclude := exclusions[rnd(len(exclusions))]
		if rnd(3) > 0 || len(owners) == 0 { // allocate and record
			got, err := x.LowestFree(ps, exclude)
			want, wantErr := ps.LowestFree(func(a netip.Addr) bool { return x.IsTaken(a) || InCIDRs(a, exclude) })
			if got != want || (err == nil) != (wantErr == nil) {
				t.Fatalf("step %d: Index.LowestFree = %v, %v; walk = %v, %v", step, got, err, want, wantErr)
			}
			if err == nil {
				o := Owner{Kind: KindReservation, Name: fmt.Sprint("r", step)}
				x.Set(o, []netip.Addr{got})
				owners = append(owners, o)
			}
			continue
		}
		i := rnd(len(owners))
		o := owners[i]
		if rnd(2) == 0 { // release
			x.Remove(o)
			owners = append(owners[:i], owners[i+1:]...)
		} else { // move, possibly onto an address no pool hands out
			x.Set(o, []netip.Addr{elsewhere[rnd(len(elsewhere))]})
		}
	}
	checkInvariants(t, x)
}
