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
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// greeting is what the cloudcore stand-in writes to every connection.
const greeting = "cloudcore stream server"

// TestTraffic proves the DNAT with real connections: a listener on the namespace's own address stands in for
// cloudcore's stream port, and dialing an edge IP (routed to a silent link inside the namespace) reaches it
// only while the rule is programmed. It covers locally originated traffic (nat OUTPUT) in IPv4 and IPv6, and
// traffic from a second "pod" namespace routed through this one (nat PREROUTING).
func TestTraffic(t *testing.T) {
	hostV4, hostV6 := netip.MustParsePrefix("10.99.0.1/24"), netip.MustParsePrefix("fd99::1/64")
	k := newRealKernel(t, dataplane.BackendSystem, hostV4, hostV6)
	pod := netns.New(t)
	netns.Connect(t, k.ns, pod, netip.MustParsePrefix("10.98.0.1/24"), netip.MustParsePrefix("10.98.0.2/24"))
	pod.MustRun(t, "ip", "route", "add", "default", "via", "10.98.0.1")
	k.run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1")

	stream4 := netip.AddrPortFrom(hostV4.Addr(), 10003)
	stream6 := netip.AddrPortFrom(hostV6.Addr(), 10003)
	for _, ap := range []netip.AddrPort{stream4, stream6} {
		serve(t, k.ns, ap)
	}
	edge4, edge6 := netip.MustParseAddrPort("10.99.0.50:10351"), netip.MustParseAddrPort("[fd99::50]:10351")
	otherPort := netip.MustParseAddrPort("10.99.0.50:10352")
	rules := []forwarding.Rule{
		{Node: "edge-4", Destination: edge4, Target: stream4},
		{Node: "edge-6", Destination: edge6, Target: stream6},
	}

	tests := []struct {
		name  string
		from  *netns.Namespace
		dial  netip.AddrPort
		rules bool
		reach bool
	}{
		{"IPv4 local, no rule", k.ns, edge4, false, false},
		{"IPv4 from a pod, no rule", pod, edge4, false, false},
		{"IPv4 local, forwarded", k.ns, edge4, true, true},
		{"IPv6 local, forwarded", k.ns, edge6, true, true},
		{"IPv4 from a pod, forwarded", pod, edge4, true, true},
		{"other port untouched", k.ns, otherPort, true, false},
		{"IPv4 local after cleanup", k.ns, edge4, false, false},
	}
	applied := false
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			switch {
			case tt.rules && !applied:
				k.apply(rules)
				applied = true
			case !tt.rules && applied:
				k.cleanup()
				applied = false
			}
			got, err := dial(tt.from, tt.dial, tt.reach)
			switch {
			case tt.reach && err != nil:
				t.Fatalf("dial %s: %v, want it forwarded to the stand-in", tt.dial, err)
			case tt.reach && got != greeting:
				t.Fatalf("dial %s read %q, want %q", tt.dial, got, greeting)
			case !tt.reach && err == nil:
				t.Fatalf("dial %s reached %q, want no connection", tt.dial, got)
			}
		})
	}
}

// serve listens on ap inside ns and writes greeting to every connection until the test ends.
func serve(t *testing.T, ns *netns.Namespace, ap netip.AddrPort) {
	t.Helper()
	var l net.Listener
	if err := ns.Do(func() error {
		var err error
		l, err = net.Listen("tcp", ap.String())
		return err
	}); err != nil {
		t.Fatalf("listen on %s: %v", ap, err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, greeting)
			_ = c.Close()
		}
	}()
}

// dial connects to ap from inside ns and returns what the server wrote. A connection expected to fail gets a
// short timeout: the edge IP's link is silent, so an unforwarded dial never completes.
func dial(ns *netns.Namespace, ap netip.AddrPort, expectReach bool) (string, error) {
	timeout := 300 * time.Millisecond
	if expectReach {
		timeout = 5 * time.Second
	}
	var got string
	err := ns.Do(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", ap.String())
		if err != nil {
			return err
		}
		defer func() { _ = c.Close() }()
		_ = c.SetDeadline(time.Now().Add(timeout))
		b, err := io.ReadAll(c)
		got = string(b)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		return nil
	})
	return got, err
}
