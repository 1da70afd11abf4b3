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
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

func kubectl(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	out, stderr, err := cp.Kubectl(ctx, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// tableRows splits kubectl's table output into rows of whitespace-separated cells.
func tableRows(out string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line != "" {
			rows = append(rows, strings.Fields(line))
		}
	}
	return rows
}

func TestKubectlAPIResourcesListsEdgeNodes(t *testing.T) {
	ctx := context.Background()
	out := kubectl(t, ctx, "api-resources", "--api-group=kubeedge.kubesphere.io", "--no-headers")
	rows := tableRows(out)
	if len(rows) != 1 {
		t.Fatalf("api-resources:\n%s", out)
	}
	want := []string{"edgenodes", "en", "kubeedge.kubesphere.io/v1alpha1", "false", "EdgeNode"}
	if strings.Join(rows[0], " ") != strings.Join(want, " ") {
		t.Errorf("api-resources row = %v, want %v", rows[0], want)
	}
	verbs := kubectl(t, ctx, "api-resources", "--api-group=kubeedge.kubesphere.io", "-o", "wide")
	if !regexp.MustCompile(`EdgeNode\s+create,delete,get,list,watch\s+kubeedge`).MatchString(verbs) {
		t.Errorf("verbs missing from:\n%s", verbs)
	}
}

func TestKubectlGetShowsEdgeNodesWithColumns(t *testing.T) {
	ctx := context.Background()
	createNode(t, ctx, nodeSpec{name: "cols-edge-b", labels: edgeLabels("cols"), ip: "198.51.100.21", port: 10352, ready: corev1.ConditionFalse})
	createNode(t, ctx, nodeSpec{name: "cols-edge-a", labels: edgeLabels("cols", "zone", "north"), ip: "198.51.100.20", port: 10351, ready: corev1.ConditionTrue})
	createNode(t, ctx, nodeSpec{name: "cols-edge-c", labels: edgeLabels("cols"), ip: "198.51.100.22", port: 10350, ready: corev1.ConditionUnknown, kubelet: "v1.22.17-kubeedge-v1.12.7"})
	createNode(t, ctx, nodeSpec{name: "cols-cloud", labels: map[string]string{"e2e-test": "cols", "node-role.kubernetes.io/control-plane": ""}, ip: "192.0.2.20", port: 10250, ready: corev1.ConditionTrue, kubelet: "v1.37.2"})

	var out string
	framework.Eventually(t, "3 cols edge nodes listed", 10*time.Second, framework.Succeeds(func() error {
		out = kubectl(t, ctx, "get", "edgenodes", "-l", "e2e-test=cols")
		if n := len(tableRows(out)); n != 4 {
			return errorf("want a header and 3 rows, got:\n%s", out)
		}
		return nil
	}))
	rows := tableRows(out)
	if got := strings.Join(rows[0], " "); got != "NAME STATUS INTERNAL-IP KUBELET-PORT KUBEEDGE FORWARDING AGE" {
		t.Errorf("header = %q", got)
	}
	want := [][]string{
		{"cols-edge-a", "Ready", "198.51.100.20", "10351", "v1.23.1", "<none>"},
		{"cols-edge-b", "NotReady", "198.51.100.21", "10352", "v1.23.1", "<none>"},
		{"cols-edge-c", "Unknown", "198.51.100.22", "10350", "v1.12.7", "<none>"},
	}
	age := regexp.MustCompile(`^[0-9]+[smhd]`)
	for i, w := range want {
		row := rows[i+1]
		if len(row) != 7 || strings.Join(row[:6], " ") != strings.Join(w, " ") || !age.MatchString(row[6]) {
			t.Errorf("row %d = %v, want %v and an age", i, row, w)
		}
	}
	if strings.Contains(out, "cols-cloud") {
		t.Errorf("a cloud node is listed as an edge node:\n%s", out)
	}

	t.Run("short name and label selector", func(t *testing.T) {
		rows := tableRows(kubectl(t, ctx, "get", "en", "-l", "e2e-test=cols,zone=north", "--no-headers"))
		if len(rows) != 1 || rows[0][0] != "cols-edge-a" {
			t.Errorf("rows = %v, want only cols-edge-a", rows)
		}
	})
	t.Run("console label selector", func(t *testing.T) {
		out := kubectl(t, ctx, "get", "edgenodes", "-l", "node-role.kubernetes.io/edge=,e2e-test=cols", "-o", "name")
		if got := strings.Fields(out); len(got) != 3 {
			t.Errorf("names = %v", got)
		}
	})
	t.Run("field selector", func(t *testing.T) {
		rows := tableRows(kubectl(t, ctx, "get", "edgenodes", "--field-selector", "metadata.name=cols-edge-b", "--no-headers"))
		if len(rows) != 1 || rows[0][0] != "cols-edge-b" {
			t.Errorf("rows = %v, want only cols-edge-b", rows)
		}
		rows = tableRows(kubectl(t, ctx, "get", "edgenodes", "-l", "e2e-test=cols", "--field-selector", "status.readiness=Ready", "--no-headers"))
		if len(rows) != 1 || rows[0][0] != "cols-edge-a" {
			t.Errorf("rows = %v, want only cols-edge-a", rows)
		}
	})
	t.Run("get a non-edge node by name is NotFound", func(t *testing.T) {
		_, stderr, err := cp.Kubectl(ctx, "get", "edgenode", "cols-cloud")
		if err == nil || !strings.Contains(stderr, `edgenodes.kubeedge.kubesphere.io "cols-cloud" not found`) {
			t.Errorf("err = %v, stderr = %s", err, stderr)
		}
	})
	t.Run("yaml", func(t *testing.T) {
		out := kubectl(t, ctx, "get", "edgenode", "cols-edge-a", "-o", "yaml")
		var en v1alpha1.EdgeNode
		if err := yaml.UnmarshalStrict([]byte(out), &en); err != nil {
			t.Fatalf("decoding:\n%s\n%v", out, err)
		}
		if en.APIVersion != "kubeedge.kubesphere.io/v1alpha1" || en.Kind != "EdgeNode" || en.Name != "cols-edge-a" ||
			en.Labels["zone"] != "north" || en.UID == "" || en.ResourceVersion == "" {
			t.Errorf("metadata = %+v %+v", en.TypeMeta, en.ObjectMeta)
		}
		s := en.Status
		if s.Phase != v1alpha1.EdgeNodeJoined || s.Readiness != v1alpha1.NodeReady || s.InternalIP != "198.51.100.20" ||
			s.KubeletPort != 10351 || s.KubeEdgeVersion != "v1.23.1" || len(s.Conditions) != 1 || s.Conditions[0].Reason != "KubeletReady" {
			t.Errorf("status = %+v", s)
		}
	})
}

func TestKubectlExplain(t *testing.T) {
	ctx := context.Background()
	out := kubectl(t, ctx, "explain", "edgenodes.status")
	for _, want := range []string{"KIND:       EdgeNode", "GROUP:      kubeedge.kubesphere.io", "readiness", "kubeletPort", "internalIP", "phase"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out)
		}
	}
	out = kubectl(t, ctx, "explain", "edgenodes.spec.taints")
	if !strings.Contains(out, "effect") {
		t.Errorf("explain spec.taints:\n%s", out)
	}
}

