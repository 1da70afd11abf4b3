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
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/emicklei/go-restful/v3"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/request"

	"github.com/edgewatcher/edgewatcher/pkg/join"
)

// testCommand has the shape of the console line (pkg/keadm RenderLegacy): "&&", ">&2", double quotes, a
// backslash and a quoted '<' must all reach the console as the command's own characters.
const testCommand = `arch=$(uname -m) && case "$arch" in x86_64) arch=amd64;; aarch64|arm64) arch=arm64;; armv7l) arch=arm;; ` +
	`*) printf 'keadm download: unsupported machine architecture %s (supported: x86_64, aarch64, arm64, armv7l)\n' "$arch" >&2; false;; esac && ` +
	`curl -fLo keadm-v1.23.1-linux-"$arch".tar.gz https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/keadm-v1.23.1-linux-"$arch".tar.gz && ` +
	`curl -fLo checksum_keadm-v1.23.1-linux-"$arch".tar.gz.txt https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/checksum_keadm-v1.23.1-linux-"$arch".tar.gz.txt && ` +
	`awk -v 'f=keadm-v1.23.1-linux-'"$arch".tar.gz 'NR == 1 { h = $1 } END { print h "  " f }' checksum_keadm-v1.23.1-linux-"$arch".tar.gz.txt | sha512sum -c - && ` +
	`tar -xzf keadm-v1.23.1-linux-"$arch".tar.gz && chmod +x ./keadm-v1.23.1-linux-"$arch"/keadm/keadm && ` +
	`./keadm-v1.23.1-linux-"$arch"/keadm/keadm join --cloudcore-ipport=192.168.70.130:30000 --edgenode-name=edge-1 --token='a<b>c'`

