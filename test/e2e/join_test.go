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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"mvdan.cc/sh/v3/syntax"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

func edgeNodeYAML(name, ip string) string {
	return fmt.Sprintf(`apiVersion: kubeedge.kubesphere.io/v1alpha1
kind: EdgeNode
metadata:
  name: %s
spec:
  internalIP: %q
  labels:
    zone: e2e
  taints:
  - key: node-role.kubernetes.io/edge
    effect: NoSchedule
`, name, ip)
}

// createEdgeNode runs kubectl create -f - as admin and returns stdout and the error.
func createEdgeNode(ctx context.Context, name, ip string) (string, error) {
	out, _, err := cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: edgeNodeYAML(name, ip)}, "create", "-f", "-")
	return out, err
}

func wantErrContaining(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error containing %q, got success", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not contain %q", err, p)
		}
	}
}

func TestReservationLifecycleWithKubectl(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	createNode(t, ctx, nodeSpec{name: "rsv-cloud", labels: map[string]string{"test": "rsv"}, ip: "198.51.100.60", port: 10250, ready: corev1.ConditionTrue})

	if _, err := createEdgeNode(ctx, "rsv-a", "203.0.113.10"); err != nil {
		t.Fatal(err)
	}
	got := kubectl(t, ctx, "get", "edgenode", "rsv-a", "-o", "jsonpath={.status.phase} {.spec.internalIP} {.status.reservedBy} {.status.reservationExpiresAt}")
	if f := strings.Fields(got); len(f) != 4 || f[0] != "Pending" || f[1] != "203.0.113.10" || f[2] != "admin" {
		t.Fatalf("reservation fields: %q", got)
	}
	row := kubectl(t, ctx, "get", "edgenode", "rsv-a", "--no-headers")
	if f := strings.Fields(row); len(f) < 5 || f[0] != "rsv-a" || f[1] != "Pending" || f[2] != "203.0.113.10" {
		t.Fatalf("table row: %q", row)
	}

	_, err := createEdgeNode(ctx, "rsv-b", "203.0.113.10")
	wantErrContaining(t, err, "(Conflict)", `reserved for edge node "rsv-a" by admin`)
	_, err = createEdgeNode(ctx, "rsv-a", "203.0.113.11")
	wantErrContaining(t, err, "(AlreadyExists)")
	_, err = createEdgeNode(ctx, "rsv-b", "::ffff:198.51.100.60")
	wantErrContaining(t, err, "(Conflict)", "Node rsv-cloud (InternalIP)")
	_, err = createEdgeNode(ctx, "rsv-b", framework.DemoCloudCoreAddress)
	wantErrContaining(t, err, "(Conflict)", "CloudCore")
	_, err = createEdgeNode(ctx, "rsv-b", "10.0.0.50")
	wantErrContaining(t, err, "is invalid", "spec.internalIP", "Service CIDR 10.0.0.0/24")
	_, err = createEdgeNode(ctx, "rsv-b", "127.0.0.1")
	wantErrContaining(t, err, "is invalid", "loopback")
	_, err = createEdgeNode(ctx, "rsv-b", "203.0.113.010")
	wantErrContaining(t, err, "is invalid", "leading zero")
	_, err = createEdgeNode(ctx, "rsv-cloud", "203.0.113.12")
	wantErrContaining(t, err, "(Conflict)", "a Node with this name is registered")
	_, _, err = cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: strings.Replace(edgeNodeYAML("rsv-b", "203.0.113.12"), "NoSchedule", "Sometimes", 1)}, "create", "-f", "-")
	wantErrContaining(t, err, "is invalid", "spec.taints[0].effect")

	kubectl(t, ctx, "delete", "edgenode", "rsv-a")
	if _, _, err := cp.Kubectl(ctx, "get", "edgenode", "rsv-a"); err == nil || !strings.Contains(err.Error(), "NotFound") {
		t.Fatalf("released reservation still served: %v", err)
	}
	framework.Eventually(t, "rsv-b reserved at the released address", 5*time.Second, framework.Succeeds(func() error {
		_, err := createEdgeNode(ctx, "rsv-b", "203.0.113.10")
		return err
	}))
}

