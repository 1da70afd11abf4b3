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
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
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
