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
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

func expect(t *testing.T, w watch.Interface, typ watch.EventType, name, rv string) watch.Event {
	t.Helper()
	ev := nextEvent(t, w)
	en, ok := ev.Object.(*kubeedge.EdgeNode)
	if ev.Type != typ || !ok || en.Name != name || (rv != "" && en.ResourceVersion != rv) {
		t.Fatalf("got %s %#v, want %s %s rv=%s", ev.Type, ev.Object, typ, name, rv)
	}
	return ev
}

func TestWatchReplaysThenFollows(t *testing.T) {
	for _, rv := range []string{"", "0"} {
		t.Run("rv="+rv, func(t *testing.T) {
			c := syncedCache(t, testNode("a", 1, true, "198.51.100.1", corev1.ConditionTrue))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w, err := c.Watch(ctx, WatchOptions{ResourceVersion: rv})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			expect(t, w, watch.Added, "a", "1")
			c.OnAdd(testNode("b", 2, true, "198.51.100.2", corev1.ConditionTrue), false)
			expect(t, w, watch.Added, "b", "2")
			c.OnUpdate(nil, testNode("b", 3, true, "198.51.100.2", corev1.ConditionFalse))
			expect(t, w, watch.Modified, "b", "3")
			c.OnDelete(testNode("b", 4, true, "198.51.100.2", corev1.ConditionFalse))
			expect(t, w, watch.Deleted, "b", "4")
		})
	}
}

func TestWatchResumesFromResourceVersion(t *testing.T) {
	c := syncedCache(t, testNode("a", 1, true, "198.51.100.1", corev1.ConditionTrue))
	c.OnAdd(testNode("b", 2, true, "198.51.100.2", corev1.ConditionTrue), false)
	c.OnUpdate(nil, testNode("a", 3, true, "198.51.100.1", corev1.ConditionFalse))
	w, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "2"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	expect(t, w, watch.Modified, "a", "3")
	expectNoEvent(t, w)
}

func TestWatchTooOldIsGone(t *testing.T) {
	c := NewCache(2)
	c.OnAdd(testNode("a", 10, true, "198.51.100.1", corev1.ConditionTrue), true)
	c.MarkSynced("")
	var tooOld *ResourceVersionTooOldError
	if _, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "5"}); !errors.As(err, &tooOld) {
		t.Fatalf("watch from before the initial list: err = %v, want too old", err)
	}
	for rv := 11; rv <= 14; rv++ {
		c.OnUpdate(nil, testNode("a", rv, true, "198.51.100.1", corev1.ConditionStatus([]string{"True", "False"}[rv%2])))
	}
	// History holds 13 and 14 only, so resuming after 11 would miss 12.
	if _, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "11"}); !errors.As(err, &tooOld) {
		t.Fatalf("watch from an evicted version: err = %v, want too old", err)
	}
	w, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "12"})
	if err != nil {
		t.Fatalf("watch from a kept version: %v", err)
	}
	defer w.Stop()
	expect(t, w, watch.Modified, "a", "13")
	expect(t, w, watch.Modified, "a", "14")
}

func TestWatchFutureResourceVersion(t *testing.T) {
	c := syncedCache(t, testNode("a", 1, true, "198.51.100.1", corev1.ConditionTrue))
	go func() {
		time.Sleep(100 * time.Millisecond)
		c.OnAdd(testNode("b", 5, true, "198.51.100.2", corev1.ConditionTrue), false)
	}()
	w, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "5"})
	if err != nil {
		t.Fatalf("watch should wait for the cache to reach version 5: %v", err)
	}
	w.Stop()

	start := time.Now()
	var tooLarge *ResourceVersionTooLargeError
	if _, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "99"}); !errors.As(err, &tooLarge) {
		t.Fatalf("err = %v, want too large", err)
	}
	if waited := time.Since(start); waited < waitForResourceVersion/2 || waited > 3*waitForResourceVersion {
		t.Errorf("waited %v for a version that never comes", waited)
	}
	var invalid *InvalidResourceVersionError
	if _, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "x1"}); !errors.As(err, &invalid) {
		t.Fatalf("err = %v, want invalid", err)
	}
}