func TestReservationSurvivesRestart(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	if _, err := createEdgeNode(ctx, "durable-a", "203.0.113.15"); err != nil {
		t.Fatal(err)
	}
	uid := kubectl(t, ctx, "get", "edgenode", "durable-a", "-o", "jsonpath={.metadata.uid}")
	if err := ew.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	got := kubectl(t, ctx, "get", "edgenode", "durable-a", "-o", "jsonpath={.metadata.uid} {.status.phase} {.spec.internalIP}")
	if got != uid+" Pending 203.0.113.15" {
		t.Fatalf("after restart: %q, want %q", got, uid+" Pending 203.0.113.15")
	}
	_, err := createEdgeNode(ctx, "durable-b", "203.0.113.15")
	wantErrContaining(t, err, "(Conflict)", `"durable-a"`)
}

func TestJoinedReservationIsBoundAndDeleteNeedsNodePermission(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	if _, err := createEdgeNode(ctx, "bind-a", "203.0.113.16"); err != nil {
		t.Fatal(err)
	}
	createNode(t, ctx, nodeSpec{name: "bind-a", labels: edgeLabels("bind"), ip: "203.0.113.16", port: 10351, ready: corev1.ConditionTrue})
	framework.Eventually(t, "bind-a Joined", 10*time.Second, framework.Succeeds(func() error {
		got := kubectl(t, ctx, "get", "edgenode", "bind-a", "-o", "jsonpath={.status.phase}")
		if got != "Joined" {
			return errorf("phase %q", got)
		}
		node, err := cp.Client().CoreV1().Nodes().Get(ctx, "bind-a", metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, taint := range node.Spec.Taints {
			if taint.Key == "node-role.kubernetes.io/edge" && taint.Effect == corev1.TaintEffectNoSchedule {
				return nil
			}
		}
		return errorf("reserved taint not applied: %v", node.Spec.Taints)
	}))

	bindClusterRole(t, "carol", "edgewatcher-admin")
	_, stderr, err := cp.KubectlWith(ctx, framework.KubectlOptions{User: "carol"}, "delete", "edgenode", "bind-a")
	if err == nil || !strings.Contains(stderr, "Forbidden") || !strings.Contains(stderr, `user "carol" may not delete`) {
		t.Fatalf("carol deleted a joined node without node rights: %v %s", err, stderr)
	}
	if _, err := cp.Client().CoreV1().Nodes().Get(ctx, "bind-a", metav1.GetOptions{}); err != nil {
		t.Fatalf("node gone after a forbidden delete: %v", err)
	}
	kubectl(t, ctx, "create", "clusterrole", "e2e-node-deleter", "--verb=delete", "--resource=nodes")
	bindClusterRole(t, "carol", "e2e-node-deleter")
	if _, stderr, err := cp.KubectlWith(ctx, framework.KubectlOptions{User: "carol"}, "delete", "edgenode", "bind-a"); err != nil {
		t.Fatalf("carol with node rights: %v %s", err, stderr)
	}
	framework.Eventually(t, "Node bind-a deleted", 5*time.Second, framework.Succeeds(func() error {
		if _, err := cp.Client().CoreV1().Nodes().Get(ctx, "bind-a", metav1.GetOptions{}); err == nil {
			return errorf("node still exists")
		}
		return nil
	}))
}

// createRaw POSTs body to a subresource through kube-apiserver with kubectl as user ("" is admin).
func createRaw(ctx context.Context, user, path, body string) (string, error) {
	if user == "" {
		out, _, err := cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: body}, "create", "--raw", path, "-f", "-")
		return out, err
	}
	out, _, err := cp.KubectlWith(ctx, framework.KubectlOptions{User: user, Stdin: body}, "create", "--raw", path, "-f", "-")
	return out, err
}

