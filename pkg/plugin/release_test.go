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
	"net/http"
	"testing"
)

func TestReleaseDeletesEveryNameAndFailsIfOneFails(t *testing.T) {
	f := newFakeAPI(t, pending("edge-a", "203.0.113.7", nil), pending("edge-b", "203.0.113.8", nil))
	stdout, stderr, code := f.run("release", "edge-a", "edge-x", "edge-b", "edge-y")
	wantOut := `edgenode.kubeedge.kubesphere.io "edge-a" deleted` + "\n" + `edgenode.kubeedge.kubesphere.io "edge-b" deleted` + "\n"
	wantErr := `Error from server (NotFound): edgenodes.kubeedge.kubesphere.io "edge-x" not found` + "\n" +
		`Error from server (NotFound): edgenodes.kubeedge.kubesphere.io "edge-y" not found` + "\n"
	if code != 1 || stdout != wantOut || stderr != wantErr {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if names := f.names(); len(names) != 0 {
		t.Errorf("left %v", names)
	}
	if m := f.lastRequest().Method; m != http.MethodDelete {
		t.Errorf("method %s", m)
	}
}

func TestReleaseNeedsAName(t *testing.T) {
	_, stderr, code := runPlugin(t, "release")
	if code != 1 || stderr != "error: at least one NAME is required\nSee 'kubectl edgenode release -h' for help and examples\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