func TestBadSelectorsAreBadRequests(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-l", "zone in ("}, "unable to parse requirement"},
		{[]string{"--field-selector", "spec.nodeName=x"}, `field label "spec.nodeName" not supported for edgenodes`},
	} {
		_, stderr, err := cp.Kubectl(ctx, append([]string{"get", "edgenodes"}, tc.args...)...)
		if err == nil || !strings.Contains(stderr, "(BadRequest)") || !strings.Contains(stderr, tc.want) {
			t.Errorf("kubectl get edgenodes %v: err=%v stderr=%s", tc.args, err, stderr)
		}
	}
}

// TestProtobufClientsGetJSON asks for edgenodes as a client-go clientset configured for protobuf does: protobuf
// first, JSON as the alternative. The types have no protobuf encoding, so the answer must be JSON, not a 500.
func TestProtobufClientsGetJSON(t *testing.T) {
	ctx := context.Background()
	cfg := cp.RestConfig()
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes", "/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes/no-such-node"} {
		var contentType string
		err := client.CoreV1().RESTClient().Get().AbsPath(path).Do(ctx).ContentType(&contentType).Error()
		if strings.HasSuffix(path, "no-such-node") {
			if !apierrors.IsNotFound(err) {
				t.Errorf("GET %s: %v, want NotFound", path, err)
			}
		} else if err != nil {
			t.Errorf("GET %s: %v", path, err)
		}
		if contentType != "application/json" {
			t.Errorf("GET %s answered %q, want application/json", path, contentType)
		}
	}
	var code int
	_ = client.CoreV1().RESTClient().Get().AbsPath("/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes").
		SetHeader("Accept", "application/vnd.kubernetes.protobuf").Do(ctx).StatusCode(&code)
	if code != http.StatusNotAcceptable {
		t.Errorf("GET edgenodes accepting only protobuf answered %d, want 406", code)
	}
}
