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
	"context"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// waitForResourceVersion bounds how long a watch waits for the cache to reach a future resource version.
const waitForResourceVersion = 3 * time.Second

// Cache is the in-memory, watchable set of EdgeNodes derived from Node events.
// It implements cache.ResourceEventHandler; feed it from a Node informer.
type Cache struct {
	mu       sync.RWMutex
	progress *sync.Cond // signalled whenever rv advances

	items map[string]*entry
	// reservations are the entries of reservations; a joined Node's entry shadows its reservation.
	reservations map[string]*entry
	// rv is the highest Node resource version observed.
	rv uint64
	// oldest is the lowest resource version a watch may resume from.
	oldest   uint64
	synced   bool
	history  *history
	watchers map[uint64]*watcher
	nextID   uint64
	// watcherBuffer is the per-watcher queue length before a slow watcher is closed.
	watcherBuffer int
	// strings interns what Transform keeps of each Node.
	strings *stringInterner
	// slowClosed counts watchers closed because they fell behind.
	slowClosed uint64
	// addresses feeds every Node's addresses into an ipam.Index; nil when not wanted.
	addresses *addressFeed
	// since holds, per joined edge node, the resource version a syncer's report must reach to cover it (see Since).
	// It has its own lock: Since is called from list filters that run while mu is read-locked, and a second
	// read lock of mu would deadlock against a waiting writer.
	sinceMu sync.RWMutex
	since   map[string]uint64
	// sorted holds the visible EdgeNodes by name; lists read O(1) clones of it.
	sorted *sortedView
	// snapshots are the views kept for the pages of paged lists, by resource version.
	snapshots    map[uint64]*snapshot
	snapshotIdle time.Duration
	maxSnapshots int
	now          func() time.Time
	// epoch is the first reading of now; the history records times as offsets from it.
	epoch time.Time
}

// Stats is a point-in-time summary of a Cache for metrics.
type Stats struct {
	// EdgeNodes is the number of EdgeNodes in the view.
	EdgeNodes int
	// Reservations is the number of reservations, joined or not.
	Reservations int
	// Watchers is the number of open watches.
	Watchers int
	// SlowWatchersClosed counts watches closed because they fell behind.
	SlowWatchersClosed uint64
	// ResourceVersion is the highest Node resource version observed.
	ResourceVersion uint64
	// HistoryChanges is how many changes are kept for resuming watches and paging.
	HistoryChanges int
	// HistoryAge is the age of the oldest change kept.
	HistoryAge time.Duration
}

var _ cache.ResourceEventHandler = &Cache{}

// NewCache returns an empty Cache that keeps the latest historySize changes for resuming watches.
func NewCache(historySize int) *Cache {
	return NewCacheWithHistory(HistoryOptions{MinChanges: historySize, MaxChanges: historySize})
}

// NewCacheWithHistory returns an empty Cache that keeps the changes history selects for resuming watches.
func NewCacheWithHistory(history HistoryOptions) *Cache {
	c := &Cache{
		items:         map[string]*entry{},
		reservations:  map[string]*entry{},
		history:       newHistory(history),
		watchers:      map[uint64]*watcher{},
		watcherBuffer: 1000,
		strings:       newStringInterner(),
		since:         map[string]uint64{},
		sorted:        newSortedView(),
		snapshots:     map[uint64]*snapshot{},
		snapshotIdle:  DefaultSnapshotIdle,
		maxSnapshots:  DefaultMaxSnapshots,
		now:           time.Now,
	}
	c.progress = sync.NewCond(c.mu.RLocker())
	return c
}

// MarkSynced records that the informer delivered its initial list taken at listRV ("" if unknown).
// Watches may resume only from resource versions observed after this point.
func (c *Cache) MarkSynced(listRV string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rv, err := strconv.ParseUint(listRV, 10, 64); err == nil {
		c.advance(rv)
	}
	if !c.synced {
		c.synced = true
		c.oldest = c.rv
		klog.InfoS("Edge node cache synced", "edgeNodes", len(c.items), "resourceVersion", c.rv)
	}
}

// HasSynced reports whether MarkSynced was called.
func (c *Cache) HasSynced() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.synced
}

// OnAdd implements cache.ResourceEventHandler.
func (c *Cache) OnAdd(obj interface{}, isInInitialList bool) {
	if e, ok := asEntry(obj); ok {
		c.addresses.apply(e, false)
		c.apply(e, false, isInInitialList)
	}
}

// OnUpdate implements cache.ResourceEventHandler.
func (c *Cache) OnUpdate(_, newObj interface{}) {
	if e, ok := asEntry(newObj); ok {
		c.addresses.apply(e, false)
		c.apply(e, false, false)
	}
}

