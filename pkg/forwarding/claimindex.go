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

package forwarding

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// claimIndex is the claim table of Tracker: like claims, but claims can be withdrawn. Most addresses have one
// claimant, which is stored inline, so an address costs one map entry and no allocation.
type claimIndex map[[16]byte]claimants

// claimants are the owners claiming one address, at most one claim per object.
type claimants struct {
	first ipam.Owner
	more  []ipam.Owner
}

// add records o's claim on addr and returns addr's key and whether another object claims it too; ok is false
// when addr is invalid.
func (c claimIndex) add(addr netip.Addr, o ipam.Owner) (key [16]byte, shared, ok bool) {
	key, ok = keyOf(addr)
	if !ok {
		return key, false, false
	}
	cl, exists := c[key]
	switch {
	case !exists:
		c[key] = claimants{first: o}
		return key, false, true
	case sameObject(cl.first, o) || slices.ContainsFunc(cl.more, func(x ipam.Owner) bool { return sameObject(x, o) }):
	default:
		cl.more = append(cl.more, o)
		c[key] = cl
	}
	return key, len(cl.more) > 0 || !sameObject(cl.first, o), true
}

// remove withdraws o's claim on key, if any.
func (c claimIndex) remove(key [16]byte, o ipam.Owner) {
	cl, ok := c[key]
	if !ok {
		return
	}
	if sameObject(cl.first, o) {
		if len(cl.more) == 0 {
			delete(c, key)
			return
		}
		cl.first = cl.more[0]
		cl.more = slices.Delete(cl.more, 0, 1)
	} else {
		cl.more = slices.DeleteFunc(cl.more, func(x ipam.Owner) bool { return sameObject(x, o) })
	}
	if len(cl.more) == 0 {
		cl.more = nil
	}
	c[key] = cl
}

// each calls fn for every claimant of key.
func (c claimIndex) each(key [16]byte, fn func(ipam.Owner)) {
	cl, ok := c[key]
	if !ok {
		return
	}
	fn(cl.first)
	for _, o := range cl.more {
		fn(o)
	}
}

// others implements claimLookup.
func (c claimIndex) others(addr netip.Addr, self ipam.Owner) []ipam.Owner {
	key, ok := keyOf(addr)
	if !ok {
		return nil
	}
	var out []ipam.Owner
	c.each(key, func(o ipam.Owner) {
		if !sameObject(o, self) {
			out = append(out, o)
		}
	})
	slices.SortFunc(out, compareOwners)
	return out
}

// nodeClaims calls fn with every address a node claims and the owner of that claim: each IP among its status
// addresses, and for an edge node its parsed InternalIP. It is deterministic, so withdrawing replays it.
func nodeClaims(name string, addrs []corev1.NodeAddress, internal netip.Addr, fn func(netip.Addr, ipam.Owner)) {
	for _, na := range addrs {
		if !mayBeIP(na.Address) {
			continue
		}
		if a, ok := ipam.ParseRecorded(na.Address); ok {
			fn(a, ipam.Owner{Kind: ipam.KindNode, Name: name, AddressType: string(na.Type)})
		}
	}
	if internal.IsValid() {
		fn(internal, ipam.Owner{Kind: ipam.KindNode, Name: name, AddressType: string(corev1.NodeInternalIP)})
	}
}
