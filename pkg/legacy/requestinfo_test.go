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

package legacy

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"
	apirequest "k8s.io/apiserver/pkg/endpoints/request"
)

func TestRequestInfoResolver(t *testing.T) {
	base := &apirequest.RequestInfoFactory{
		APIPrefixes:          map[string]sets.Empty{"api": {}, "apis": {}},
		GrouplessAPIPrefixes: map[string]sets.Empty{"api": {}},
	}
	joinInfo := func(path, name string) *apirequest.RequestInfo {
		return &apirequest.RequestInfo{
			IsResourceRequest: true, Path: path, Verb: "create", APIPrefix: "apis",
			APIGroup: "kubeedge.kubesphere.io", APIVersion: "v1alpha1",
			Resource: "edgenodes", Subresource: "joincommand", Name: name,
			Parts: []string{"edgenodes", name, "joincommand"},
		}
	}
	tests := []struct {
		name   string
		method string
		target string
		want   *apirequest.RequestInfo // nil: whatever base says
	}{
		{"legacy route", http.MethodGet, JoinPath + "?node_name=edge-1&node_ip=10.0.0.5", joinInfo(JoinPath, "edge-1")},
		{"trailing slash", http.MethodGet, JoinPath + "/?node_name=edge-1", joinInfo(JoinPath+"/", "edge-1")},
		{"percent-encoded path", http.MethodGet, "/api/v1alpha1/nodes/j%6Fin?node_name=edge-1", joinInfo(JoinPath, "edge-1")},
		{"no name", http.MethodGet, JoinPath, joinInfo(JoinPath, "")},
		{"first name", http.MethodGet, JoinPath + "?node_name=a&node_name=b", joinInfo(JoinPath, "a")},
		{"POST is remapped too", http.MethodPost, JoinPath + "?node_name=edge-1", joinInfo(JoinPath, "edge-1")},
		{"4.1 route", http.MethodGet, KapisJoinPath + "?node_name=edge-1&add_default_taint=true", joinInfo(KapisJoinPath, "edge-1")},
		{"4.1 trailing slash", http.MethodGet, KapisJoinPath + "/?node_name=edge-1", joinInfo(KapisJoinPath+"/", "edge-1")},
		{"4.1 joinx", http.MethodGet, KapisRootPath + "/nodes/joinx?node_name=edge-1", nil},
		{"kapis v1alpha1", http.MethodGet, "/kapis/kubeedge.kubesphere.io/v1alpha1/nodes/join?node_name=edge-1", nil},
		{"joinx", http.MethodGet, "/api/v1alpha1/nodes/joinx?node_name=edge-1", nil},
		{"core v1", http.MethodGet, "/api/v1/nodes/join?node_name=edge-1", nil},
		{"double trailing slash", http.MethodGet, JoinPath + "//?node_name=edge-1", nil},
		{"sub path", http.MethodGet, JoinPath + "/x?node_name=edge-1", nil},
		{"group path", http.MethodGet, "/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes/edge-1", nil},
		{"non-resource", http.MethodGet, "/healthz", nil},
	}
	r := RequestInfoResolver(base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			got, err := r.NewRequestInfo(req)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				if want, err = base.NewRequestInfo(req); err != nil {
					t.Fatal(err)
				}
				if got.Resource == "edgenodes" && got.Subresource == "joincommand" {
					t.Errorf("%s was remapped", tt.target)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}
