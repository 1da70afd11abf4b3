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

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

func TestFromNode(t *testing.T) {
	tests := []struct {
		name          string
		node          *corev1.Node
		wantReadiness kubeedge.NodeReadiness
		wantIP        string
	}{
		{"ready", testNode("a", 1, true, "198.51.100.1", corev1.ConditionTrue), kubeedge.NodeReady, "198.51.100.1"},
		{"not ready", testNode("a", 1, true, "198.51.100.1", corev1.ConditionFalse), kubeedge.NodeNotReady, "198.51.100.1"},
		{"unknown", testNode("a", 1, true, "198.51.100.1", corev1.ConditionUnknown), kubeedge.NodeReadinessUnknown, "198.51.100.1"},
		{"no condition", testNode("a", 1, true, "198.51.100.1", ""), kubeedge.NodeReadinessUnknown, "198.51.100.1"},
		{"no address", func() *corev1.Node {
			n := testNode("a", 1, true, "", corev1.ConditionTrue)
			n.Status.Addresses = nil
			return n
		}(), kubeedge.NodeReady, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			en := FromNode(tt.node)
			if en.Name != "a" || en.UID != "uid-a" || en.ResourceVersion != "1" {
				t.Errorf("metadata not carried over: %+v", en.ObjectMeta)
			}
			if en.Status.Readiness != tt.wantReadiness {
				t.Errorf("readiness = %q, want %q", en.Status.Readiness, tt.wantReadiness)
			}
			if en.Status.InternalIP != tt.wantIP {
				t.Errorf("internalIP = %q, want %q", en.Status.InternalIP, tt.wantIP)
			}
			if en.Status.Phase != kubeedge.EdgeNodeJoined {
				t.Errorf("phase = %q, want Joined", en.Status.Phase)
			}
			if en.Status.KubeletPort != 10351 || en.Status.KubeEdgeVersion != "v1.23.1" {
				t.Errorf("port/version = %d/%q", en.Status.KubeletPort, en.Status.KubeEdgeVersion)
			}
			hasCondition := len(tt.node.Status.Conditions) > 0
			if got := len(en.Status.Conditions) == 1; got != hasCondition {
				t.Fatalf("conditions = %+v", en.Status.Conditions)
			}
			if hasCondition && en.Status.Conditions[0].Type != "Ready" {
				t.Errorf("condition type = %q", en.Status.Conditions[0].Type)
			}
		})
	}
}

func TestKubeEdgeVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.31.5-kubeedge-v1.23.1": "v1.23.1",
		"v1.19.3-kubeedge-v1.6.2":  "v1.6.2",
		"v1.37.2":                  "v1.37.2",
		"":                         "",
		"v1.30.0-kubeedge-":        "v1.30.0-kubeedge-",
	} {
		if got := KubeEdgeVersion(in); got != want {
			t.Errorf("KubeEdgeVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTransformKeepsTheView(t *testing.T) {
	full := testNode("a", 7, true, "198.51.100.1", corev1.ConditionTrue)
	full.Annotations = map[string]string{"big": "annotation"}
	full.Status.Conditions = append(full.Status.Conditions, corev1.NodeCondition{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse})
	c := NewCache(10)
	obj, err := c.Transform(full)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := obj.(*entry).edgeNode(), FromNode(full); !sameView(got, want) || !reflect.DeepEqual(got, want) {
		t.Errorf("Transform = %+v, want %+v", got, want)
	}
	c.OnAdd(obj, true)
	again, _ := c.Transform(testNode("a", 8, true, "198.51.100.1", corev1.ConditionFalse))
	if first, second := obj.(*entry).labels, again.(*entry).labels; &first[0] != &second[0] {
		t.Error("an update with unchanged labels must reuse the labels of the entry in the view")
	}
	relabelled := testNode("a", 9, true, "198.51.100.1", corev1.ConditionFalse)
	relabelled.Labels["zone"] = "b"
	if third, _ := c.Transform(relabelled); third.(*entry).edgeNode().Labels["zone"] != "b" {
		t.Errorf("an update that changes the labels must show them: %v", third.(*entry).edgeNode().Labels)
	}
	if other, _ := c.Transform("not a node"); other != "not a node" {
		t.Errorf("non-node objects must pass through")
	}
}
