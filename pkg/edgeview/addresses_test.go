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

package edgeview

import (
	"fmt"
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

func TestAddressFeedDropsTheRoomOfADrainedInitialList(t *testing.T) {
	c := NewCache(10)
	idx := ipam.NewIndex()
	c.IndexAddresses(idx)
	n := 2 * shrinkPendingAbove
	objs := make([]interface{}, n)
	for i := range objs {
		// As a watch-list sync does: every Node is transformed before the first is handled.
		objs[i], _ = c.Transform(testNode(fmt.Sprintf("n-%d", i), i+1, true, fmt.Sprintf("10.1.%d.%d", i/250, i%250+1), corev1.ConditionTrue))
	}
	if c.addresses.highWater != n {
		t.Fatalf("high water %d after %d transforms", c.addresses.highWater, n)
	}
	for _, obj := range objs {
		c.OnAdd(obj, true)
	}
	if len(c.addresses.pending) != 0 || c.addresses.highWater != 0 {
		t.Errorf("after the list drained: %d pending, high water %d; want a fresh map", len(c.addresses.pending), c.addresses.highWater)
	}
	if !idx.IsTaken(netip.MustParseAddr("10.1.0.1")) || !idx.IsTaken(netip.MustParseAddr(fmt.Sprintf("10.1.%d.%d", (n-1)/250, (n-1)%250+1))) {
		t.Error("the index lacks the listed addresses")
	}
}
