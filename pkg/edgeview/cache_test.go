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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

func syncedCache(t *testing.T, nodes ...*corev1.Node) *Cache {
	t.Helper()
	c := NewCache(100)
	for _, n := range nodes {
		c.OnAdd(n, true)
	}
	c.MarkSynced("")
	return c
}

func names(items []*kubeedge.EdgeNode) []string {
	out := make([]string, len(items))
	for i, en := range items {
		out[i] = en.Name
	}
	return out
}

func TestCacheNotSynced(t *testing.T) {
	c := NewCache(10)
	if _, _, err := c.List(nil); !errors.Is(err, ErrNotSynced) {
		t.Errorf("List before sync: err = %v", err)
	}
	if _, _, err := c.Get("x"); !errors.Is(err, ErrNotSynced) {
		t.Errorf("Get before sync: err = %v", err)
	}
	if _, err := c.Watch(context.Background(), WatchOptions{}); !errors.Is(err, ErrNotSynced) {
		t.Errorf("Watch before sync: err = %v", err)
	}
}

func TestCacheListsOnlyEdgeNodesSortedByName(t *testing.T) {
	c := syncedCache(t,
		testNode("edge-b", 3, true, "198.51.100.2", corev1.ConditionTrue),
		testNode("cloud", 5, false, "192.0.2.1", corev1.ConditionTrue),
		testNode("edge-a", 4, true, "198.51.100.1", corev1.ConditionFalse),
	)
	items, rv, err := c.List(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(items); len(got) != 2 || got[0] != "edge-a" || got[1] != "edge-b" {
		t.Errorf("List = %v, want [edge-a edge-b]", got)
	}
	if rv != "5" {
		t.Errorf("list resourceVersion = %q, want the highest observed, 5", rv)
	}
	ready, _, _ := c.List(func(en *kubeedge.EdgeNode) bool { return en.Status.Readiness == kubeedge.NodeReady })
	if got := names(ready); len(got) != 1 || got[0] != "edge-b" {
		t.Errorf("filtered List = %v, want [edge-b]", got)
	}
	if _, ok, _ := c.Get("cloud"); ok {
		t.Error("a non-edge node must not be visible")
	}
	if en, ok, _ := c.Get("edge-a"); !ok || en.Status.InternalIP != "198.51.100.1" {
		t.Errorf("Get(edge-a) = %v, %v", en, ok)
	}
}

func TestCacheFollowsLabelChangesAndDeletes(t *testing.T) {
	c := syncedCache(t, testNode("n1", 1, false, "198.51.100.1", corev1.ConditionTrue))
	c.OnUpdate(nil, testNode("n1", 2, true, "198.51.100.1", corev1.ConditionTrue))
	if c.Len() != 1 {
		t.Fatalf("node that gained the edge label is not listed")
	}
	c.OnUpdate(nil, testNode("n1", 3, false, "198.51.100.1", corev1.ConditionTrue))
	if c.Len() != 0 {
		t.Fatalf("node that lost the edge label is still listed")
	}
	c.OnUpdate(nil, testNode("n1", 4, true, "198.51.100.1", corev1.ConditionTrue))
	c.OnDelete(testNode("n1", 5, true, "198.51.100.1", corev1.ConditionTrue))
	if c.Len() != 0 {
		t.Fatalf("deleted node is still listed")
	}
	c.OnAdd(testNode("n2", 6, true, "198.51.100.2", corev1.ConditionTrue), false)
	c.OnDelete(cache.DeletedFinalStateUnknown{Key: "n2", Obj: nil})
	if c.Len() != 0 {
		t.Fatalf("tombstoned node is still listed")
	}
	if _, err := c.Watch(context.Background(), WatchOptions{ResourceVersion: "6"}); err == nil {
		t.Error("a watch must not resume across a missed deletion")
	}
}

func TestCacheIgnoresUnparsableResourceVersion(t *testing.T) {
	c := syncedCache(t)
	n := testNode("n1", 1, true, "198.51.100.1", corev1.ConditionTrue)
	n.ResourceVersion = "abc"
	c.OnAdd(n, false)
	if c.Len() != 0 {
		t.Error("node with a bad resourceVersion was added")
	}
}
