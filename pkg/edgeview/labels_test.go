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
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestLabelSet(t *testing.T) {
	in := newStringInterner()
	a := in.labelSet(map[string]string{"kubernetes.io/hostname": "edge-a", "zone": "z1", EdgeRoleLabel: "", "alias": "edge-a"}, "edge-a")
	b := in.labelSet(map[string]string{"kubernetes.io/hostname": "edge-b", "zone": "z1", EdgeRoleLabel: ""}, "edge-b")

	if got, want := a.toMap("edge-a"), map[string]string{"kubernetes.io/hostname": "edge-a", "zone": "z1", EdgeRoleLabel: "", "alias": "edge-a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("toMap = %v, want %v", got, want)
	}
	if !a.has(EdgeRoleLabel) || !a.has("alias") || a.has("kubernetes.io/role") {
		t.Errorf("has is wrong for %v", a.toMap("edge-a"))
	}
	// The hostname label of every node, and labels every node has, are one shared pair.
	if a[1] != b[0] || a[3] != b[2] {
		t.Errorf("hostname and zone pairs are not shared: %+v %+v", a, b)
	}
	if a.equal(b) || !a.equal(in.labelSet(a.toMap("edge-a"), "edge-a")) {
		t.Error("equal must compare the labels")
	}
	for _, tc := range []struct {
		m    map[string]string
		name string
		want bool
	}{
		{map[string]string{"kubernetes.io/hostname": "edge-b", "zone": "z1", EdgeRoleLabel: ""}, "edge-b", true},
		// The same map for another name: its hostname no longer is the node's name.
		{map[string]string{"kubernetes.io/hostname": "edge-b", "zone": "z1", EdgeRoleLabel: ""}, "edge-c", false},
		{map[string]string{"kubernetes.io/hostname": "edge-b", "zone": "z2", EdgeRoleLabel: ""}, "edge-b", false},
		{map[string]string{"kubernetes.io/hostname": "edge-b", "zone": "z1"}, "edge-b", false},
		{map[string]string{"kubernetes.io/hostname": "edge-b", "zone": "z1", EdgeRoleLabel: "", "x": ""}, "edge-b", false},
		// A value that becomes the name where the set kept a plain value.
		{map[string]string{"kubernetes.io/hostname": "edge-b", "zone": "edge-b", EdgeRoleLabel: ""}, "edge-b", false},
	} {
		if got := b.matches(tc.m, tc.name); got != tc.want {
			t.Errorf("matches(%v, %q) = %v, want %v", tc.m, tc.name, got, tc.want)
		}
	}
	if s := in.labelSet(nil, "x"); s != nil || s.toMap("x") != nil {
		t.Errorf("no labels must stay nil: %v", s)
	}
}

func TestEntryInternedShowsTheSameEdgeNode(t *testing.T) {
	in := newStringInterner()
	deleting := testNode("gone", 4, true, "198.51.100.9", corev1.ConditionFalse)
	deleting.DeletionTimestamp = &deleting.CreationTimestamp
	for _, node := range []*corev1.Node{
		testNode("a", 7, true, "198.51.100.1", corev1.ConditionTrue),
		testNode("b", 8, false, "", ""),
		deleting,
	} {
		if got, want := newEntry(node, in, nil).edgeNode(), newEntry(node, nil, nil).edgeNode(); !reflect.DeepEqual(got, want) {
			t.Errorf("interned entry of %s shows %+v, want %+v", node.Name, got, want)
		}
	}
	a, b := newEntry(testNode("a", 7, true, "198.51.100.1", corev1.ConditionTrue), in, nil), newEntry(testNode("a", 9, true, "198.51.100.1", corev1.ConditionTrue), in, nil)
	if !sameEntry(a, b) || sameEntry(a, newEntry(testNode("a", 9, true, "198.51.100.2", corev1.ConditionTrue), in, nil)) {
		t.Error("sameEntry must ignore the resource version only")
	}
	if moved := a.withResourceVersion("12"); moved.rv != "12" || a.rv != "7" || !sameEntry(a, moved) {
		t.Errorf("withResourceVersion changed the original or more than the version: %+v", moved)
	}
}
