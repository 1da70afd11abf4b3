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
	"sync"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// addressFeed carries every Node's addresses from Transform, where the Node is still whole,
// to the event handler, which applies them to the index in event order. Only events in
// flight hold claims, so the view keeps no Node addresses of its own.
type addressFeed struct {
	index   *ipam.Index
	mu      sync.Mutex
	pending map[*entry]ipam.NodeClaims
	// highWater is the most claims pending since the map was last made: a Go map keeps the room it once
	// needed, so a map that held a whole initial list is replaced once it drains.
	highWater int
}

// shrinkPendingAbove is the high-water mark above which a drained pending map is replaced.
const shrinkPendingAbove = 1024

// IndexAddresses makes the Cache keep idx up to date with the IP addresses of every Node,
// edge or not. Call it before the Node informer starts.
func (c *Cache) IndexAddresses(idx *ipam.Index) {
	c.addresses = &addressFeed{index: idx, pending: map[*entry]ipam.NodeClaims{}}
}

// stash records the claims of node for the entry e made from it.
func (f *addressFeed) stash(e *entry, node *corev1.Node) {
	if f == nil {
		return
	}
	claims := ipam.ClaimsOf(node)
	f.mu.Lock()
	f.pending[e] = claims
	f.highWater = max(f.highWater, len(f.pending))
	f.mu.Unlock()
}

// apply moves the claims stashed for e into the index; deleted removes the Node's claims.
func (f *addressFeed) apply(e *entry, deleted bool) {
	if f == nil {
		return
	}
	f.mu.Lock()
	claims, ok := f.pending[e]
	delete(f.pending, e)
	if len(f.pending) == 0 && f.highWater > shrinkPendingAbove {
		f.pending, f.highWater = map[*entry]ipam.NodeClaims{}, 0
	}
	f.mu.Unlock()
	switch {
	case deleted:
		f.index.RemoveNode(e.name)
	case ok:
		f.index.SetNodeClaims(e.name, claims)
	}
}

// forget removes the claims of the Node called name.
func (f *addressFeed) forget(name string) {
	if f != nil {
		f.index.RemoveNode(name)
	}
}