func joinCommand(t *testing.T, ctx context.Context, name string, spec map[string]any) v1alpha1.JoinCommand {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"apiVersion": "kubeedge.kubesphere.io/v1alpha1", "kind": "JoinCommand", "spec": spec})
	out, err := createRaw(ctx, "", edgeNodesPath+"/"+name+"/joincommand", string(body))
	if err != nil {
		t.Fatal(err)
	}
	var jc v1alpha1.JoinCommand
	if err := json.Unmarshal([]byte(out), &jc); err != nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
	return jc
}

func TestJoinCommandForSeveralVersions(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	jc := joinCommand(t, ctx, "cmd-a", map[string]any{"internalIP": "203.0.113.20", "labels": map[string]string{"zone": "z1"}})
	if got := kubectl(t, ctx, "get", "edgenode", "cmd-a", "-o", "jsonpath={.status.phase} {.spec.internalIP}"); got != "Pending 203.0.113.20" {
		t.Fatalf("joincommand did not reserve: %q", got)
	}
	if jc.Status.InternalIP != "203.0.113.20" || jc.Status.TokenExpiresAt.IsZero() {
		t.Fatalf("status %+v", jc.Status)
	}
	for _, tc := range []struct {
		version string
		want    []string
		absent  []string
	}{
		{"v1.6.2", []string{"--kubeedge-version=1.6.2", "--cloudcore-ipport=192.0.2.10:30000", "--certport=30002"}, []string{"--labels=zone=z1", "--set"}},
		{"v1.12.0", []string{"--kubeedge-version=v1.12.0", "--labels=zone=z1"}, []string{"--set"}},
		{"v1.19.2", []string{"--kubeedge-version=v1.19.2", "Modules.Edged.NodeIP=203.0.113.20"}, []string{"--with-mqtt"}},
		{"v1.23.1", []string{"--kubeedge-version=v1.23.1", "--edgenode-name=cmd-a", "--token="}, nil},
	} {
		jc := joinCommand(t, ctx, "cmd-a", map[string]any{"kubeEdgeVersion": tc.version})
		words := framework.ShellWords(t, jc.Status.Command)
		if strings.Join(words, "\x00") != strings.Join(jc.Status.Args, "\x00") {
			t.Fatalf("%s: shell words %q differ from args %q", tc.version, words, jc.Status.Args)
		}
		line := strings.Join(jc.Status.Args, " ")
		for _, w := range tc.want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: %q lacks %q", tc.version, line, w)
			}
		}
		for _, w := range tc.absent {
			if strings.Contains(line, w) {
				t.Errorf("%s: %q must not contain %q", tc.version, line, w)
			}
		}
	}
	// Hostile request values are refused at the boundary, never quoted into a command.
	body := `{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinCommand","spec":{"internalIP":"203.0.113.21; rm -rf /"}}`
	_, err := createRaw(ctx, "", edgeNodesPath+"/cmd-b/joincommand", body)
	wantErrContaining(t, err, "is invalid")
	body = `{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinCommand","spec":{"internalIP":"203.0.113.21","kubeEdgeVersion":"v1.23.1$(id)"}}`
	_, err = createRaw(ctx, "", edgeNodesPath+"/cmd-b/joincommand", body)
	wantErrContaining(t, err, "is invalid")
}

