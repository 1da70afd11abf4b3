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

package validation

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

func TestValidateEdgeNodeCreate(t *testing.T) {
	valid := func() *kubeedge.EdgeNode {
		return &kubeedge.EdgeNode{
			ObjectMeta: metav1.ObjectMeta{Name: "edge-1"},
			Spec: kubeedge.EdgeNodeSpec{
				Labels:          map[string]string{"topology.kubernetes.io/zone": "a"},
				Taints:          []kubeedge.EdgeNodeTaint{{Key: "node-role.kubernetes.io/edge", Effect: "NoSchedule"}},
				KubeEdgeVersion: "v1.23.1",
			},
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*kubeedge.EdgeNode)
		want   string
	}{
		{"valid", func(*kubeedge.EdgeNode) {}, ""},
		{"bad name", func(e *kubeedge.EdgeNode) { e.Name = "Edge_1" }, "metadata.name"},
		{"generateName", func(e *kubeedge.EdgeNode) { e.Name, e.GenerateName = "", "edge-" }, "metadata.generateName"},
		{"bad label", func(e *kubeedge.EdgeNode) { e.Spec.Labels = map[string]string{"a b": "c"} }, "spec.labels"},
		{"bad taint key", func(e *kubeedge.EdgeNode) { e.Spec.Taints[0].Key = "$(id)" }, "spec.taints[0].key"},
		{"bad taint effect", func(e *kubeedge.EdgeNode) { e.Spec.Taints[0].Effect = "Never" }, "spec.taints[0].effect"},
		{"duplicate taint", func(e *kubeedge.EdgeNode) { e.Spec.Taints = append(e.Spec.Taints, e.Spec.Taints[0]) }, "spec.taints[1]"},
		{"bad version", func(e *kubeedge.EdgeNode) { e.Spec.KubeEdgeVersion = "1.23;id" }, "spec.kubeEdgeVersion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			en := valid()
			tc.mutate(en)
			errs := ValidateEdgeNodeCreate(en)
			if tc.want == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if !strings.Contains(errs.ToAggregate().Error(), tc.want) {
				t.Fatalf("errors %v do not mention %s", errs, tc.want)
			}
		})
	}
}

func TestValidateJoinRequests(t *testing.T) {
	if errs := ValidateJoinToken(&kubeedge.JoinToken{Spec: kubeedge.JoinTokenSpec{TTLSeconds: ptr.To[int64](10)}}); len(errs) != 1 {
		t.Fatalf("a 10s TTL must be refused: %v", errs)
	}
	if errs := ValidateJoinToken(&kubeedge.JoinToken{Spec: kubeedge.JoinTokenSpec{TTLSeconds: ptr.To[int64](3600)}}); len(errs) != 0 {
		t.Fatalf("a 1h TTL is fine: %v", errs)
	}
	errs := ValidateJoinCommand(&kubeedge.JoinCommand{Spec: kubeedge.JoinCommandSpec{CgroupDriver: "cgroupv3", CloudCoreAddress: "a b"}})
	if len(errs) != 2 {
		t.Fatalf("want 2 errors, got %v", errs)
	}
}
