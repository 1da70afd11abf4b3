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

// Since returns the Node resource version from which a syncer's report covers the joined edge node called name:
// the version at which the view first saw it as an edge node, or last saw its UID, InternalIP or kubelet port
// change. After a restart the view knows only each Node's version at the initial list, which is as late or later.
// It never takes the cache's main lock, so it may be called while that lock is held, from a list filter.
func (c *Cache) Since(name string) (uint64, bool) {
	c.sinceMu.RLock()
	defer c.sinceMu.RUnlock()
	rv, ok := c.since[name]
	return rv, ok
}

// noteSince records rv for node when it is new as a joined edge node or moved; own is its previous view, and
// next is nil when it is gone. The caller holds c.mu.
func (c *Cache) noteSince(name string, own, next *entry, rv uint64) {
	c.sinceMu.Lock()
	defer c.sinceMu.Unlock()
	switch {
	case next == nil:
		delete(c.since, name)
	case own == nil || own.uid != next.uid || own.internalIP != next.internalIP || own.kubeletPort != next.kubeletPort:
		c.since[name] = rv
	}
}
