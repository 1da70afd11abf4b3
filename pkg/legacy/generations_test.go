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
	"reflect"
	"testing"
)

// TestConsoleGenerations replays each console generation's calls on its path: the same answers, with
// the IP optional only where the console has no IP field.
func TestConsoleGenerations(t *testing.T) {
	taint := true
	tests := []struct {
		name     string
		target   string
		wantCode int
		want     *Request
	}{
		{"3.x", JoinPath + "?node_name=edge-1&node_ip=10.0.0.5&add_default_taint=true", 200,
			&Request{NodeName: "edge-1", NodeIP: "10.0.0.5", DefaultTaint: &taint}},
		{"3.x without IP", JoinPath + "?node_name=edge-1&add_default_taint=true", 400, nil},
		{"3.x empty IP", JoinPath + "?node_name=edge-1&node_ip=", 400, nil},
		{"4.1", KapisJoinPath + "?node_name=edge-1&add_default_taint=true", 200,
			&Request{NodeName: "edge-1", IPOptional: true, DefaultTaint: &taint}},
		{"4.1 trailing slash", KapisJoinPath + "/?node_name=edge-1", 200, &Request{NodeName: "edge-1", IPOptional: true}},
		{"4.1 empty IP", KapisJoinPath + "?node_name=edge-1&node_ip=", 200, &Request{NodeName: "edge-1", IPOptional: true}},
		{"4.1 with IP", KapisJoinPath + "?node_name=edge-1&node_ip=10.0.0.5", 200,
			&Request{NodeName: "edge-1", NodeIP: "10.0.0.5", IPOptional: true}},
		{"4.1 repeated IP", KapisJoinPath + "?node_name=edge-1&node_ip=a&node_ip=b", 400, nil},
		{"4.1 without name", KapisJoinPath + "?add_default_taint=true", 400, nil},
		{"4.1 unknown sub path", KapisRootPath + "/nodes/joinx?node_name=edge-1", 404, nil},
		{"v1alpha1 under kapis is not served", "/kapis/kubeedge.kubesphere.io/v1alpha1/nodes/join?node_name=edge-1&node_ip=10.0.0.5", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &fakeJoiner{command: "x"}
			rec := do(t, NewContainer(j), http.MethodGet, tt.target, nil)
			if rec.Code != tt.wantCode {
				t.Fatalf("status = %d, want %d (body %q)", rec.Code, tt.wantCode, rec.Body.String())
			}
			got := j.requests()
			if tt.want == nil && rec.Code == http.StatusNotFound && len(got) == 0 {
				return // outside every WebService, go-restful answers its plain-text 404
			}
			checkJSONContentType(t, rec)
			if tt.want == nil {
				if len(got) != 0 {
					t.Errorf("Joiner called with %+v, want no call", got)
				}
				if m := decodeBody(t, rec); m["status"] != statusFailure {
					t.Errorf("body %v, want status Failure", m)
				}
				return
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0], *tt.want) {
				t.Errorf("Joiner got %+v, want %+v", got, *tt.want)
			}
		})
	}
}

// TestResolverCoversEveryRoute keeps the routes and the authorization remapping in step.
func TestResolverCoversEveryRoute(t *testing.T) {
	for _, r := range routes {
		for _, p := range []string{r.root + routePath, r.root + routePath + "/"} {
			if !isJoinPath(p) {
				t.Errorf("isJoinPath(%q) = false for a served route", p)
			}
		}
	}
}
