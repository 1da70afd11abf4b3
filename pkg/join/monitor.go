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

package join

import (
	"context"
	"sync"
	"time"

	"k8s.io/klog/v2"
)

// syncPollInterval is how often Run looks whether the caches synced before its first check.
const syncPollInterval = 100 * time.Millisecond

// DependencyMonitor keeps the latest result of Service.Dependencies for metrics and health checks, and logs one
// line when a dependency becomes unusable, each time a new version of it is still unusable, and when it is
// usable again; never one per request or per check.
type DependencyMonitor struct {
	check  func() []Dependency
	synced func() bool
	notify chan struct{}

	mu   sync.Mutex
	last []Dependency
}

// NewDependencyMonitor returns a monitor of check that checks nothing until synced reports true.
func NewDependencyMonitor(check func() []Dependency, synced func() bool) *DependencyMonitor {
	return &DependencyMonitor{check: check, synced: synced, notify: make(chan struct{}, 1)}
}

// Notify asks Run for a check soon, for example after a watched object changed; it never blocks.
func (m *DependencyMonitor) Notify() {
	select {
	case m.notify <- struct{}{}:
	default:
	}
}

// Run checks once the caches synced, then after every Notify and every period (a token expires without any
// event) until ctx ends.
func (m *DependencyMonitor) Run(ctx context.Context, period time.Duration) {
	for !m.synced() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(syncPollInterval):
		}
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		m.Update()
		select {
		case <-ctx.Done():
			return
		case <-m.notify:
		case <-t.C:
		}
	}
}

// Update checks every dependency now, logs the changes and returns the result; nil before the caches synced.
func (m *DependencyMonitor) Update() []Dependency {
	if !m.synced() {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.check()
	before := make(map[string]Dependency, len(m.last))
	for _, d := range m.last {
		before[d.Name] = d
	}
	for _, d := range now {
		logChange(before[d.Name], d, m.last == nil)
	}
	m.last = now
	return now
}

// Last returns the result of the latest check; nil before the first.
func (m *DependencyMonitor) Last() []Dependency {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}

// logChange logs d if it differs from prev in a way an operator must learn: it became unusable (or is so at the
// first check), a new version of the object is still unusable, or it is usable again.
func logChange(prev, d Dependency, first bool) {
	kv := []any{"dependency", d.Name, "object", d.Object, "resourceVersion", d.ResourceVersion}
	switch {
	case d.Ready() && !first && !prev.Ready():
		klog.InfoS("Join dependency usable again; join requests are served", kv...)
	case !d.Ready() && (first || prev.Ready() || prev.ResourceVersion != d.ResourceVersion):
		klog.ErrorS(d.Err, "Join dependency unusable; join requests that need it answer 503 until it is fixed", kv...)
	}
}