func TestSuccessBody(t *testing.T) {
	for _, target := range []string{
		JoinPath + "?node_name=edge-1&node_ip=192.168.70.140&add_default_taint=true",
		JoinPath + "/?node_name=edge-1&node_ip=192.168.70.140&add_default_taint=true",
	} {
		t.Run(target, func(t *testing.T) {
			rec := do(t, NewContainer(&fakeJoiner{command: testCommand}), http.MethodGet, target, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200 (body %q)", rec.Code, rec.Body.String())
			}
			// JSON escapes only the command's '"' and '\'; "&&", ">&2" and "<b>" stay as they are.
			data := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(testCommand)
			want := `{"code":200,"status":"Succeeded","data":"` + data + `"}` + "\n"
			if got := rec.Body.String(); got != want {
				t.Errorf("body\n got %q\nwant %q", got, want)
			}
			for _, raw := range []string{" && ", ">&2", "'a<b>c'"} {
				if !strings.Contains(rec.Body.String(), raw) {
					t.Errorf("body lacks %q unescaped", raw)
				}
			}
			checkJSONContentType(t, rec)
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("Access-Control-Allow-Origin = %q, want none", got)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	ok := "?node_name=edge-1&node_ip=10.0.0.5"
	tests := []struct {
		name     string
		query    string
		joiner   *fakeJoiner
		wantCode int
		wantMsg  string
		called   bool
	}{
		{"name invalid", ok, &fakeJoiner{err: &join.FieldError{Field: join.FieldName, Reason: join.ReasonInvalid, Value: "Edge_1",
			Detail: "must be an RFC 1123 subdomain, not an IP"}}, 400, "Invalid node name: must be an RFC 1123 subdomain, not an ip", true},
		{"IP invalid", ok, &fakeJoiner{err: &join.FieldError{Field: join.FieldIP, Reason: join.ReasonInvalid, Value: "10.0.0.256"}},
			400, "Invalid node IP: 10.0.0.256", true},
		{"IP invalid with detail", ok, &fakeJoiner{err: &join.FieldError{Field: join.FieldIP, Reason: join.ReasonInvalid, Value: "127.0.0.1",
			Detail: "loopback; see the namespace docs"}}, 400, "Invalid node IP: 127.0.0.1 (loopback; see the Namespace docs)", true},
		{"name in use", ok, &fakeJoiner{err: &join.FieldError{Field: join.FieldName, Reason: join.ReasonInUse, Value: "edge-1"}},
			400, "Node name edge-1 in use", true},
		{"name in use with detail", ok, &fakeJoiner{err: fmt.Errorf("wrapped: %w", &join.FieldError{Field: join.FieldName,
			Reason: join.ReasonInUse, Value: "edge-1", Detail: "reserved for IP 10.0.0.9"})}, 400, "Node name edge-1 in use (reserved for ip 10.0.0.9)", true},
		{"IP in use", ok, &fakeJoiner{err: &join.FieldError{Field: join.FieldIP, Reason: join.ReasonInUse, Value: "10.0.0.5"}},
			400, "Node IP 10.0.0.5 in use", true},
		{"IP in use with detail", ok, &fakeJoiner{err: &join.FieldError{Field: join.FieldIP, Reason: join.ReasonInUse, Value: "10.0.0.5",
			Detail: "node name edge-2"}}, 400, "Node IP 10.0.0.5 in use (node Name edge-2)", true},
		{"unavailable", ok, &fakeJoiner{err: &join.Unavailable{Source: "secret kubeedge/tokensecret",
			Err: errors.New(`secrets "tokensecret" not found in namespace kubeedge`)}}, 503,
			`Service unavailable: secret kubeedge/tokensecret: secrets "tokensecret" not found in Namespace kubeedge`, true},
		{"internal", ok, &fakeJoiner{err: errors.New("boom: bad IP index for name")}, 500, "Internal error: boom: bad ip index for Name", true},
		{"unknown field", ok, &fakeJoiner{err: &join.FieldError{Field: "port", Reason: join.ReasonInvalid, Value: "x", Detail: "y"}},
			500, `Internal error: invalid node Name "x": y`, true},
		{"empty command", ok, &fakeJoiner{}, 500, "Internal error: the join command is empty or not a single line", true},
		{"multi-line command", ok, &fakeJoiner{command: "a\nb"}, 500, "Internal error: the join command is empty or not a single line", true},
		{"panic", ok, &fakeJoiner{panicValue: "secret detail"}, 500, "Internal error: the join command could not be built", true},
		{"panic with error", ok, &fakeJoiner{panicValue: errors.New("nil map")}, 500, "Internal error: the join command could not be built", true},
		{"missing name", "?node_ip=10.0.0.5", &fakeJoiner{command: "x"}, 400, "Invalid node name: node_name is required", false},
		{"empty name", "?node_name=&node_ip=10.0.0.5", &fakeJoiner{command: "x"}, 400, "Invalid node name: node_name is required", false},
		{"repeated name", "?node_name=a&node_name=b&node_ip=10.0.0.5", &fakeJoiner{command: "x"}, 400, "Invalid node name: node_name must be given once", false},
		{"missing IP", "?node_name=edge-1", &fakeJoiner{command: "x"}, 400, "Invalid node IP: (node_ip is required)", false},
		{"repeated IP", "?node_name=edge-1&node_ip=a&node_ip=b", &fakeJoiner{command: "x"}, 400, "Invalid node IP: (node_ip must be given once)", false},
		{"both missing", "", &fakeJoiner{command: "x"}, 400, "Invalid node name: node_name is required", false},
		{"bad taint", ok + "&add_default_taint=yes", &fakeJoiner{command: "x"}, 400, `Invalid add_default_taint "yes": must be true or false`, false},
		{"bad taint mentions name", ok + "&add_default_taint=name", &fakeJoiner{command: "x"}, 400, `Invalid add_default_taint "Name": must be true or false`, false},
		{"empty taint", ok + "&add_default_taint=", &fakeJoiner{command: "x"}, 400, `Invalid add_default_taint "": must be true or false`, false},
		{"repeated taint", ok + "&add_default_taint=true&add_default_taint=false", &fakeJoiner{command: "x"}, 400, "add_default_taint must be given once", false},
		{"repeated version", ok + "&version=v1.23.1&version=v1.22.0", &fakeJoiner{command: "x"}, 400, "version must be given once", false},
		{"repeated runtime", ok + "&runtime=docker&runtime=containerd", &fakeJoiner{command: "x"}, 400, "runtime must be given once", false},
		{"invalid option", ok + "&version=v9", &fakeJoiner{err: &join.InvalidRequest{Err: errors.New(`version: "v9" is not a release; see the namespace`)}},
			400, `Invalid request: version: "v9" is not a release; see the Namespace`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, NewContainer(tt.joiner), http.MethodGet, JoinPath+tt.query, nil)
			if msg := checkFailure(t, rec, tt.wantCode); msg != tt.wantMsg {
				t.Errorf("message\n got %q\nwant %q", msg, tt.wantMsg)
			}
			if called := len(tt.joiner.requests()) > 0; called != tt.called {
				t.Errorf("Joiner called = %v, want %v", called, tt.called)
			}
		})
	}
}

func TestRequestParsing(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  Request
	}{
		{"taint absent", "node_name=edge-1&node_ip=10.0.0.5", Request{NodeName: "edge-1", NodeIP: "10.0.0.5"}},
		{"taint true", "node_name=edge-1&node_ip=10.0.0.5&add_default_taint=true", Request{NodeName: "edge-1", NodeIP: "10.0.0.5", DefaultTaint: boolPtr(true)}},
		{"taint false", "node_name=edge-1&node_ip=10.0.0.5&add_default_taint=false", Request{NodeName: "edge-1", NodeIP: "10.0.0.5", DefaultTaint: boolPtr(false)}},
		{"taint 1", "node_name=edge-1&node_ip=10.0.0.5&add_default_taint=1", Request{NodeName: "edge-1", NodeIP: "10.0.0.5", DefaultTaint: boolPtr(true)}},
		{"taint FALSE", "node_name=edge-1&node_ip=10.0.0.5&add_default_taint=FALSE", Request{NodeName: "edge-1", NodeIP: "10.0.0.5", DefaultTaint: boolPtr(false)}},
		{"values passed verbatim", "node_name=Edge_1&node_ip=%3A%3Affff%3A10.0.0.1", Request{NodeName: "Edge_1", NodeIP: "::ffff:10.0.0.1"}},
		{"unknown params ignored", "node_name=a&node_ip=b&node_group=g&with_mqtt=true", Request{NodeName: "a", NodeIP: "b"}},
		{"console options", "node_name=a&node_ip=b&version=v1.13.1&runtime=docker&image-repository=r.example%2Fke",
			Request{NodeName: "a", NodeIP: "b", Version: "v1.13.1", Runtime: "docker", ImageRepository: "r.example/ke"}},
		{"empty options are absent", "node_name=a&node_ip=b&version=&runtime=", Request{NodeName: "a", NodeIP: "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &fakeJoiner{command: "x"}
			rec := do(t, NewContainer(j), http.MethodGet, JoinPath+"?"+tt.query, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, body %q", rec.Code, rec.Body.String())
			}
			if got := j.requests(); len(got) != 1 || !reflect.DeepEqual(got[0], tt.want) {
				t.Errorf("Joiner got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestUserFromContext(t *testing.T) {
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{"system:authenticated"}}
	tests := []struct {
		name string
		user user.Info
	}{
		{"no user", nil},
		{"alice", alice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &fakeJoiner{command: "x"}
			req := httptest.NewRequest(http.MethodGet, JoinPath+"?node_name=a&node_ip=b", nil)
			if tt.user != nil {
				req = req.WithContext(request.WithUser(req.Context(), tt.user))
			}
			NewContainer(j).ServeHTTP(httptest.NewRecorder(), req)
			if got := j.requests(); len(got) != 1 || got[0].User != tt.user {
				t.Errorf("Joiner got %+v, want user %v", got, tt.user)
			}
		})
	}
}

func TestRouting(t *testing.T) {
	q := "?node_name=a&node_ip=b"
	// redirect stands for any 3xx status: net/http's choice of redirect code varies by release.
	const redirect = 399
	// bare is a container as the generic API server would have it: default error handling and no
	// container-level panic recovery; Dispatch skips the ServeMux path cleaning, as its director does.
	bare := func(j Joiner) http.Handler {
		c := restful.NewContainer()
		Install(c, j)
		return http.HandlerFunc(c.Dispatch)
	}
	plain := func(j Joiner) http.Handler { return NewContainer(j) }
	tests := []struct {
		name      string
		container func(Joiner) http.Handler
		method    string
		target    string
		joiner    *fakeJoiner
		wantCode  int
		wantJSON  bool
		wantAllow string
	}{
		{"GET", plain, http.MethodGet, JoinPath + q, &fakeJoiner{command: "x"}, 200, true, ""},
		{"GET trailing slash", plain, http.MethodGet, JoinPath + "/" + q, &fakeJoiner{command: "x"}, 200, true, ""},
		{"POST", plain, http.MethodPost, JoinPath + q, &fakeJoiner{command: "x"}, 405, true, "GET"},
		{"DELETE trailing slash", plain, http.MethodDelete, JoinPath + "/" + q, &fakeJoiner{command: "x"}, 405, true, "GET"},
		{"unknown path", plain, http.MethodGet, RootPath + "/nodes/joinx" + q, &fakeJoiner{command: "x"}, 404, true, ""},
		{"double slash redirected", plain, http.MethodGet, JoinPath + "//" + q, &fakeJoiner{command: "x"}, redirect, false, ""},
		{"bare GET", bare, http.MethodGet, JoinPath + q, &fakeJoiner{command: "x"}, 200, true, ""},
		{"bare trailing slash", bare, http.MethodGet, JoinPath + "/" + q, &fakeJoiner{command: "x"}, 200, true, ""},
		{"bare double slash not served", bare, http.MethodGet, JoinPath + "//" + q, &fakeJoiner{command: "x"}, 404, true, ""},
		{"bare POST", bare, http.MethodPost, JoinPath + q, &fakeJoiner{command: "x"}, 405, false, "GET"},
		{"bare panic", bare, http.MethodGet, JoinPath + q, &fakeJoiner{panicValue: "boom"}, 500, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, tt.container(tt.joiner), tt.method, tt.target, nil)
			if tt.wantCode == redirect && rec.Code/100 == 3 {
				rec.Code = redirect
			}
			if rec.Code != tt.wantCode {
				t.Fatalf("status = %d, want %d (body %q)", rec.Code, tt.wantCode, rec.Body.String())
			}
			if tt.wantJSON && rec.Code != http.StatusOK {
				checkFailure(t, rec, tt.wantCode)
			}
			if got := rec.Header().Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
			if called, want := len(tt.joiner.requests()) > 0, tt.wantCode == 200 || tt.wantCode == 500; called != want {
				t.Errorf("Joiner called = %v, want %v", called, want)
			}
		})
	}
}

func TestContainerRecoversPanics(t *testing.T) {
	c := NewContainer(&fakeJoiner{command: "x"})
	ws := new(restful.WebService).Path("/boom")
	ws.Route(ws.GET("").To(func(*restful.Request, *restful.Response) { panic("in another route") }))
	c.Add(ws)
	msg := checkFailure(t, do(t, c, http.MethodGet, "/boom", nil), http.StatusInternalServerError)
	if msg != "Internal error" {
		t.Errorf("message = %q", msg)
	}
}
