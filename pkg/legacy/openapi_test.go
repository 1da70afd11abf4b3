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

package legacy_test

import (
	"testing"

	"github.com/emicklei/go-restful/v3"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/kube-openapi/pkg/builder"
	"k8s.io/kube-openapi/pkg/builder3"
	"k8s.io/kube-openapi/pkg/common/restfuladapter"

	generatedopenapi "github.com/edgewatcher/edgewatcher/pkg/generated/openapi"
	"github.com/edgewatcher/edgewatcher/pkg/legacy"
)

// TestOpenAPI builds the OpenAPI documents the secure port builds from its GoRestfulContainer
// (the v2 build is fatal on error there), with the route installed.
func TestOpenAPI(t *testing.T) {
	c := restful.NewContainer()
	legacy.Install(c, legacy.JoinerFunc(nil))
	routes := restfuladapter.AdaptWebServices(c.RegisteredWebServices())
	// The route declares no models, so the scheme behind the namer does not matter.
	namer := openapi.NewDefinitionNamer(runtime.NewScheme())

	v2, err := builder.BuildOpenAPISpecFromRoutes(routes, genericapiserver.DefaultOpenAPIConfig(generatedopenapi.GetOpenAPIDefinitions, namer))
	if err != nil {
		t.Fatalf("OpenAPI v2: %v", err)
	}
	for _, p := range []string{legacy.JoinPath, legacy.KapisJoinPath} {
		path, ok := v2.Paths.Paths[p]
		if !ok || path.Get == nil {
			t.Fatalf("OpenAPI v2 has no GET %s", p)
		}
		// The builder hoists parameters shared by all operations of a path to the path: node_name, node_ip,
		// add_default_taint, version, runtime and image-repository.
		if got := len(path.Parameters) + len(path.Get.Parameters); got != 6 {
			t.Errorf("GET %s has %d parameters, want 6", p, got)
		}
	}
	if _, err := builder3.BuildOpenAPISpecFromRoutes(routes, genericapiserver.DefaultOpenAPIV3Config(generatedopenapi.GetOpenAPIDefinitions, namer)); err != nil {
		t.Fatalf("OpenAPI v3: %v", err)
	}
}
