package netns

import (
	"crypto/rand"
	"encoding/hex"
	"net/netip"
	"testing"
)

// Connect joins two namespaces with a veth pair, assigns aAddr to a's end and bAddr to b's end, and brings both
// up; both ends live inside the test's namespaces and vanish with them. It returns the names of a's and b's ends.
func Connect(tb testing.TB, a, b *Namespace, aAddr, bAddr netip.Prefix) (aLink, bLink string) {
	tb.Helper()
	var r [3]byte
	if _, err := rand.Read(r[:]); err != nil {
		tb.Fatalf("random link name: %v", err)
	}
	suffix := hex.EncodeToString(r[:])
	aLink, bLink = "ewa"+suffix, "ewb"+suffix
	a.MustRun(tb, "ip", "link", "add", aLink, "type", "veth", "peer", "name", bLink, "netns", b.Name)
	for _, end := range []struct {
		ns   *Namespace
		link string
		addr netip.Prefix
	}{{a, aLink, aAddr}, {b, bLink, bAddr}} {
		args := []string{"ip", "address", "add", end.addr.String(), "dev", end.link}
		if end.addr.Addr().Is6() {
			args = append(args, "nodad")
		}
		end.ns.MustRun(tb, args...)
		end.ns.MustRun(tb, "ip", "link", "set", end.link, "up")
	}
	return aLink, bLink
}
