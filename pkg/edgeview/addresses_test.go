package edgeview

import (
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

func TestIndexAddressesFollowsEveryNodeInEventOrder(t *testing.T) {
	c := NewCache(10)
	idx := ipam.NewIndex()
	c.IndexAddresses(idx)
	addr := netip.MustParseAddr("198.51.100.7")

	cloud := testNode("cloud", 1, false, "198.51.100.7", corev1.ConditionTrue)
	old, _ := c.Transform(cloud)
	// The Node is deleted and re-created with another address before either event is handled.
	recreated := testNode("cloud", 3, false, "198.51.100.8", corev1.ConditionTrue)
	c.OnAdd(old, false)
	if got := idx.Owners(addr); len(got) != 1 || got[0].Name != "cloud" || got[0].AddressType != "InternalIP" {
		t.Fatalf("owners of %s: %v", addr, got)
	}
	deleted, _ := c.Transform(testNode("cloud", 2, false, "198.51.100.7", corev1.ConditionTrue))
	added, _ := c.Transform(recreated)
	c.OnDelete(deleted)
	c.OnAdd(added, false)
	if idx.IsTaken(addr) || !idx.IsTaken(netip.MustParseAddr("198.51.100.8")) {
		t.Fatalf("after re-creation: old taken %v, new taken %v", idx.IsTaken(addr), idx.IsTaken(netip.MustParseAddr("198.51.100.8")))
	}
	if len(c.addresses.pending) != 0 {
		t.Fatalf("%d stashed claims left", len(c.addresses.pending))
	}
}
