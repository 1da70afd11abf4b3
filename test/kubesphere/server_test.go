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

package kubesphere

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// seen is what a backend received.
type seen struct {
	Path, RawQuery, RemoteIP string
	Header                   http.Header
}

// backend records requests and answers 200 "ok".
type backend struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newBackend(t *testing.T) *backend {
	t.Helper()
	b := &backend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		b.mu.Lock()
		b.reqs = append(b.reqs, seen{Path: r.URL.Path, RawQuery: r.URL.RawQuery, RemoteIP: host, Header: r.Header.Clone()})
		b.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(b.Close)
	return b
}

// last returns the last request, failing when there was none.
func (b *backend) last(t *testing.T) seen {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.reqs) == 0 {
		t.Fatal("the backend received nothing")
	}
	return b.reqs[len(b.reqs)-1]
}

// count returns how many requests the backend received.
func (b *backend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.reqs)
}

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.Users = append(opts.Users, User{Name: "ks-admin", UID: "uid-1", Groups: []string{"workspace-a"}})
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func get(t *testing.T, url string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestGenericProxy(t *testing.T) {
	b := newBackend(t)
	s := start(t, Options{KubeEdgeEndpoint: b.URL + "/api/", EdgeRuntimeEndpoint: b.URL + "/api"})
	token := s.Token("ks-admin")
	query := "node_name=edge-1&node_ip=10.0.0.5&add_default_taint=true"
	for _, path := range []string{
		"/kapis/kubeedge.kubesphere.io/v1alpha1/nodes/join",
		"/kapis/clusters/host/kubeedge.kubesphere.io/v1alpha1/nodes/join",
		"/kapis/edgeruntime.kubesphere.io/v1alpha1/nodes/join",
		"/kapis/clusters/host/edgeruntime.kubesphere.io/v1alpha1/nodes/join",
	} {
		header := http.Header{"Authorization": {"Bearer " + token}, "X-Remote-User": {"forged"}}
		if code, body := get(t, s.URL+path+"?"+query, header); code != 200 || body != "ok" {
			t.Fatalf("%s: %d %q", path, code, body)
		}
		got := b.last(t)
		if got.Path != "/api/v1alpha1/nodes/join" || got.RawQuery != query {
			t.Errorf("%s: backend saw %s?%s", path, got.Path, got.RawQuery)
		}
		// Headers pass as they are: the token, and whatever the client claimed.
		if got.Header.Get("Authorization") != "Bearer "+token || got.Header.Get("X-Remote-User") != "forged" {
			t.Errorf("%s: backend saw headers %v", path, got.Header)
		}
	}
	if s.Calls(KubeEdgeGroup) != 2 || s.Calls(EdgeRuntimeGroup) != 2 {
		t.Errorf("calls: %d %d", s.Calls(KubeEdgeGroup), s.Calls(EdgeRuntimeGroup))
	}
}

func TestExtensionProxy(t *testing.T) {
	b := newBackend(t)
	s := start(t, Options{KubeEdgeEndpoint: "http://127.0.0.1:1/api/",
		APIServices: []APIService{{Group: KubeEdgeGroup, Version: "v1beta1", URL: b.URL}}, ProxySourceIP: "127.0.0.2"})
	token := s.Token("ks-admin")
	for _, path := range []string{"/kapis/kubeedge.kubesphere.io/v1beta1/nodes/join", "/kapis/clusters/host/kubeedge.kubesphere.io/v1beta1/nodes/join"} {
		header := http.Header{"Authorization": {"Bearer " + token}, "X-Remote-User": {"forged"}, "X-Remote-Group": {"system:masters"}}
		if code, body := get(t, s.URL+path+"?node_name=edge-1&add_default_taint=true", header); code != 200 || body != "ok" {
			t.Fatalf("%s: %d %q", path, code, body)
		}
		got := b.last(t)
		// The full path without the cluster, the query re-encoded (sorted).
		if got.Path != "/kapis/kubeedge.kubesphere.io/v1beta1/nodes/join" || got.RawQuery != "add_default_taint=true&node_name=edge-1" {
			t.Errorf("%s: backend saw %s?%s", path, got.Path, got.RawQuery)
		}
		if got.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("%s: Authorization %q", path, got.Header.Get("Authorization"))
		}
		if u, g := got.Header.Values("X-Remote-User"), got.Header.Values("X-Remote-Group"); !reflect.DeepEqual(u, []string{"ks-admin"}) ||
			!reflect.DeepEqual(g, []string{"workspace-a", "system:authenticated"}) {
			t.Errorf("%s: X-Remote-User %q, X-Remote-Group %q", path, u, g)
		}
		if got.RemoteIP != "127.0.0.2" {
			t.Errorf("%s: the proxy dialed from %s", path, got.RemoteIP)
		}
	}
}