// OnDelete implements cache.ResourceEventHandler.
func (c *Cache) OnDelete(obj interface{}) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		c.addresses.forget(t.Key)
		c.forget(t.Key)
	} else if e, ok := asEntry(obj); ok {
		c.addresses.apply(e, true)
		c.apply(e, true, false)
	}
}

// apply folds one Node event, as its entry, into the view.
func (c *Cache) apply(node *entry, deleted, initial bool) {
	rv, err := strconv.ParseUint(node.rv, 10, 64)
	if err != nil {
		klog.ErrorS(err, "Ignoring node with unparsable resourceVersion", "node", klog.KRef("", node.name))
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	prev, own := c.visible(node.name), c.items[node.name]
	if !deleted && node.isEdge() {
		c.items[node.name] = node
	} else {
		delete(c.items, node.name)
	}
	c.noteSince(node.name, own, c.items[node.name], rv)
	last := prev
	if deleted && own != nil && prev == own {
		// A deleted Node is reported with its final state.
		last = node
	}
	c.publish(prev, c.visible(node.name), last, rv, initial)
}

// visible is what a client sees under name: the joined Node's view, else the reservation; the caller holds c.mu.
func (c *Cache) visible(name string) *entry {
	if e, ok := c.items[name]; ok {
		return e
	}
	return c.reservations[name]
}

// publish records the transition of one name from prev to next at rv; last is the final
// state reported when the name disappears. The caller holds c.mu.
func (c *Cache) publish(prev, next, last *entry, rv uint64, initial bool) {
	c.setSorted(prev, next)
	if rv < c.rv {
		// Never move backwards: a resumed watch relies on increasing versions.
		rv = c.rv
	}
	var ch change
	switch {
	case next == nil && prev != nil:
		ch = change{kind: watch.Deleted, obj: last.withResourceVersion(strconv.FormatUint(rv, 10)), prev: prev}
	case next != nil && prev == nil:
		ch = change{kind: watch.Added, obj: next}
	case next != nil && prev != nil && !sameEntry(prev, next):
		ch = change{kind: watch.Modified, obj: next, prev: prev}
	default:
		c.advance(rv)
		c.trimHistory()
		return
	}
	ch.rv = rv
	c.advance(rv)
	if initial || !c.synced {
		return
	}
	c.record(ch)
}

// forget removes an item whose deletion was missed; watches cannot resume across it.
func (c *Cache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok {
		return
	}
	prev := c.visible(key)
	delete(c.items, key)
	c.sinceMu.Lock()
	delete(c.since, key)
	c.sinceMu.Unlock()
	c.publish(prev, c.visible(key), prev, c.rv, false)
	if c.synced {
		c.oldest = c.rv + 1
	}
}

// advance moves the observed resource version forward and wakes waiting watches.
func (c *Cache) advance(rv uint64) {
	if rv > c.rv {
		c.rv = rv
		c.progress.Broadcast()
	}
}

// record stores a change and fans it out to watchers; the caller holds c.mu.
func (c *Cache) record(ch change) {
	c.dropped(c.history.add(ch, c.clock()))
	if len(c.watchers) == 0 {
		return
	}
	filtered := false
	for _, w := range c.watchers {
		filtered = filtered || w.filter != nil
	}
	d := newDelivery(ch, filtered)
	for id, w := range c.watchers {
		if !w.offer(d) {
			klog.V(2).InfoS("Closing a slow edge node watch", "watcher", id, "buffer", c.watcherBuffer)
			delete(c.watchers, id)
			w.closeInput()
			c.slowClosed++
		}
	}
}

// trimHistory drops the changes that have aged out of the history; the caller holds c.mu.
func (c *Cache) trimHistory() {
	c.dropped(c.history.trim(c.clock()))
}

// dropped moves the oldest resumable version past a change the history no longer keeps; the caller holds c.mu.
func (c *Cache) dropped(rv uint64, ok bool) {
	if ok && rv > c.oldest {
		c.oldest = rv
	}
}

// clock returns the time since the Cache first read its clock; the caller holds c.mu for writing.
func (c *Cache) clock() time.Duration {
	now := c.now()
	if c.epoch.IsZero() {
		c.epoch = now
	}
	return now.Sub(c.epoch)
}

// Stats returns a summary of the view for metrics.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	changes, age := c.history.size(c.clock())
	return Stats{EdgeNodes: len(c.items), Reservations: len(c.reservations), Watchers: len(c.watchers), SlowWatchersClosed: c.slowClosed,
		ResourceVersion: c.rv, HistoryChanges: changes, HistoryAge: age}
}

// Get returns the EdgeNode called name and whether it exists.
func (c *Cache) Get(name string) (*kubeedge.EdgeNode, bool, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.synced {
		return nil, false, ErrNotSynced
	}
	e := c.visible(name)
	if e == nil {
		return nil, false, nil
	}
	return e.edgeNode(), true, nil
}

