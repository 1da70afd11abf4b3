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
	"net/netip"

	corev1 "k8s.io/api/core/v1"
)

// NodeAddresses returns every address of node that is an IP address, whatever its type (InternalIP, ExternalIP,
// and Hostname or DNS entries that hold an IP), parsed with ParseRecorded and de-duplicated in status order.
// DNS names are skipped.
func NodeAddresses(node *corev1.Node) []netip.Addr {
	claims := nodeClaims(node)
	if len(claims) == 0 {
		return nil
	}
	out := make([]netip.Addr, len(claims))
	for i, c := range claims {
		out[i] = c.addr
	}
	return out
}

// typedAddr is a node address with the type it is listed under.
type typedAddr struct {
	addr netip.Addr
	typ  string
}

// nodeClaims returns the IP addresses of node with their types, de-duplicated by address (first type wins).
func nodeClaims(node *corev1.Node) []typedAddr {
	if node == nil {
		return nil
	}
	out := make([]typedAddr, 0, len(node.Status.Addresses))
	for _, na := range node.Status.Addresses {
		a, ok := ParseRecorded(na.Address)
		if !ok || containsAddr(out, a) {
			continue
		}
		out = append(out, typedAddr{a, string(na.Type)})
	}
	return out
}

// containsAddr reports whether list holds a.
func containsAddr(list []typedAddr, a netip.Addr) bool {
	for _, t := range list {
		if t.addr == a {
			return true
		}
	}
	return false
}

// NodeClaims are a Node's IP addresses with their types, taken with ClaimsOf and applied later with SetNodeClaims.
type NodeClaims struct {
	claims []typedAddr
}

// ClaimsOf returns the claims of node, for SetNodeClaims.
func ClaimsOf(node *corev1.Node) NodeClaims { return NodeClaims{nodeClaims(node)} }

// SetNodeClaims replaces every claim of the Node called name with c, like SetNode.
func (x *Index) SetNodeClaims(name string, c NodeClaims) {
	x.mu.Lock()
	defer x.mu.Unlock()
	next := make([]claim, 0, len(c.claims))
	for _, t := range c.claims {
		k, _ := keyOf(t.addr)
		next = append(next, claim{k, x.typeID(t.typ)})
	}
	x.replace(objectKey{KindNode, name}, next)
}

// SetNode replaces every claim of the Node named node.Name with the node's IP addresses, each under the type it is
// listed with (see NodeAddresses). A status update that leaves the addresses unchanged costs no map writes.
func (x *Index) SetNode(node *corev1.Node) {
	if node == nil {
		return
	}
	x.SetNodeClaims(node.Name, ClaimsOf(node))
}

// RemoveNode drops every claim of the Node named name.
func (x *Index) RemoveNode(name string) {
	x.Remove(Owner{Kind: KindNode, Name: name})
}
