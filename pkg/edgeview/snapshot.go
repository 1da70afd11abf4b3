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
	"time"

	"github.com/google/btree"
	"k8s.io/apimachinery/pkg/watch"
)

// Snapshot retention: a list that returns a continue token keeps its snapshot for the pages that follow.
const (
	// DefaultSnapshotIdle is how long a kept snapshot may go unused before it is dropped.
	DefaultSnapshotIdle = time.Minute
	// DefaultMaxSnapshots bounds how many snapshots a Cache keeps; the least recently used goes first.
	DefaultMaxSnapshots = 32
)

// btreeDegree is the degree of the name-ordered tree; kube-apiserver's watch cache uses the same.
const btreeDegree = 32

// sortedView is the visible entries ordered by name; Clone makes an immutable copy in O(1).
type sortedView = btree.BTreeG[*entry]

func newSortedView() *sortedView { return btree.NewG(btreeDegree, byName) }

// snapshot is the view as it was at resource version rv. Its tree is never written, so pages read it without c.mu.
type snapshot struct {
	rv       uint64
	tree     *sortedView
	lastUsed time.Time
}

// setSorted moves the name-ordered tree from prev to next, the visible entry before and after a change; the caller holds c.mu.
func (c *Cache) setSorted(prev, next *entry) {
	switch {
	case next != nil && next != prev:
		c.sorted.ReplaceOrInsert(next)
	case next == nil && prev != nil:
		c.sorted.Delete(prev)
	}
}

// snapshotAt returns the view at rv, 0 meaning the current state. It reuses a kept snapshot, clones the current
// tree, or rebuilds an older state by undoing the kept changes after rv; it fails with ResourceVersionTooOldError
// when those changes are gone. The caller holds c.mu for writing (Clone writes the live tree's copy-on-write
// context) and has waited for rv.
func (c *Cache) snapshotAt(rv uint64) (*snapshot, error) {
	now := c.now()
	c.pruneSnapshots(now)
	c.trimHistory()
	if rv == 0 || rv > c.rv {
		rv = c.rv
	}
	if s, ok := c.snapshots[rv]; ok {
		s.lastUsed = now
		return s, nil
	}
	s := &snapshot{rv: rv, tree: c.sorted.Clone(), lastUsed: now}
	if rv < c.rv {
		if rv < c.oldest {
			return nil, &ResourceVersionTooOldError{Requested: rv, Oldest: c.oldest}
		}
		undo(s.tree, c.history.since(rv))
	}
	return s, nil
}

// undo reverts changes, oldest first, on tree, newest first.
func undo(tree *sortedView, changes []change) {
	for i := len(changes) - 1; i >= 0; i-- {
		ch := changes[i]
		switch ch.kind {
		case watch.Added:
			tree.Delete(ch.obj)
		default:
			tree.ReplaceOrInsert(ch.prev)
		}
	}
}

// pruneSnapshots drops snapshots idle for longer than snapshotIdle and then the least recently used beyond
// maxSnapshots; the caller holds c.mu for writing.
func (c *Cache) pruneSnapshots(now time.Time) {
	var lru *snapshot
	for rv, s := range c.snapshots {
		if now.Sub(s.lastUsed) > c.snapshotIdle {
			delete(c.snapshots, rv)
		} else if lru == nil || s.lastUsed.Before(lru.lastUsed) {
			lru = s
		}
	}
	for len(c.snapshots) > c.maxSnapshots && lru != nil {
		delete(c.snapshots, lru.rv)
		lru = nil
		for _, s := range c.snapshots {
			if lru == nil || s.lastUsed.Before(lru.lastUsed) {
				lru = s
			}
		}
	}
}

// SetSnapshotRetention sets how long an unused snapshot is kept and how many are kept at most (see DefaultSnapshotIdle).
func (c *Cache) SetSnapshotRetention(idle time.Duration, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.snapshotIdle, c.maxSnapshots = idle, max
	c.pruneSnapshots(c.now())
}