func TestProxiesRefuseUnauthenticatedRequests(t *testing.T) {
	b := newBackend(t)
	s := start(t, Options{KubeEdgeEndpoint: b.URL + "/api/", APIServices: []APIService{{Group: KubeEdgeGroup, Version: "v1beta1", URL: b.URL}}})
	other, err := NewIssuer()
	if err != nil {
		t.Fatal(err)
	}
	for name, header := range map[string]http.Header{
		"no token":          {"X-Remote-User": {"ks-admin"}},
		"foreign token":     {"Authorization": {"Bearer " + other.Issue("ks-admin", time.Hour)}},
		"expired token":     {"Authorization": {"Bearer " + s.Issuer.Issue("ks-admin", -time.Second)}},
		"unknown user":      {"Authorization": {"Bearer " + s.Token("nobody")}},
		"basic credentials": {"Authorization": {"Basic a3MtYWRtaW46cA=="}},
	} {
		for _, v := range []string{"v1alpha1", "v1beta1"} {
			if code, body := get(t, s.URL+"/kapis/kubeedge.kubesphere.io/"+v+"/nodes/join?node_name=a", header); code != 401 || !strings.Contains(body, `"code":401`) {
				t.Errorf("%s, %s: %d %s", name, v, code, body)
			}
		}
	}
	if code, _ := get(t, s.URL+"/kapis/clusters/member/kubeedge.kubesphere.io/v1alpha1/nodes/join", http.Header{"Authorization": {"Bearer " + s.Token("ks-admin")}}); code != 404 {
		t.Errorf("member cluster: %d", code)
	}
	if b.count() != 0 {
		t.Errorf("the backend received %d requests", b.count())
	}
}

// A backend that cannot be reached leaves the console an empty 200, as ks-apiserver 3.x does.
func TestGenericProxyUnreachableBackend(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	s := start(t, Options{KubeEdgeEndpoint: "http://" + addr + "/api/"})
	if code, body := get(t, s.URL+"/kapis/kubeedge.kubesphere.io/v1alpha1/nodes/join", http.Header{"Authorization": {"Bearer " + s.Token("ks-admin")}}); code != 200 || body != "" {
		t.Errorf("%d %q", code, body)
	}
}

func TestTokenWebhook(t *testing.T) {
	s := start(t, Options{})
	review := func(body string) (int, string) {
		t.Helper()
		resp, err := http.Post(s.WebhookURL(), "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, version := range []string{"authentication.k8s.io/v1", "authentication.k8s.io/v1beta1"} {
		code, body := review(`{"apiVersion":"` + version + `","kind":"TokenReview","spec":{"token":"` + s.Token("ks-admin") + `"}}`)
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); err != nil || code != 200 {
			t.Fatalf("%s: %d %s", version, code, body)
		}
		want := map[string]any{"apiVersion": version, "kind": "TokenReview",
			"status": map[string]any{"authenticated": true, "user": map[string]any{"username": "ks-admin", "uid": "uid-1"}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s", version, body)
		}
	}
	for name, body := range map[string]string{
		"expired":   `{"apiVersion":"authentication.k8s.io/v1","spec":{"token":"` + s.Issuer.Issue("ks-admin", -time.Minute) + `"}}`,
		"tampered":  `{"apiVersion":"authentication.k8s.io/v1","spec":{"token":"` + s.Token("ks-admin") + `x"}}`,
		"malformed": `{"apiVersion":"authentication.k8s.io/v1","spec":{"token":"abc"}}`,
		"empty":     `{"apiVersion":"authentication.k8s.io/v1","spec":{"token":""}}`,
		"no spec":   `{"apiVersion":"authentication.k8s.io/v1"}`,
		"not JSON":  `token`,
	} {
		if code, resp := review(body); code != 400 || strings.Contains(resp, "authenticated") {
			t.Errorf("%s: %d %s", name, code, resp)
		}
	}
	if got := s.Calls(WebhookPath); got != 8 {
		t.Errorf("webhook calls = %d, want 8", got)
	}
}
