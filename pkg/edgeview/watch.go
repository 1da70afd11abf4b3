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
	"strconv"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// InitialEventsEndAnnotation marks the bookmark that ends the initial events of a watch.
const InitialEventsEndAnnotation = metav1.InitialEventsAnnotationKey

// WatchOptions selects where a watch starts and what it sees.
type WatchOptions struct {
	// ResourceVersion is "" or "0" to start from the current state, or a version to resume after.
	ResourceVersion string
	// SendInitialEvents overrides whether the current state is replayed first.
	SendInitialEvents *bool
	// AllowBookmarks lets the watch end its initial events with a bookmark.
	AllowBookmarks bool
	// Filter selects the EdgeNodes the watcher sees; nil means all.
	Filter func(*kubeedge.EdgeNode) bool
}

// Watch starts a watch on the view. With no resource version it replays the current
// EdgeNodes as Added events and then follows; with one it resumes after it, or fails
// with ResourceVersionTooOldError when those changes are no longer kept.
func (c *Cache) Watch(ctx context.Context, opts WatchOptions) (watch.Interface, error) {
	from, err := parseResourceVersion(opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	replay := from == 0
	if opts.SendInitialEvents != nil {
		replay = *opts.SendInitialEvents
	}
	filter := opts.Filter

	if err := c.waitForVersion(ctx, from); err != nil {
		return nil, err
	}

	// Registration and the snapshot of initial events must be atomic with respect to changes.
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trimHistory()
	if from != 0 && from < c.oldest {
		return nil, &ResourceVersionTooOldError{Requested: from, Oldest: c.oldest}
	}
	w := newWatcher(filter, c.watcherBuffer)
	if replay {
		c.each(func(e *entry) {
			if en := e.edgeNode(); w.matches(en) {
				w.initial = append(w.initial, watch.Event{Type: watch.Added, Object: en})
			}
		})
		if opts.SendInitialEvents != nil && opts.AllowBookmarks {
			w.initial = append(w.initial, initialEventsEnd(c.rv))
		}
	}
	if from != 0 && !replay {
		w.backlog = c.history.since(from)
	}
	c.nextID++
	id := c.nextID
	c.watchers[id] = w
	go w.run(ctx, func() { c.removeWatcher(id) })
	return w, nil
}

func (c *Cache) removeWatcher(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w, ok := c.watchers[id]; ok {
		delete(c.watchers, id)
		w.closeInput()
	}
}

func initialEventsEnd(rv uint64) watch.Event {
	return watch.Event{Type: watch.Bookmark, Object: &kubeedge.EdgeNode{ObjectMeta: metav1.ObjectMeta{
		ResourceVersion: strconv.FormatUint(rv, 10),
		Annotations:     map[string]string{InitialEventsEndAnnotation: "true"},
	}}}
}

// watcher is one client's watch: an input queue of changes and a result channel of events.
type watcher struct {
	// filter selects the EdgeNodes the watcher sees; nil means all.
	filter  func(*kubeedge.EdgeNode) bool
	initial []watch.Event
	// backlog holds the kept changes after the resume point, delivered before input.
	backlog []change
	input   chan delivery
	result  chan watch.Event
	done    chan struct{}

	stopOnce  sync.Once
	closeOnce sync.Once
}

var _ watch.Interface = &watcher{}

func newWatcher(filter func(*kubeedge.EdgeNode) bool, buffer int) *watcher {
	return &watcher{
		filter: filter,
		input:  make(chan delivery, buffer),
		result: make(chan watch.Event, 100),
		done:   make(chan struct{}),
	}
}

// ResultChan implements watch.Interface.
func (w *watcher) ResultChan() <-chan watch.Event { return w.result }

// Stop implements watch.Interface.
func (w *watcher) Stop() { w.stopOnce.Do(func() { close(w.done) }) }

// offer queues ch without blocking and reports false when the watcher is too slow.
func (w *watcher) offer(d delivery) bool {
	select {
	case w.input <- d:
		return true
	default:
		return false
	}
}

func (w *watcher) closeInput() { w.closeOnce.Do(func() { close(w.input) }) }

// run delivers initial events, then queued changes, until the input closes, Stop or ctx.
func (w *watcher) run(ctx context.Context, unregister func()) {
	defer close(w.result)
	defer unregister()
	// Fold ctx into done so that each event needs a two-way select, not three.
	defer context.AfterFunc(ctx, w.Stop)()
	for _, ev := range w.initial {
		if !w.send(ctx, ev) {
			return
		}
	}
	w.initial = nil
	for _, ch := range w.backlog {
		if ev, visible := w.translate(delivery{change: ch}); visible && !w.send(ctx, ev) {
			return
		}
	}
	w.backlog = nil
	for {
		select {
		case d, ok := <-w.input:
			if !ok {
				return
			}
			if ev, visible := w.translate(d); visible && !w.send(ctx, ev) {
				return
			}
		case <-w.done:
			return
		}
	}
}

func (w *watcher) send(ctx context.Context, ev watch.Event) bool {
	select {
	case w.result <- ev:
		return true
	case <-w.done:
		return false
	}
}

// matches reports whether the watcher sees en.
func (w *watcher) matches(en *kubeedge.EdgeNode) bool { return w.filter == nil || w.filter(en) }

// delivery is a change on its way to watchers, with the EdgeNodes built once for all of them; nil ones are
// built by the watcher.
type delivery struct {
	change
	obj, prev *kubeedge.EdgeNode
}

// newDelivery builds the EdgeNodes of ch; the previous one only when withPrev, for watchers with a filter.
func newDelivery(ch change, withPrev bool) delivery {
	d := delivery{change: ch, obj: ch.obj.edgeNode()}
	if withPrev && ch.prev != nil {
		d.prev = ch.prev.edgeNode()
	}
	return d
}

func (d *delivery) object() *kubeedge.EdgeNode {
	if d.obj == nil {
		d.obj = d.change.obj.edgeNode()
	}
	return d.obj
}

func (d *delivery) previous() *kubeedge.EdgeNode {
	if d.prev == nil {
		d.prev = d.change.prev.edgeNode()
	}
	return d.prev
}

// translate turns a change into the event this watcher's filter should see, as the
// API server's watch cache does: an object that stops matching is reported Deleted.
func (w *watcher) translate(d delivery) (watch.Event, bool) {
	obj, ch := d.object(), d.change
	switch {
	case ch.kind == watch.Added:
		return watch.Event{Type: watch.Added, Object: obj}, w.matches(obj)
	case ch.kind == watch.Deleted && w.filter == nil:
		return watch.Event{Type: watch.Deleted, Object: obj}, true
	case ch.kind == watch.Deleted:
		return watch.Event{Type: watch.Deleted, Object: obj}, w.filter(d.previous())
	case w.filter == nil:
		return watch.Event{Type: watch.Modified, Object: obj}, true
	}
	now, before := w.filter(obj), w.filter(d.previous())
	switch {
	case now && before:
		return watch.Event{Type: watch.Modified, Object: obj}, true
	case now:
		return watch.Event{Type: watch.Added, Object: obj}, true
	case before:
		return watch.Event{Type: watch.Deleted, Object: ch.prev.withResourceVersion(strconv.FormatUint(ch.rv, 10)).edgeNode()}, true
	}
	return watch.Event{}, false
}
