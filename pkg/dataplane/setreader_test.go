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

package dataplane_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// TestSetReaders reads sets back with `ipset save` and, in a real kernel, over netlink, and checks that both see
// exactly what was written, and both refuse a set holding what we never write.
func TestSetReaders(t *testing.T) {
	forKernels(t, []dataplane.Backend{dataplane.BackendNFT}, func(t *testing.T, k *kernel) {
		readers := map[string]dataplane.SetReader{"ipset save": dataplane.RunnerSetReader(k.runner())}
		if k.fake == nil {
			readers["netlink"] = dataplane.ReadSetNetlink
		}
		script := "create r4 hash:ip,port family inet\ncreate r6 hash:ip,port family inet6\ncreate empty hash:ip,port family inet\n" +
			"create udp hash:ip,port family inet\nadd udp 10.1.0.1,10351\nadd udp 10.1.0.2,udp:53\n"
		var want4 []string
		for i := 3000; i > 0; i-- { // enough entries for several netlink messages, written out of order
			e := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 64, byte(i / 250), byte(i % 250)}), uint16(10351+i%2))
			script += "add r4 " + dataplane.EntryText(e) + "\n"
			want4 = append([]string{e.String()}, want4...)
		}
		script += "add r6 2001:db8::2,10352\nadd r6 2001:db8::1,10351\n"
		if err := k.do(func() error {
			_, err := k.runner().Run(context.Background(), []byte(script), "ipset", "restore")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for name, read := range readers {
			t.Run(name, func(t *testing.T) {
				for _, tc := range []struct {
					set    string
					family forwarding.Family
					want   string
				}{
					{set: "r4", family: forwarding.IPv4, want: fmt.Sprint(want4)},
					{set: "r6", family: forwarding.IPv6, want: "[[2001:db8::1]:10351 [2001:db8::2]:10352]"},
					{set: "empty", family: forwarding.IPv4, want: "[]"},
					{set: "udp", family: forwarding.IPv4, want: "unknown"},
					{set: "r4", family: forwarding.IPv6, want: "unknown"},
				} {
					var entries []netip.AddrPort
					var ok bool
					if err := k.do(func() (err error) {
						entries, ok, err = read(context.Background(), tc.set, tc.family)
						return err
					}); err != nil {
						t.Fatalf("%s: %v", tc.set, err)
					}
					got := "unknown"
					if ok {
						got = fmt.Sprint(entries)
					}
					if got != tc.want {
						t.Errorf("%s as %v: got %.200s, want %.200s", tc.set, tc.family, got, tc.want)
					}
				}
				if err := k.do(func() error {
					_, _, err := read(context.Background(), "no-such-set", forwarding.IPv4)
					return err
				}); err == nil {
					t.Error("reading a set that does not exist succeeded")
				}
			})
		}
	})
}
