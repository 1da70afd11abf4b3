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
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// TestSince checks which changes move the version a syncer must have observed to cover a node: appearing as an
// edge node, a new UID, InternalIP or kubelet port; not status updates, relists or other labels.
func TestSince(t *testing.T) {
	c := syncedCache(t, testNode("listed", 7, true, "198.51.100.1", corev1.ConditionTrue), testNode("cloud", 8, false, "192.0.2.1", ""))
	want := func(step, name string, rv uint64, ok bool) {
		t.Helper()
		if got, gotOK := c.Since(name); got != rv || gotOK != ok {
			t.Errorf("%s: Since(%s) = %d, %v; want %d, %v", step, name, got, gotOK, rv, ok)
		}
	}
	want("initial list", "listed", 7, true)
	want("not an edge node", "cloud", 0, false)

	n := testNode("edge", 10, true, "198.51.100.2", corev1.ConditionTrue)
	c.OnAdd(n, false)
	want("created", "edge", 10, true)
	steps := []struct {
		name   string
		mutate func(*corev1.Node)
		since  uint64
	}{
		{"readiness change", func(n *corev1.Node) { n.Status.Conditions[0].Status = corev1.ConditionFalse }, 10},
		{"label change", func(n *corev1.Node) { n.Labels["x"] = "y" }, 10},
		{"new InternalIP", func(n *corev1.Node) { n.Status.Addresses[1].Address = "198.51.100.3" }, 13},
		{"new kubelet port", func(n *corev1.Node) { n.Status.DaemonEndpoints.KubeletEndpoint.Port = 10352 }, 14},
		{"recreated", func(n *corev1.Node) { n.UID = types.UID("uid-2") }, 15},
		{"relisted unchanged", func(*corev1.Node) {}, 15},
	}
	rv := 10
	for _, s := range steps {
		rv++
		next := n.DeepCopy()
		s.mutate(next)
		next.ResourceVersion = strconv.Itoa(rv)
		c.OnUpdate(n, next)
		n = next
		want(s.name, "edge", s.since, true)
	}
	plain := n.DeepCopy()
	delete(plain.Labels, EdgeRoleLabel)
	plain.ResourceVersion = "20"
	c.OnUpdate(n, plain)
	want("edge label removed", "edge", 0, false)
	c.OnUpdate(plain, n2(n, "21"))
	want("edge label back", "edge", 21, true)
	c.OnDelete(cache.DeletedFinalStateUnknown{Key: "edge", Obj: n})
	want("deletion missed, then relisted", "edge", 0, false)
	c.OnDelete(testNode("listed", 22, true, "198.51.100.1", corev1.ConditionTrue))
	want("deleted", "listed", 0, false)
}

func n2(n *corev1.Node, rv string) *corev1.Node {
	out := n.DeepCopy()
	out.ResourceVersion = rv
	return out
}

// TestSinceFromFilters calls Since from a watch filter, which runs while the cache's main lock is held, and from
// list filters while writers run: Since must not take that lock again (a recursive read lock deadlocks against a
// waiting writer; under the write lock it deadlocks at once). Everything that could deadlock runs on its own
// goroutine, so a deadlock fails the test instead of hanging it.
func TestSinceFromFilters(t *testing.T) {
	c := syncedCache(t, testNode("listed", 7, true, "198.51.100.1", corev1.ConditionTrue))
	filter := func(en *kubeedge.EdgeNode) bool {
		_, _ = c.Since(en.Name)
		return true
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		w, err := c.Watch(ctx, WatchOptions{Filter: filter})
		if err != nil {
			done <- err
			return
		}
		go func() {
			for range w.ResultChan() {
			}
		}()
		go func() {
			for ctx.Err() == nil {
				_, _ = c.ListPage(ctx, PageRequest{Filter: filter})
			}
		}()
		for i := range 200 {
			c.OnAdd(testNode("node-"+strconv.Itoa(i), 100+i, true, "198.51.100."+strconv.Itoa(2+i), corev1.ConditionTrue), false)
		}
		cancel()
		w.Stop()
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("deadlock: a watch and 200 Node additions did not finish within 20s while filters called Since")
	}
}
