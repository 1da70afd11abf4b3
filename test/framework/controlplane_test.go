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

package framework_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/jointoken"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

func TestControlPlane(t *testing.T) {
	framework.RequireBinaries(t)
	ctx := t.Context()

	cp, err := framework.StartControlPlane(ctx, framework.ControlPlaneOptions{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(cp.LogTail(40))
		}
		if err := cp.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})

	t.Run("kubectl get ns", func(t *testing.T) {
		out, _, err := cp.Kubectl(ctx, "get", "ns", "-o", "name")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "namespace/kube-system") {
			t.Errorf("kubectl get ns printed %q, want namespace/kube-system", out)
		}
	})

	t.Run("request-header configuration is published", func(t *testing.T) {
		cm, err := cp.Client().CoreV1().ConfigMaps("kube-system").Get(ctx, "extension-apiserver-authentication", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"requestheader-allowed-names":        framework.FrontProxyClientName,
			"requestheader-extra-headers-prefix": "X-Remote-Extra-",
			"requestheader-group-headers":        "X-Remote-Group",
			"requestheader-username-headers":     "X-Remote-User",
			"requestheader-client-ca-file":       "BEGIN CERTIFICATE",
			"client-ca-file":                     "BEGIN CERTIFICATE",
		}
		for key, substr := range want {
			if !strings.Contains(cm.Data[key], substr) {
				t.Errorf("%s = %q, want it to contain %q", key, cm.Data[key], substr)
			}
		}
	})

	t.Run("RBAC applies to minted users", func(t *testing.T) {
		_, _, err := cp.KubectlWith(ctx, framework.KubectlOptions{User: "viewer", Groups: []string{"demo:viewers"}}, "get", "nodes")
		if err == nil || !strings.Contains(err.Error(), `User "viewer" cannot list resource "nodes"`) {
			t.Errorf("unprivileged user: err = %v, want RBAC forbidden for user viewer", err)
		}
	})

	t.Run("seed demo data", func(t *testing.T) {
		for i := range 2 { // the second run proves SeedDemo is idempotent
			if err := framework.SeedDemo(ctx, cp.Client()); err != nil {
				t.Fatalf("SeedDemo run %d: %v", i+1, err)
			}
		}
		checkDemoNodes(t, cp)
		checkDemoToken(t, cp)

		out, _, err := cp.Kubectl(ctx, "get", "nodes", "-l", framework.EdgeRoleLabel, "-o", "name")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Fields(out); !slices.Equal(got, []string{"node/edge-node-1", "node/edge-node-2"}) {
			t.Errorf("edge nodes via kubectl = %v", got)
		}
	})
}

// checkDemoNodes verifies the three seeded Nodes and their status.
func checkDemoNodes(t *testing.T, cp *framework.ControlPlane) {
	t.Helper()
	nodes, err := cp.Client().CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 3 {
		t.Fatalf("got %d nodes, want 3", len(nodes.Items))
	}
	want := map[string]struct {
		edge  bool
		ip    string
		port  int32
		ready corev1.ConditionStatus
	}{
		"edge-node-1":  {true, "198.51.100.11", 10351, corev1.ConditionTrue},
		"edge-node-2":  {true, "198.51.100.12", 10352, corev1.ConditionFalse},
		"cloud-node-1": {false, framework.DemoCloudCoreAddress, 10250, corev1.ConditionTrue},
	}
	for _, n := range nodes.Items {
		w, ok := want[n.Name]
		if !ok {
			t.Errorf("unexpected node %s", n.Name)
			continue
		}
		if _, isEdge := n.Labels[framework.EdgeRoleLabel]; isEdge != w.edge {
			t.Errorf("%s: edge label present = %v, want %v", n.Name, isEdge, w.edge)
		}
		if got := n.Status.DaemonEndpoints.KubeletEndpoint.Port; got != w.port {
			t.Errorf("%s: kubelet port = %d, want %d", n.Name, got, w.port)
		}
		var ip string
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				ip = a.Address
			}
		}
		if ip != w.ip {
			t.Errorf("%s: InternalIP = %q, want %q", n.Name, ip, w.ip)
		}
		var ready corev1.ConditionStatus
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				ready = c.Status
			}
		}
		if ready != w.ready {
			t.Errorf("%s: Ready = %q, want %q", n.Name, ready, w.ready)
		}
		if n.Status.NodeInfo.KubeletVersion == "" || n.Status.NodeInfo.Architecture == "" {
			t.Errorf("%s: nodeInfo not set: %+v", n.Name, n.Status.NodeInfo)
		}
	}
}

// checkDemoToken verifies that kubeedge/tokensecret holds a token valid for kubeedge/casecret.
func checkDemoToken(t *testing.T, cp *framework.ControlPlane) {
	t.Helper()
	secrets := cp.Client().CoreV1().Secrets(framework.KubeEdgeNamespace)
	caSecret, err := secrets.Get(t.Context(), framework.CASecret, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tokenSecret, err := secrets.Get(t.Context(), framework.TokenSecret, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := jointoken.Verify(string(tokenSecret.Data["tokendata"]), caSecret.Data["cadata"], caSecret.Data["cakeydata"], time.Now())
	if err != nil {
		t.Fatalf("seeded token does not verify: %v", err)
	}
	if d := time.Until(exp); d < 23*time.Hour || d > 25*time.Hour {
		t.Errorf("token expires in %s, want about 24h", d)
	}
	cm, err := cp.Client().CoreV1().ConfigMaps(framework.KubeEdgeNamespace).Get(t.Context(), framework.CloudCoreConfigMap, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cm.Data["cloudcore.yaml"], "kind: CloudCore") {
		t.Errorf("cloudcore.yaml = %q", cm.Data["cloudcore.yaml"])
	}
}
