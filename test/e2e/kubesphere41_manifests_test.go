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

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// kubeSphere41OverlayDir is the kustomize overlay that declares KubeSphere 4.1's extension APIService.
var kubeSphere41OverlayDir = filepath.Join("..", "..", "artifacts", "overlays", "kubesphere-4.1")

// extensionAPIServiceSpec is the spec of KubeSphere 4.1's extensions.kubesphere.io/v1alpha1 APIService.
type extensionAPIServiceSpec struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	URL     string `json:"url"`
}

// TestKubeSphere41OverlayAndChartDeclareTheExtensionAPIService checks that the 4.1 overlay is the base plus
// the extension APIService, that it points at the Service port of the plain listener, and that the chart's
// kubesphere.extensionAPIService renders the same object (and refuses to without the listener).
func TestKubeSphere41OverlayAndChartDeclareTheExtensionAPIService(t *testing.T) {
	ctx := context.Background()
	base := parseManifest(t, kubectl(t, ctx, "kustomize", filepath.Join("..", "..", "artifacts", "deploy")))
	overlay := parseManifest(t, kubectl(t, ctx, "kustomize", kubeSphere41OverlayDir))
	if len(overlay.Objects) != len(base.Objects)+1 {
		t.Fatalf("the overlay has %d objects, want the base's %d plus one", len(overlay.Objects), len(base.Objects))
	}
	for _, o := range base.Objects {
		if got := overlay.find(o.Kind, o.Namespace, o.Name); got == nil || !reflect.DeepEqual(got.Fields, o.Fields) {
			t.Errorf("the overlay changes %s", o.key())
		}
	}
	fromOverlay := extensionSpec(t, overlay)
	want := extensionAPIServiceSpec{Group: "kubeedge.kubesphere.io", Version: "v1beta1", URL: "http://edge-watcher.kubeedge.svc:80"}
	if fromOverlay != want {
		t.Errorf("overlay APIService spec = %+v, want %+v", fromOverlay, want)
	}
	checkServicePorts(t, base, "kubeedge", []int32{443, 80})

	chart := helmTemplate(t, "--set", "kubesphere.extensionAPIService.enabled=true")
	if got := extensionSpec(t, chart); got != want {
		t.Errorf("chart APIService spec = %+v, want %+v", got, want)
	}
	if helmTemplate(t).find("APIService", "", "v1beta1.kubeedge.kubesphere.io") != nil {
		t.Error("the chart declares the extension APIService by default")
	}
	cmd := exec.Command(requireHelm(t), "template", "edgewatcher", chartDir(t),
		"--set", "kubesphere.extensionAPIService.enabled=true", "--set", "legacy.enabled=false")
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "needs legacy.enabled") {
		t.Errorf("extension APIService without the listener: err %v\n%.500s", err, out)
	}
}

// extensionSpec returns the spec of the extension APIService of m, failing when it is missing or not
// KubeSphere's kind.
func extensionSpec(t *testing.T, m manifest) extensionAPIServiceSpec {
	t.Helper()
	var obj struct {
		APIVersion string                  `json:"apiVersion"`
		Spec       extensionAPIServiceSpec `json:"spec"`
	}
	decodeObject(t, m, "APIService", "", "v1beta1.kubeedge.kubesphere.io", &obj)
	if obj.APIVersion != "extensions.kubesphere.io/v1alpha1" {
		t.Errorf("APIService v1beta1.kubeedge.kubesphere.io is %s, want extensions.kubesphere.io/v1alpha1", obj.APIVersion)
	}
	return obj.Spec
}