func TestJoinTokenVerifiesLikeCloudcore(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	if _, err := createEdgeNode(ctx, "tok-a", "203.0.113.25"); err != nil {
		t.Fatal(err)
	}
	out, err := createRaw(ctx, "", edgeNodesPath+"/tok-a/jointoken", `{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinToken"}`)
	if err != nil {
		t.Fatal(err)
	}
	var jt v1alpha1.JoinToken
	if err := json.Unmarshal([]byte(out), &jt); err != nil {
		t.Fatal(err)
	}
	ca, err := cp.Client().CoreV1().Secrets("kubeedge").Get(ctx, "casecret", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := jointoken.Verify(jt.Status.Token, ca.Data["cadata"], ca.Data["cakeydata"], time.Now())
	if err != nil {
		t.Fatalf("token from tokensecret does not verify: %v", err)
	}
	if !exp.Equal(jt.Status.ExpiresAt.Time) || jt.Status.Source != "tokensecret" {
		t.Fatalf("status %+v, verified exp %s", jt.Status, exp)
	}
	_, err = createRaw(ctx, "", edgeNodesPath+"/no-such-node/jointoken", `{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinToken"}`)
	wantErrContaining(t, err, "NotFound")
}

func TestViewerNeverReceivesTokens(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	if _, err := createEdgeNode(ctx, "rbac-a", "203.0.113.26"); err != nil {
		t.Fatal(err)
	}
	bindClusterRole(t, "dave", "edgewatcher-viewer")
	bindClusterRole(t, "frank", "edgewatcher-admin")
	kubectl(t, ctx, "create", "clusterrole", "e2e-node-reader", "--verb=get,list", "--resource=nodes")
	bindClusterRole(t, "erin", "e2e-node-reader")

	var issued []string // the tokens frank obtained, which dave must never see
	for _, sub := range []string{"jointoken", "joincommand"} {
		body := `{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinToken"}`
		if sub == "joincommand" {
			body = `{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinCommand"}`
		}
		_, err := createRaw(ctx, "dave", edgeNodesPath+"/rbac-a/"+sub, body)
		wantErrContaining(t, err, "Forbidden")
		out, err := createRaw(ctx, "frank", edgeNodesPath+"/rbac-a/"+sub, body)
		if err != nil {
			t.Fatalf("frank %s: %v", sub, err)
		}
		if sub == "jointoken" {
			var jt v1alpha1.JoinToken
			if err := json.Unmarshal([]byte(out), &jt); err != nil || jt.Status.Token == "" {
				t.Fatalf("frank's jointoken has no token: %v %s", err, out)
			}
			issued = append(issued, jt.Status.Token)
		}
	}
	// What a viewer may read (get -o yaml, list, watch) carries no token, in any field.
	watchCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for _, args := range [][]string{
		{"get", "edgenode", "rbac-a", "-o", "yaml"},
		{"get", "edgenodes", "-o", "yaml"},
		{"get", "edgenodes", "--watch", "-o", "json", "--request-timeout=3s"},
	} {
		stdout, stderr, err := cp.KubectlWith(watchCtx, framework.KubectlOptions{User: "dave"}, args...)
		if !strings.Contains(stdout, "rbac-a") {
			t.Fatalf("dave %v did not return rbac-a: %v %s", args, err, stderr)
		}
		for _, tok := range issued {
			if strings.Contains(stdout, tok) || strings.Contains(stderr, tok) {
				t.Errorf("dave %v received a join token", args)
			}
		}
		if strings.Contains(strings.ToLower(stdout), "token") {
			t.Errorf("dave %v received a token field:\n%s", args, stdout)
		}
	}
	_, stderr, err := cp.KubectlWith(ctx, framework.KubectlOptions{User: "dave", Stdin: edgeNodeYAML("rbac-b", "203.0.113.27")}, "create", "--validate=false", "-f", "-")
	if err == nil || !strings.Contains(stderr, "Forbidden") {
		t.Fatalf("dave reserved: %v %s", err, stderr)
	}

	// The console route is authorized as create on edgenodes/joincommand, never as get nodes.
	// So is KubeSphere 4.1's route.
	for _, legacy := range []string{ew.URL() + "/api/v1alpha1/nodes/join?node_name=rbac-a&node_ip=203.0.113.26",
		ew.URL() + "/kapis/kubeedge.kubesphere.io/v1beta1/nodes/join?node_name=rbac-a"} {
		for user, want := range map[string]int{"dave": http.StatusForbidden, "erin": http.StatusForbidden, "frank": http.StatusOK} {
			cert, err := cp.PKI.ClientCA.IssueClient(user)
			if err != nil {
				t.Fatal(err)
			}
			code, body := get(t, directClient(t, cert), legacy, nil)
			if code != want {
				t.Errorf("%s on %s: %d %s", user, legacy, code, body)
			}
			if code != http.StatusOK && strings.Contains(body, "keadm") {
				t.Errorf("%s saw a command: %s", user, body)
			}
		}
	}
}

var (
	replica2Once sync.Once
	replica2     *framework.EdgeWatcher
	replica2HTTP string
	replica2Err  error
)

// secondReplica starts a second, unregistered server with a 4s reservation TTL and the
// console's plain-HTTP listener. It runs as ServiceAccount kubeedge/edgewatcher-apiserver with
// exactly the rights of artifacts/deploy/server-rbac.yaml, so every test that uses it also
// proves those rights suffice.
func secondReplica(t *testing.T) (*framework.EdgeWatcher, string) {
	t.Helper()
	replica2Once.Do(func() {
		port, err := framework.FreePort()
		if err != nil {
			replica2Err = err
			return
		}
		kubeconfig, err := serverAccountKubeconfig()
		if err != nil {
			replica2Err = err
			return
		}
		replica2HTTP = fmt.Sprintf("127.0.0.1:%d", port)
		replica2, replica2Err = cp.StartEdgeWatcher(context.Background(), framework.EdgeWatcherOptions{
			Unregistered: true,
			ExtraArgs: []string{"--reservation-ttl=4s", "--legacy-listen-address=" + replica2HTTP,
				"--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig},
		})
	})
	if replica2Err != nil {
		t.Fatalf("second replica: %v", replica2Err)
	}
	return replica2, replica2HTTP
}

func TestParallelReservationsAcrossReplicas(t *testing.T) {
	seedKubeEdge(t)
	r2, _ := secondReplica(t)
	admin, err := cp.PKI.ClientCA.IssueClient("admin", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	clients := []*http.Client{replicaClient(t, ew, admin), replicaClient(t, r2, admin)}
	urls := []string{ew.URL(), r2.URL()}
	type result struct {
		code int
		body string
	}
	results := make([]result, 50)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"EdgeNode","metadata":{"name":"race-%d"},"spec":{"internalIP":"203.0.113.%d"}}`, i, 100+i%5)
			<-start
			resp, err := clients[i%2].Post(urls[i%2]+edgeNodesPath, "application/json", bytes.NewBufferString(body))
			if err != nil {
				results[i] = result{0, err.Error()}
				return
			}
			defer func() { _ = resp.Body.Close() }()
			b, _ := io.ReadAll(resp.Body)
			results[i] = result{resp.StatusCode, string(b)}
		}()
	}
	close(start)
	wg.Wait()
	winners := map[string]int{}
	for i, r := range results {
		switch r.code {
		case http.StatusCreated:
			winners[fmt.Sprintf("203.0.113.%d", 100+i%5)]++
		case http.StatusConflict:
			if !strings.Contains(r.body, "reserved for edge node") {
				t.Errorf("race-%d: conflict without the holder: %s", i, r.body)
			}
		default:
			t.Errorf("race-%d: %d %s", i, r.code, r.body)
		}
	}
	if len(winners) != 5 {
		t.Fatalf("winners per IP: %v, want exactly one for each of 5 IPs", winners)
	}
	for ip, n := range winners {
		if n != 1 {
			t.Errorf("%s has %d winners", ip, n)
		}
	}
}

// consoleGet calls the plain-HTTP console route with a bearer token and returns status, content type and body.
func consoleGet(t *testing.T, addr, token, query string) (int, string, string) {
	t.Helper()
	return consoleGetPath(t, addr, "/api/v1alpha1/nodes/join", token, query)
}

// consoleGetPath is consoleGet on another console generation's path.
func consoleGetPath(t *testing.T, addr, path, token, query string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path+"?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// serviceAccountToken creates a ServiceAccount bound to role and returns a token for it.
func serviceAccountToken(t *testing.T, ctx context.Context, name, role string) string {
	t.Helper()
	client := cp.Client()
	if _, err := client.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubectl(t, ctx, "create", "clusterrolebinding", "e2e-sa-"+name, "--clusterrole="+role, "--serviceaccount=default:"+name)
	tr, err := client.CoreV1().ServiceAccounts("default").CreateToken(ctx, name, &authenticationv1TokenRequest, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

type consoleReply struct {
	Code    int    `json:"code"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

func decodeConsole(t *testing.T, body string) consoleReply {
	t.Helper()
	var r consoleReply
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("console reply is not JSON: %q", body)
	}
	return r
}

func TestConsoleWizardFlowOnThePlainListener(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	_, addr := secondReplica(t)
	createNode(t, ctx, nodeSpec{name: "wiz-existing", labels: edgeLabels("wiz"), ip: "198.51.100.70", port: 10352, ready: corev1.ConditionTrue})
	admin := serviceAccountToken(t, ctx, "console-admin", "edgewatcher-admin")
	viewer := serviceAccountToken(t, ctx, "console-viewer", "edgewatcher-viewer")

	// The name field's validator, while the IP box is still empty: an IP error, never a name error.
	code, ctype, body := consoleGet(t, addr, admin, "node_name=wiz-1&node_ip=")
	r := decodeConsole(t, body)
	if code != 400 || r.Status != "Failure" || r.Code != 400 || !strings.Contains(r.Message, "IP") || strings.Contains(r.Message, "name") || !strings.Contains(ctype, "json") {
		t.Fatalf("empty IP: %d %s %s", code, ctype, body)
	}
	// Name in use.
	_, _, body = consoleGet(t, addr, admin, "node_name=wiz-existing&node_ip=203.0.113.40")
	if r := decodeConsole(t, body); r.Message != "Node name wiz-existing in use (a Node with this name is registered)" || strings.Contains(r.Message, "IP") {
		t.Fatalf("name in use: %s", body)
	}
	// IP in use, by another node's address.
	_, _, body = consoleGet(t, addr, admin, "node_name=wiz-1&node_ip=198.51.100.70")
	if r := decodeConsole(t, body); !strings.HasPrefix(r.Message, "Node IP 198.51.100.70 in use") || strings.Contains(r.Message, "name") {
		t.Fatalf("IP in use: %s", body)
	}
	// Validate: two validator calls reserve nothing, the third reserves and returns the command.
	for range 2 {
		code, _, body = consoleGet(t, addr, admin, "node_name=wiz-1&node_ip=203.0.113.40")
		if code != 200 || decodeConsole(t, body).Status != "Succeeded" {
			t.Fatalf("validator call: %d %s", code, body)
		}
	}
	if _, _, err := cp.Kubectl(ctx, "get", "edgenode", "wiz-1"); err == nil {
		t.Fatal("a validator call reserved the node")
	}
	code, ctype, body = consoleGet(t, addr, admin, "node_name=wiz-1&node_ip=203.0.113.40&add_default_taint=true")
	r = decodeConsole(t, body)
	if code != 200 || r.Code != 200 || r.Status != "Succeeded" || r.Message != "" || !strings.Contains(ctype, "json") {
		t.Fatalf("validate: %d %s %s", code, ctype, body)
	}
	// The default mirror is KubeEdge's release, checked against its sha512 before it is unpacked and run.
	if !strings.Contains(body, "&& tar -xzf") || strings.Contains(body, `\u0026`) || !strings.Contains(r.Data, " | sha512sum -c - && ") ||
		!strings.Contains(r.Data, `https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/keadm-v1.23.1-linux-"$arch".tar.gz`) ||
		!strings.Contains(r.Data, `&& ./keadm-v1.23.1-linux-"$arch"/keadm/keadm join `) ||
		!strings.Contains(r.Data, "--edgenode-name=wiz-1") {
		t.Fatalf("command: %s", body)
	}
	if _, err := syntax.NewParser().Parse(strings.NewReader(r.Data), ""); err != nil {
		t.Fatalf("command does not parse: %v", err)
	}
	got := kubectl(t, ctx, "get", "edgenode", "wiz-1", "-o", "jsonpath={.status.phase} {.spec.internalIP} {.spec.taints[0].key} {.status.reservedBy}")
	if got != "Pending 203.0.113.40 node-role.kubernetes.io/edge system:serviceaccount:default:console-admin" {
		t.Fatalf("reservation: %q", got)
	}
	// Another user now sees the name as taken.
	other := serviceAccountToken(t, ctx, "console-admin-2", "edgewatcher-admin")
	_, _, body = consoleGet(t, addr, other, "node_name=wiz-2&node_ip=203.0.113.40&add_default_taint=false")
	if r := decodeConsole(t, body); !strings.HasPrefix(r.Message, "Node IP 203.0.113.40 in use") {
		t.Fatalf("IP held by a reservation: %s", body)
	}

	// Protection: no token is 401, a viewer is 403, both in the console's format and without a command.
	for token, want := range map[string]int{"": 401, viewer: 403, "not-a-token": 401} {
		code, _, body := consoleGet(t, addr, token, "node_name=wiz-3&node_ip=203.0.113.41&add_default_taint=true")
		r := decodeConsole(t, body)
		if code != want || r.Status != "Failure" || r.Data != "" || strings.Contains(r.Message, "name") || strings.Contains(r.Message, "IP") {
			t.Errorf("token %q: %d %s", token, code, body)
		}
	}

	// Oversized requests are refused before they reach the route.
	if code, _, _ := consoleGet(t, addr, admin, "node_name="+strings.Repeat("a", 100_000)+"&node_ip=203.0.113.42"); code != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 100 kB query: %d, want 431", code)
	}

	// The second replica's reservations last 4s: wiz-1 expires and frees its address.
	framework.Eventually(t, "wiz-1 Expired", 15*time.Second, framework.Succeeds(func() error {
		if got := kubectl(t, ctx, "get", "edgenode", "wiz-1", "-o", "jsonpath={.status.phase}"); got != "Expired" {
			return errorf("phase %q", got)
		}
		return nil
	}))
	if _, err := createEdgeNode(ctx, "wiz-4", "203.0.113.40"); err != nil {
		t.Fatalf("expired reservation kept its address: %v", err)
	}
}

// Every other spelling of an existing Node's address is refused: as invalid, or as that Node's.
func TestIPSpoofingCorpusIsRejected(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	createNode(t, ctx, nodeSpec{name: "spoof-cloud", labels: map[string]string{"test": "spoof"}, ip: "198.51.100.61", port: 10250, ready: corev1.ConditionTrue})
	for i, spelling := range []string{
		"198.51.100.61", "::ffff:198.51.100.61", "::ffff:c633:643d", "0:0:0:0:0:ffff:c633:643d",
		"198.051.100.061", "0306.0063.0144.075", "0xc6.0x33.0x64.0x3d", "3325256765", "198.51.25661",
		" 198.51.100.61", "198.51.100.61 ", "198.51.100.61\t", "198.51.100.61%eth0", "198.51.100.61/32",
		"fe80::1%eth0", "::ffff:127.0.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.1", "169.254.1.1",
	} {
		name := fmt.Sprintf("spoof-%d", i)
		out, err := createEdgeNode(ctx, name, spelling)
		if err == nil {
			t.Errorf("%q was accepted: %s", spelling, out)
			kubectl(t, ctx, "delete", "edgenode", name)
			continue
		}
		if !strings.Contains(err.Error(), "is invalid") && !strings.Contains(err.Error(), "Node spoof-cloud") {
			t.Errorf("%q: refused for another reason: %v", spelling, err)
		}
	}
}
