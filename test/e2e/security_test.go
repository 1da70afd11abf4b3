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
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

const edgeNodesPath = "/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes"

// directClient talks straight to edgewatcher-apiserver, verifying its certificate, with an optional client cert.
func directClient(t *testing.T, clientCert *framework.KeyPair) *http.Client {
	t.Helper()
	return replicaClient(t, ew, clientCert)
}

// replicaClient talks straight to one edgewatcher-apiserver replica, verifying its certificate.
func replicaClient(t *testing.T, replica *framework.EdgeWatcher, clientCert *framework.KeyPair) *http.Client {
	t.Helper()
	cfg, err := replica.TLSConfig(clientCert)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// get sends a GET with headers and returns the status code and body.
func get(t *testing.T, c *http.Client, url string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func statusMessage(t *testing.T, body string) string {
	t.Helper()
	var st metav1.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("not a Status: %s", body)
	}
	return st.Message
}

func TestUserWithoutRBACIsForbidden(t *testing.T) {
	ctx := context.Background()
	_, stderr, err := cp.KubectlWith(ctx, framework.KubectlOptions{User: "alice"}, "get", "edgenodes")
	if err == nil || !strings.Contains(stderr, `edgenodes.kubeedge.kubesphere.io is forbidden: User "alice" cannot list resource "edgenodes"`) {
		t.Errorf("alice: err = %v, stderr = %s", err, stderr)
	}

	// Our own server authorizes too, through SubjectAccessReview, not only kube-apiserver.
	alice, err := cp.PKI.ClientCA.IssueClient("alice")
	if err != nil {
		t.Fatal(err)
	}
	code, body := get(t, directClient(t, alice), ew.URL()+edgeNodesPath, nil)
	if code != http.StatusForbidden || !strings.Contains(statusMessage(t, body), `User "alice" cannot list resource "edgenodes"`) {
		t.Errorf("alice straight to our port: %d %s", code, body)
	}

	// Granting the view verbs makes both paths work.
	grantEdgeNodeViewer(t, ctx, "bob")
	bob, err := cp.PKI.ClientCA.IssueClient("bob")
	if err != nil {
		t.Fatal(err)
	}
	framework.Eventually(t, "bob allowed straight to our port", 15*time.Second, framework.Succeeds(func() error { // the delegated authorizer caches denials for 10s
		if code, body := get(t, directClient(t, bob), ew.URL()+edgeNodesPath, nil); code != http.StatusOK {
			return errorf("bob straight to our port: %d %s", code, body)
		}
		return nil
	}))
	if _, stderr, err := cp.KubectlWith(ctx, framework.KubectlOptions{User: "bob"}, "get", "edgenodes"); err != nil {
		t.Errorf("bob through kube-apiserver: %v %s", err, stderr)
	}
}

func grantEdgeNodeViewer(t *testing.T, ctx context.Context, user string) {
	t.Helper()
	rbac := cp.Client().RbacV1()
	name := "e2e-edgenode-viewer-" + user
	_, err := rbac.ClusterRoles().Create(ctx, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"kubeedge.kubesphere.io"}, Resources: []string{"edgenodes"}, Verbs: []string{"get", "list", "watch"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rbac.ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSpoofedRequestHeadersAreIgnored(t *testing.T) {
	spoof := map[string]string{"X-Remote-User": "admin", "X-Remote-Group": "system:masters"}

	// No client certificate: the headers count for nothing and the caller is anonymous.
	code, body := get(t, directClient(t, nil), ew.URL()+edgeNodesPath, spoof)
	if code != http.StatusForbidden || !strings.Contains(statusMessage(t, body), `User "system:anonymous"`) {
		t.Errorf("no cert: %d %s", code, body)
	}

	// A valid client certificate that is not the front proxy's: it authenticates as itself, never as the header.
	impostor, err := cp.PKI.ClientCA.IssueClient(framework.FrontProxyClientName)
	if err != nil {
		t.Fatal(err)
	}
	code, body = get(t, directClient(t, impostor), ew.URL()+edgeNodesPath, spoof)
	if code != http.StatusForbidden || !strings.Contains(statusMessage(t, body), `User "`+framework.FrontProxyClientName+`"`) {
		t.Errorf("client-CA cert named like the proxy: %d %s", code, body)
	}

	// A certificate from a CA nobody trusts is rejected outright.
	rogueCA, err := framework.NewCA("rogue-ca")
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := rogueCA.IssueClient(framework.FrontProxyClientName, "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	code, body = get(t, directClient(t, rogue), ew.URL()+edgeNodesPath, spoof)
	if code != http.StatusUnauthorized && code != http.StatusForbidden {
		t.Errorf("rogue CA cert: %d %s", code, body)
	}
	if strings.Contains(body, `"kind": "EdgeNodeList"`) || strings.Contains(body, `"kind":"EdgeNodeList"`) {
		t.Errorf("rogue CA cert listed edge nodes: %s", body)
	}
}

func TestAnonymousRequestsAreRejected(t *testing.T) {
	code, body := get(t, directClient(t, nil), ew.URL()+edgeNodesPath, nil)
	if code != http.StatusForbidden || !strings.Contains(statusMessage(t, body), `User "system:anonymous" cannot list resource "edgenodes"`) {
		t.Errorf("anonymous to our port: %d %s", code, body)
	}
	insecure := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // no credentials are sent
	code, body = get(t, insecure, cp.URL+edgeNodesPath, nil)
	if code != http.StatusForbidden && code != http.StatusUnauthorized {
		t.Errorf("anonymous through kube-apiserver: %d %s", code, body)
	}
	for _, path := range []string{"/metrics", "/openapi/v2", "/apis"} {
		if code, _ := get(t, directClient(t, nil), ew.URL()+path, nil); code != http.StatusForbidden {
			t.Errorf("anonymous GET %s = %d, want 403", path, code)
		}
	}
}

func TestHealthMetricsAndOpenAPIEndpoints(t *testing.T) {
	anon := directClient(t, nil)
	for _, path := range []string{"/healthz", "/livez", "/readyz"} {
		if code, body := get(t, anon, ew.URL()+path, nil); code != http.StatusOK || body != "ok" {
			t.Errorf("GET %s = %d %q", path, code, body)
		}
	}
	if code, body := get(t, anon, ew.URL()+"/readyz?verbose", nil); code != http.StatusOK || !strings.Contains(body, "[+]edgenode-cache ok") {
		t.Errorf("readyz?verbose = %d %s", code, body)
	}

	admin := directClient(t, cp.PKI.Admin)
	code, body := get(t, admin, ew.URL()+"/metrics", nil)
	if code != http.StatusOK || !strings.Contains(body, "apiserver_request_total") {
		t.Errorf("/metrics = %d (%d bytes)", code, len(body))
	}
	code, body = get(t, admin, ew.URL()+"/openapi/v2", nil)
	if code != http.StatusOK || !strings.Contains(body, "io.edgewatcher.kubeedge.v1alpha1.EdgeNode") {
		t.Errorf("/openapi/v2 = %d (%d bytes)", code, len(body))
	}
	code, body = get(t, admin, ew.URL()+"/openapi/v3/apis/kubeedge.kubesphere.io/v1alpha1", nil)
	if code != http.StatusOK || !strings.Contains(body, `"x-kubernetes-group-version-kind"`) || !strings.Contains(body, `"EdgeNode"`) {
		t.Errorf("/openapi/v3 group = %d (%d bytes)", code, len(body))
	}
}

func TestAPIServiceIsRegisteredWithCABundle(t *testing.T) {
	ctx := context.Background()
	out := kubectl(t, ctx, "get", "apiservice", "v1alpha1.kubeedge.kubesphere.io", "-o", "json")
	var svc struct {
		Spec struct {
			Group    string `json:"group"`
			Version  string `json:"version"`
			CABundle []byte `json:"caBundle"`
			Service  struct {
				Namespace, Name string
				Port            int
			} `json:"service"`
			InsecureSkipTLSVerify bool `json:"insecureSkipTLSVerify"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(out), &svc); err != nil {
		t.Fatal(err)
	}
	serving, err := os.ReadFile(filepath.Join(ew.CertDir, "apiserver.crt"))
	if err != nil {
		t.Fatal(err)
	}
	s := svc.Spec
	if s.Group != "kubeedge.kubesphere.io" || s.Version != "v1alpha1" || s.InsecureSkipTLSVerify ||
		s.Service.Namespace != "kubeedge" || s.Service.Name != "edge-watcher" || string(s.CABundle) != string(serving) {
		t.Errorf("APIService spec = %+v", s)
	}
}
