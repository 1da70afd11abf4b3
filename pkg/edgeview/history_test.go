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
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// rvs returns the resource versions of changes.
func rvs(changes []change) []uint64 {
	out := make([]uint64, len(changes))
	for i, c := range changes {
		out[i] = c.rv
	}
	return out
}

func TestHistoryByCount(t *testing.T) {
	h := newHistory(HistoryOptions{MinChanges: 3, MaxChanges: 3})
	for rv := uint64(1); rv <= 5; rv++ {
		dropped, ok := h.add(change{rv: rv, obj: &entry{}}, time.Duration(rv)*time.Hour)
		if want := rv > 3; ok != want || (ok && dropped != rv-3) {
			t.Fatalf("add %d: dropped %d %v, want %v", rv, dropped, ok, want)
		}
	}
	if got := fmt.Sprint(rvs(h.since(0))); got != "[3 4 5]" {
		t.Fatalf("since(0) = %s, want [3 4 5]", got)
	}
	if got := fmt.Sprint(rvs(h.since(4))); got != "[5]" {
		t.Fatalf("since(4) = %s, want [5]", got)
	}
	if got := len(h.since(5)); got != 0 {
		t.Fatalf("since(5) has %d changes, want none", got)
	}
	if _, ok := h.trim(1000 * time.Hour); ok {
		t.Fatal("a history without a window dropped changes by age")
	}
}

func TestHistoryKeepsTheWindowUpToMax(t *testing.T) {
	h := newHistory(HistoryOptions{MinChanges: 2, MaxChanges: 8, Window: time.Minute})
	// Ten changes within a second: the ring grows from 2 to 8, then drops the oldest.
	for rv := uint64(1); rv <= 10; rv++ {
		h.add(change{rv: rv}, time.Duration(rv)*time.Millisecond)
	}
	if got := fmt.Sprint(rvs(h.since(0))); got != "[3 4 5 6 7 8 9 10]" {
		t.Fatalf("kept %s, want the newest 8", got)
	}
	if len(h.buf) != 8 {
		t.Fatalf("ring of %d, want 8", len(h.buf))
	}
	// A minute later only the newest MinChanges remain, and the ring shrinks back.
	dropped, ok := h.trim(time.Minute + 10*time.Millisecond)
	if !ok || dropped != 8 {
		t.Fatalf("trim dropped up to %d (%v), want 8", dropped, ok)
	}
	if got := fmt.Sprint(rvs(h.since(0))); got != "[9 10]" {
		t.Fatalf("kept %s after the window, want [9 10]", got)
	}
	if len(h.buf) > 4 {
		t.Fatalf("ring of %d after the window, want it shrunk", len(h.buf))
	}
	if n, age := h.size(time.Minute + 10*time.Millisecond); n != 2 || age != time.Minute+time.Millisecond {
		t.Fatalf("size = %d, %v", n, age)
	}
}

func TestHistoryDropsOnlyWhatAgedOut(t *testing.T) {
	h := newHistory(HistoryOptions{MinChanges: 1, MaxChanges: 100, Window: 10 * time.Second})
	for rv := uint64(1); rv <= 20; rv++ {
		// One change a second.
		h.add(change{rv: rv}, time.Duration(rv)*time.Second)
	}
	// At 20 s, changes recorded at 11 s and later are younger than 10 s.
	if got := fmt.Sprint(rvs(h.since(0))); got != "[11 12 13 14 15 16 17 18 19 20]" {
		t.Fatalf("kept %s, want the last 10 seconds", got)
	}
}

func TestHistoryReleasesDroppedObjects(t *testing.T) {
	h := newHistory(HistoryOptions{MinChanges: 2, MaxChanges: 2})
	for rv := uint64(1); rv <= 3; rv++ {
		h.add(change{rv: rv, obj: &entry{}, prev: &entry{}}, 0)
	}
	for i, c := range h.buf {
		if c.rv == 1 || (c.rv == 0 && (c.obj != nil || c.prev != nil)) {
			t.Fatalf("slot %d still holds dropped change %+v", i, c)
		}
	}
}

// churn modifies node "n" count times from resource version rv+1 on, the clock advancing step each time.
func churn(c *Cache, clock *time.Time, rv, count int, step time.Duration) int {
	for i := 0; i < count; i++ {
		rv++
		*clock = clock.Add(step)
		status := corev1.ConditionTrue
		if rv%2 == 0 {
			status = corev1.ConditionFalse
		}
		c.OnUpdate(nil, testNode("n", rv, true, "198.51.100.1", status))
	}
	return rv
}

func TestWatchResumesAcrossChurnWithinTheWindow(t *testing.T) {
	clock := time.Unix(1_000_000, 0)
	c := NewCacheWithHistory(HistoryOptions{MinChanges: 10, MaxChanges: 1000, Window: time.Minute})
	c.now = func() time.Time { return clock }
	c.OnAdd(testNode("n", 1, true, "198.51.100.1", corev1.ConditionTrue), true)
	c.MarkSynced("1")

	// 500 changes in 5 s: fifty times what a count-only history of 10 keeps.
	last := churn(c, &clock, 1, 500, 10*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := c.Watch(ctx, WatchOptions{ResourceVersion: "1"})
	if err != nil {
		t.Fatalf("resuming from the first version within the window: %v", err)
	}
	for rv := 2; rv <= last; rv++ {
		expect(t, w, watch.Modified, "n", strconv.Itoa(rv))
	}
	w.Stop()
	if s := c.Stats(); s.HistoryChanges != 500 || s.HistoryAge != 5*time.Second-10*time.Millisecond {
		t.Fatalf("stats: %d changes, oldest %v", s.HistoryChanges, s.HistoryAge)
	}

	// A minute later the same version is gone (410) and the floor of ten changes remains resumable.
	clock = clock.Add(time.Minute)
	var tooOld *ResourceVersionTooOldError
	if _, err := c.Watch(ctx, WatchOptions{ResourceVersion: "1"}); !errors.As(err, &tooOld) {
		t.Fatalf("resuming from a version older than the window: %v, want ResourceVersionTooOldError", err)
	}
	w, err = c.Watch(ctx, WatchOptions{ResourceVersion: strconv.Itoa(last - 10)})
	if err != nil {
		t.Fatalf("resuming within the last ten changes: %v", err)
	}
	defer w.Stop()
	expect(t, w, watch.Modified, "n", strconv.Itoa(last-9))
	if s := c.Stats(); s.HistoryChanges != 10 {
		t.Fatalf("%d changes kept after the window, want 10", s.HistoryChanges)
	}
}

func TestWatchHistoryMaxBoundsTheWindow(t *testing.T) {
	clock := time.Unix(1_000_000, 0)
	c := NewCacheWithHistory(HistoryOptions{MinChanges: 10, MaxChanges: 100, Window: time.Hour})
	c.now = func() time.Time { return clock }
	c.OnAdd(testNode("n", 1, true, "198.51.100.1", corev1.ConditionTrue), true)
	c.MarkSynced("1")
	last := churn(c, &clock, 1, 500, time.Millisecond)
	var tooOld *ResourceVersionTooOldError
	if _, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "1"}); !errors.As(err, &tooOld) {
		t.Fatalf("resuming past the most kept: %v, want ResourceVersionTooOldError", err)
	}
	w, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: strconv.Itoa(last - 100)})
	if err != nil {
		t.Fatalf("resuming within the last 100 changes: %v", err)
	}
	defer w.Stop()
	expect(t, w, watch.Modified, "n", strconv.Itoa(last-99))
}
