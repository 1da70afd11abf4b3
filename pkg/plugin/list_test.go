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
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

func TestListPrintsTheServerTable(t *testing.T) {
	f := newFakeAPI(t, pending("edge-b", "203.0.113.8", map[string]string{"zone": "south"}), pending("edge-a", "203.0.113.7", map[string]string{"zone": "north"}))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list"}, "" +
			"NAME     STATUS    INTERNAL-IP   KUBELET-PORT   KUBEEDGE   AGE\n" +
			"edge-a   Pending   203.0.113.7   <none>         v1.19.2    5m\n" +
			"edge-b   Pending   203.0.113.8   <none>         v1.19.2    5m\n"},
		{[]string{"ls", "-o", "wide", "-l", "zone=north"}, "" +
			"NAME     STATUS    INTERNAL-IP   KUBELET-PORT   KUBEEDGE   AGE   PHASE\n" +
			"edge-a   Pending   203.0.113.7   <none>         v1.19.2    5m    Pending\n"},
		{[]string{"list", "--no-headers", "--selector", "zone!=north"}, "" +
			"edge-b   Pending   203.0.113.8   <none>   v1.19.2   5m\n"},
	} {
		stdout, stderr, code := f.run(tc.args...)
		if code != 0 || stdout != tc.want || stderr != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout\n%s\nwant\n%s", tc.args, code, stderr, stdout, tc.want)
		}
		r := f.lastRequest()
		if accept := r.Header.Get("Accept"); accept != tableAccept {
			t.Errorf("%q: Accept %q", tc.args, accept)
		}
		if q := r.URL.Query().Get("includeObject"); q != "None" {
			t.Errorf("%q: includeObject=%q", tc.args, q)
		}
	}
}

func TestListSaysWhenNothingMatches(t *testing.T) {
	f := newFakeAPI(t)
	stdout, stderr, code := f.run("list")
	if code != 0 || stdout != "" || stderr != "No resources found\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestListPrintsObjects(t *testing.T) {
	f := newFakeAPI(t, pending("edge-a", "203.0.113.7", map[string]string{"zone": "north"}), pending("edge-b", "203.0.113.8", nil))
	for _, format := range []string{"json", "yaml"} {
		stdout, stderr, code := f.run("list", "-o", format, "-l", "zone=north")
		if code != 0 {
			t.Fatalf("-o %s: exit %d: %s", format, code, stderr)
		}
		var list v1alpha1.EdgeNodeList
		if err := yaml.UnmarshalStrict([]byte(stdout), &list); err != nil {
			t.Fatalf("-o %s: %v\n%s", format, err, stdout)
		}
		if list.Kind != "EdgeNodeList" || list.APIVersion != "kubeedge.kubesphere.io/v1alpha1" || len(list.Items) != 1 ||
			list.Items[0].Name != "edge-a" || list.Items[0].Kind != "EdgeNode" || list.Items[0].APIVersion != list.APIVersion {
			t.Errorf("-o %s: %+v", format, list)
		}
		if accept := f.lastRequest().Header.Get("Accept"); strings.Contains(accept, "Table") {
			t.Errorf("-o %s asked for a table: %q", format, accept)
		}
	}
}

func TestListRejectsArgumentsAndFormats(t *testing.T) {
	f := newFakeAPI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "edge-a"}, `error: unexpected arguments ["edge-a"]` + "\n"},
		{[]string{"list", "-o", "name"}, `error: unable to match a printer suitable for the output format "name", allowed formats are: text,wide,json,yaml` + "\n"},
	} {
		_, stderr, code := f.run(tc.args...)
		want := tc.want + "See 'kubectl edgenode list -h' for help and examples\n"
		if code != 1 || stderr != want {
			t.Errorf("%q: exit %d, stderr %q, want %q", tc.args, code, stderr, want)
		}
	}
}

func TestListPrintsTheServerStatusOnErrors(t *testing.T) {
	f := newFakeAPI(t)
	for _, format := range []string{"text", "json"} {
		stdout, stderr, code := f.run("list", "-l", "forbidden", "-o", format)
		want := `Error from server (Forbidden): edgenodes.kubeedge.kubesphere.io is forbidden: User "nobody" cannot list resource "edgenodes"` + "\n"
		if code != 1 || stdout != "" || stderr != want {
			t.Errorf("-o %s: exit %d, stdout %q, stderr %q", format, code, stdout, stderr)
		}
	}
}
