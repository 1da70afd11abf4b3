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

package plugin

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

func TestTokenPrintsTokenAndExpiry(t *testing.T) {
	f := newFakeAPI(t, pending("edge-a", "203.0.113.7", nil))
	stdout, stderr, code := f.run("token", "edge-a")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}\.[\w-]+\.[\w-]+\.[\w-]+\n$`).MatchString(stdout) {
		t.Errorf("stdout %q", stdout)
	}
	want := `The join token for edge node "edge-a" expires at 2031-05-06T07:08:09Z (in `
	if !strings.HasPrefix(stderr, want) || !strings.HasSuffix(stderr, "); source: cloudcore's kubeedge/tokensecret.\n") {
		t.Errorf("stderr %q", stderr)
	}
	if path := f.lastRequest().URL.Path; path != groupPath+"/edge-a/jointoken" {
		t.Errorf("path %s", path)
	}
	var req v1alpha1.JoinToken
	if err := json.Unmarshal([]byte(f.lastBody()), &req); err != nil || req.Kind != "JoinToken" || req.Spec.TTLSeconds != nil {
		t.Errorf("request %s: %v", f.lastBody(), err)
	}
}

func TestTokenTTLAndYAML(t *testing.T) {
	f := newFakeAPI(t, pending("edge-a", "203.0.113.7", nil))
	stdout, stderr, code := f.run("token", "edge-a", "--ttl", "2h", "-o", "yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var req v1alpha1.JoinToken
	if err := json.Unmarshal([]byte(f.lastBody()), &req); err != nil || req.Spec.TTLSeconds == nil || *req.Spec.TTLSeconds != 7200 {
		t.Errorf("request %s: %v", f.lastBody(), err)
	}
	var jt v1alpha1.JoinToken
	if err := yaml.UnmarshalStrict([]byte(stdout), &jt); err != nil {
		t.Fatal(err)
	}
	if jt.Kind != "JoinToken" || jt.Name != "edge-a" || jt.Status.Source != "tokensecret" || !jt.Status.ExpiresAt.Equal(&fakeExpiry) {
		t.Errorf("%+v", jt)
	}
}

func TestTokenForAnUnreservedNodeFails(t *testing.T) {
	f := newFakeAPI(t)
	stdout, stderr, code := f.run("token", "edge-z")
	want := `Error from server (NotFound): edgenodes.kubeedge.kubesphere.io "edge-z" not found` + "\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
