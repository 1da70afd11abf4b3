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

package syncer

import "time"

// minObserveInterval is the shortest time between two catch-ups (see catchUp) that Node changes ask for; it
// bounds their cost and the heartbeat writes they cause to one a second however fast Nodes churn.
const minObserveInterval = time.Second

// catchUpDue reports whether this sync should catch up with the whole node store: on every resync tick, and
// within minObserveInterval of a Node change. When a change waits for the interval, a sync is queued for its end.
func (s *Syncer) catchUpDue() bool {
	if s.fullDue.Load() {
		return true
	}
	if !s.nodesChanged.Load() {
		return false
	}
	wait := minObserveInterval - s.cfg.Clock.Since(s.lastCatchUp)
	if wait <= 0 {
		return true
	}
	s.queue.AddAfter(syncKey, wait)
	return false
}

// catchUp passes every cached Node to the tracker, which ignores the unchanged ones, and drops the Nodes no
// longer cached; it returns the Node resource version that the tracker is now consistent with (empty when the
// store cannot tell). The version is read before the store: the store only moves forward, so what is read after
// reflects every change up to it. Event handlers run behind the store, and during a relist its events come in
// no version order, so the changed names alone could not prove any version.
func (s *Syncer) catchUp() string {
	s.nodesChanged.Store(false)
	s.lastCatchUp = s.cfg.Clock.Now()
	rv := s.watched.storeVersion()
	s.changed.take()
	for _, n := range s.watched.listNodes() {
		s.setNode(n)
	}
	s.tracker.Retain(func(name string) bool { return s.watched.node(name) != nil })
	return rv
}