// List returns the EdgeNodes that pass filter, sorted by name, and the resource version they reflect.
func (c *Cache) List(filter func(*kubeedge.EdgeNode) bool) ([]*kubeedge.EdgeNode, string, error) {
	page, err := c.ListPage(context.Background(), PageRequest{Filter: filter})
	if err != nil {
		return nil, "", err
	}
	items := make([]*kubeedge.EdgeNode, len(page.Items))
	for i := range page.Items {
		items[i] = &page.Items[i]
	}
	return items, strconv.FormatUint(page.ResourceVersion, 10), nil
}

// Len returns the number of EdgeNodes in the view.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.sorted.Len()
}

// each calls fn for every visible entry; the caller holds c.mu.
func (c *Cache) each(fn func(*entry)) {
	for _, e := range c.items {
		fn(e)
	}
	for name, e := range c.reservations {
		if _, joined := c.items[name]; !joined {
			fn(e)
		}
	}
}

// WaitForResourceVersion blocks until the view reflects rv ("" and "0" need nothing),
// or fails with ResourceVersionTooLargeError after a short wait.
func (c *Cache) WaitForResourceVersion(ctx context.Context, rv string) error {
	n, err := parseResourceVersion(rv)
	if err != nil {
		return err
	}
	return c.waitForVersion(ctx, n)
}

func (c *Cache) waitForVersion(ctx context.Context, rv uint64) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.synced {
		return ErrNotSynced
	}
	if !c.waitFor(ctx, rv) {
		return &ResourceVersionTooLargeError{Requested: rv, Current: c.rv}
	}
	return nil
}

// parseResourceVersion returns 0 for "" and "0", meaning "the current state".
func parseResourceVersion(rv string) (uint64, error) {
	if rv == "" || rv == "0" {
		return 0, nil
	}
	n, err := strconv.ParseUint(rv, 10, 64)
	if err != nil {
		return 0, &InvalidResourceVersionError{Value: rv}
	}
	return n, nil
}

// waitFor blocks until the cache has observed rv, the timeout passes or ctx ends; the caller holds c.mu.RLock.
func (c *Cache) waitFor(ctx context.Context, rv uint64) bool {
	if c.rv >= rv {
		return true
	}
	deadline := time.Now().Add(waitForResourceVersion)
	stop := context.AfterFunc(ctx, c.wake)
	defer stop()
	timer := time.AfterFunc(waitForResourceVersion, c.wake)
	defer timer.Stop()
	for c.rv < rv && time.Now().Before(deadline) && ctx.Err() == nil {
		c.progress.Wait()
	}
	return c.rv >= rv
}

// wake releases waiters; taking the write lock orders it after their condition checks.
func (c *Cache) wake() {
	c.mu.Lock()
	c.progress.Broadcast()
	c.mu.Unlock()
}

// sameView reports whether two versions of an EdgeNode differ only in resource version.
func sameView(a, b *kubeedge.EdgeNode) bool {
	return a.UID == b.UID &&
		a.CreationTimestamp.Equal(&b.CreationTimestamp) &&
		a.DeletionTimestamp.Equal(b.DeletionTimestamp) &&
		maps.Equal(a.Labels, b.Labels) &&
		a.Spec.InternalIP == b.Spec.InternalIP && a.Spec.KubeEdgeVersion == b.Spec.KubeEdgeVersion &&
		maps.Equal(a.Spec.Labels, b.Spec.Labels) && slices.Equal(a.Spec.Taints, b.Spec.Taints) &&
		a.Status.Phase == b.Status.Phase && a.Status.Readiness == b.Status.Readiness &&
		a.Status.InternalIP == b.Status.InternalIP && a.Status.KubeletPort == b.Status.KubeletPort &&
		a.Status.KubeEdgeVersion == b.Status.KubeEdgeVersion && a.Status.ReservedBy == b.Status.ReservedBy &&
		a.Status.ReservationExpiresAt.Equal(b.Status.ReservationExpiresAt) &&
		slices.EqualFunc(a.Status.Conditions, b.Status.Conditions, func(x, y metav1.Condition) bool {
			return x.Type == y.Type && x.Status == y.Status && x.ObservedGeneration == y.ObservedGeneration &&
				x.LastTransitionTime.Equal(&y.LastTransitionTime) && x.Reason == y.Reason && x.Message == y.Message
		})
}

// GetWithVersion returns the EdgeNode called name, whether it exists, and the resource version the view reflects.
func (c *Cache) GetWithVersion(name string) (*kubeedge.EdgeNode, bool, string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.synced {
		return nil, false, "", ErrNotSynced
	}
	rv := strconv.FormatUint(c.rv, 10)
	e := c.visible(name)
	if e == nil {
		return nil, false, rv, nil
	}
	return e.edgeNode(), true, rv, nil
}