func TestWatchFilterTransitions(t *testing.T) {
	c := syncedCache(t, testNode("a", 1, true, "198.51.100.1", corev1.ConditionTrue))
	readyOnly := func(en *kubeedge.EdgeNode) bool { return en.Status.Readiness == kubeedge.NodeReady }
	w, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "1", Filter: readyOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	c.OnUpdate(nil, testNode("a", 2, true, "198.51.100.1", corev1.ConditionFalse))
	expect(t, w, watch.Deleted, "a", "2")
	c.OnUpdate(nil, testNode("a", 3, true, "198.51.100.1", corev1.ConditionFalse)) // still hidden
	c.OnUpdate(nil, testNode("a", 4, true, "198.51.100.1", corev1.ConditionTrue))
	expect(t, w, watch.Added, "a", "4")
	c.OnUpdate(nil, testNode("a", 5, false, "198.51.100.1", corev1.ConditionTrue)) // label removed
	expect(t, w, watch.Deleted, "a", "5")
	c.OnAdd(testNode("cloud", 6, false, "192.0.2.1", corev1.ConditionTrue), false)
	expectNoEvent(t, w)
}

func TestWatchSkipsUpdatesThatDoNotChangeTheView(t *testing.T) {
	c := syncedCache(t, testNode("a", 1, true, "198.51.100.1", corev1.ConditionTrue))
	w, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "1"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	c.OnUpdate(nil, testNode("a", 2, true, "198.51.100.1", corev1.ConditionTrue))
	expectNoEvent(t, w)
	if _, rv, _ := c.List(nil); rv != "2" {
		t.Errorf("list resourceVersion = %s, want 2 after a no-op update", rv)
	}
}

func TestWatchInitialEventsEndBookmark(t *testing.T) {
	c := syncedCache(t, testNode("a", 1, true, "198.51.100.1", corev1.ConditionTrue))
	send := true
	w, err := c.Watch(context.Background(), WatchOptions{SendInitialEvents: &send, AllowBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	expect(t, w, watch.Added, "a", "1")
	ev := nextEvent(t, w)
	en := ev.Object.(*kubeedge.EdgeNode)
	if ev.Type != watch.Bookmark || en.Annotations[InitialEventsEndAnnotation] != "true" || en.ResourceVersion != "1" {
		t.Fatalf("got %s %+v, want the initial-events-end bookmark", ev.Type, en.ObjectMeta)
	}
}

func TestSlowWatcherIsClosedNotBlocking(t *testing.T) {
	c := syncedCache(t)
	c.watcherBuffer = 2
	w, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		for i := 1; i <= 50; i++ {
			c.OnAdd(testNode("n"+string(rune('a'+i%26))+string(rune('a'+i/26)), i, true, "198.51.100.1", corev1.ConditionTrue), false)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a slow watcher blocked the cache")
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-w.ResultChan():
			if !ok {
				if s := c.Stats(); s.SlowWatchersClosed != 1 || s.Watchers != 0 || s.EdgeNodes != 50 {
					t.Errorf("stats after closing the slow watcher = %+v", s)
				}
				return // closed, so the client re-lists
			}
		case <-deadline:
			t.Fatal("slow watcher was never closed")
		}
	}
}

func TestWatchStopAndContextEndTheWatch(t *testing.T) {
	c := syncedCache(t)
	w, err := c.Watch(context.Background(), WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.Stop()
	w.Stop() // idempotent
	if _, ok := <-w.ResultChan(); ok {
		t.Fatal("result channel open after Stop")
	}
	ctx, cancel := context.WithCancel(context.Background())
	w, err = c.Watch(ctx, WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, ok := <-w.ResultChan(); ok {
		t.Fatal("result channel open after the context ended")
	}
	time.Sleep(10 * time.Millisecond)
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.watchers) != 0 {
		t.Errorf("%d watchers still registered", len(c.watchers))
	}
}
