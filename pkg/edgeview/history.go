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
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/watch"
)

// change is one observed transition of an EdgeNode, at resource version rv.
type change struct {
	kind watch.EventType
	rv   uint64
	// at is when the change was recorded, as an offset from the history's start.
	at time.Duration
	// obj is the object after the change; for Deleted, the last known state.
	obj *entry
	// prev is the object before a Modified change.
	prev *entry
}

// HistoryOptions says which changes a Cache keeps for watches that resume from a resource version and for the
// pages of paged lists. As kube-apiserver's watch cache does (k8s.io/apiserver/pkg/storage/cacher, v0.37.2), it
// keeps every change younger than Window, up to MaxChanges, and the latest MinChanges whatever their age.
type HistoryOptions struct {
	// MinChanges are kept however old they are.
	MinChanges int
	// MaxChanges bounds the history, and with it the memory of the replaced objects it keeps alive.
	MaxChanges int
	// Window is how long a change is kept when more than MinChanges are; 0 keeps exactly MinChanges.
	Window time.Duration
}

// Defaults of HistoryOptions: kube-apiserver's DefaultEventFreshDuration (75 s) and the upper bound of its
// watch cache's capacity (100 * 1024), over a floor of 10,000 changes.
const (
	DefaultHistorySize       = 10000
	DefaultHistoryMaxChanges = 100 * 1024
	DefaultHistoryWindow     = 75 * time.Second
)

// DefaultHistoryOptions returns the history kept by default.
func DefaultHistoryOptions() HistoryOptions {
	return HistoryOptions{MinChanges: DefaultHistorySize, MaxChanges: DefaultHistoryMaxChanges, Window: DefaultHistoryWindow}
}

// history is a ring of the most recent changes, oldest first, with non-decreasing resource versions. The ring
// grows by doubling while changes are younger than the window and shrinks again as they age out.
type history struct {
	opts  HistoryOptions
	buf   []change
	start int
	len   int
}

func newHistory(opts HistoryOptions) *history {
	opts.MinChanges = max(opts.MinChanges, 1)
	opts.MaxChanges = max(opts.MaxChanges, opts.MinChanges)
	opts.Window = max(opts.Window, 0)
	return &history{opts: opts, buf: make([]change, opts.MinChanges)}
}

func (h *history) at(i int) *change { return &h.buf[(h.start+i)%len(h.buf)] }

// add appends c, recorded at now, and drops what the options no longer keep. It returns the resource version
// of the newest change dropped, if any.
func (h *history) add(c change, now time.Duration) (dropped uint64, ok bool) {
	c.at = now
	if h.len == len(h.buf) {
		if len(h.buf) < h.opts.MaxChanges && h.opts.Window > 0 && now-h.at(0).at < h.opts.Window {
			h.resize(min(2*len(h.buf), h.opts.MaxChanges))
		} else {
			dropped, ok = h.drop(), true
		}
	}
	*h.at(h.len) = c
	h.len++
	if rv, trimmed := h.trim(now); trimmed {
		dropped, ok = rv, true
	}
	return dropped, ok
}

// trim drops the changes older than the window beyond the first MinChanges, and returns the resource version
// of the newest one dropped, if any.
func (h *history) trim(now time.Duration) (dropped uint64, ok bool) {
	if h.opts.Window == 0 {
		return 0, false
	}
	for h.len > h.opts.MinChanges && now-h.at(0).at >= h.opts.Window {
		dropped, ok = h.drop(), true
	}
	if ok && len(h.buf) > h.opts.MinChanges && h.len <= len(h.buf)/4 {
		h.resize(max(len(h.buf)/2, h.opts.MinChanges))
	}
	return dropped, ok
}

// drop removes the oldest change, releasing the objects it holds, and returns its resource version.
func (h *history) drop() uint64 {
	c := h.at(0)
	rv := c.rv
	*c = change{}
	h.start = (h.start + 1) % len(h.buf)
	h.len--
	return rv
}

func (h *history) resize(capacity int) {
	buf := make([]change, capacity)
	for i := 0; i < h.len; i++ {
		buf[i] = *h.at(i)
	}
	h.buf, h.start = buf, 0
}

// since returns the changes with a resource version greater than rv, oldest first.
func (h *history) since(rv uint64) []change {
	first := sort.Search(h.len, func(i int) bool { return h.at(i).rv > rv })
	out := make([]change, 0, h.len-first)
	for i := first; i < h.len; i++ {
		out = append(out, *h.at(i))
	}
	return out
}

// size returns how many changes are kept and how old the oldest is at now.
func (h *history) size(now time.Duration) (changes int, oldest time.Duration) {
	if h.len == 0 {
		return 0, 0
	}
	return h.len, now - h.at(0).at
}
