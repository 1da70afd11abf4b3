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

package v1alpha1

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
)

func TestFieldLabelConversion(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	gvk := SchemeGroupVersion.WithKind("EdgeNode")
	for _, label := range []string{"metadata.name", "status.phase", "status.readiness", "status.internalIP", "status.kubeletPort"} {
		if l, v, err := scheme.ConvertFieldLabel(gvk, label, "x"); err != nil || l != label || v != "x" {
			t.Errorf("%s: got %q %q %v", label, l, v, err)
		}
	}
	_, _, err := scheme.ConvertFieldLabel(gvk, "spec.unknown", "x")
	if err == nil || !strings.Contains(err.Error(), `"spec.unknown" not supported`) || !strings.Contains(err.Error(), "metadata.name") {
		t.Errorf("unknown label: err = %v, want one naming the label and the supported ones", err)
	}
}

func TestDefaultTaintEffect(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	en := &EdgeNode{Spec: EdgeNodeSpec{Taints: []EdgeNodeTaint{{Key: "a"}, {Key: "b", Effect: "NoExecute"}}}}
	scheme.Default(en)
	if en.Spec.Taints[0].Effect != "NoSchedule" || en.Spec.Taints[1].Effect != "NoExecute" {
		t.Errorf("taints after defaulting = %+v", en.Spec.Taints)
	}
}
