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
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/request/bearertoken"
	"k8s.io/apiserver/pkg/authentication/request/headerrequest"
	"k8s.io/apiserver/pkg/authentication/request/union"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

const aliceToken = "alice-token"

// testAuthn trusts X-Remote-* headers unconditionally (a request-header authenticator without its
// client-certificate check) and the bearer token aliceToken, so that only the plain handler's
// stripping keeps the headers from authenticating.
func testAuthn(t *testing.T) authenticator.Request {
	t.Helper()
	headers, err := headerrequest.New([]string{"X-Remote-User"}, nil, []string{"X-Remote-Group"}, []string{"X-Remote-Extra-"})
	if err != nil {
		t.Fatal(err)
	}
	tokens := bearertoken.New(authenticator.TokenFunc(func(_ context.Context, token string) (*authenticator.Response, bool, error) {
		if token == aliceToken {
			return &authenticator.Response{User: &user.DefaultInfo{Name: "alice", Groups: []string{"system:authenticated"}}}, true, nil
		}
		return nil, false, errors.New("invalid bearer token")
	}))
	return union.New(headers, tokens)
}

// fakeAuthz records the attributes it sees and answers with decision, reason and err.
type fakeAuthz struct {
	decision authorizer.Decision
	reason   string
	err      error

	mu    sync.Mutex
	attrs []authorizer.Attributes
}

// authorizer returns f as an authorizer.Authorizer.
func (f *fakeAuthz) authorizer() authorizer.Authorizer {
	return authorizer.AuthorizerFunc(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.attrs = append(f.attrs, a)
		return f.decision, f.reason, f.err
	})
}

// seen returns the recorded attributes.
func (f *fakeAuthz) seen() []authorizer.Attributes {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]authorizer.Attributes(nil), f.attrs...)
}

// proxyAuthn is the AuthProxyHeaders authenticator trusting 10.0.0.0/24.
func proxyAuthn(t *testing.T) authenticator.Request {
	t.Helper()
	a, err := NewProxyHeaderAuthenticator([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Source addresses of requests in the tests.
const (
	fromProxy    = "10.0.0.7:40000"
	fromElsewere = "10.0.1.7:40000"
)

func TestPlainHandler(t *testing.T) {
	bearer := http.Header{"Authorization": {"Bearer " + aliceToken}}
	with := func(h http.Header, kv ...string) http.Header {
		out := h.Clone()
		if out == nil {
			out = http.Header{}
		}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	remote := func(user string, groups ...string) http.Header {
		h := http.Header{"X-Remote-User": {user}}
		for _, g := range groups {
			h.Add("X-Remote-Group", g)
		}
		return h
	}
	allow := func() *fakeAuthz { return &fakeAuthz{decision: authorizer.DecisionAllow} }
	unauthorized := unauthorizedMessage
	q := "?node_name=edge-1&node_ip=10.0.0.5"
	tests := []struct {
		name       string
		mode       AuthMode
		target     string
		header     http.Header
		from       string // source address; "" is httptest's 192.0.2.1:1234
		authz      *fakeAuthz
		wantCode   int
		wantMsg    string   // checked when non-empty
		wantUser   string   // user the Joiner sees; "" means nil
		wantGroups []string // groups the authorizer sees, checked when not nil
		wantAuthz  bool     // the authorizer was asked
	}{
		{name: "no token", mode: AuthDelegated, target: JoinPath + q, authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthDelegated)},
		{name: "bad token", mode: AuthDelegated, target: JoinPath + q, header: http.Header{"Authorization": {"Bearer nope"}}, authz: allow(),
			wantCode: 401, wantMsg: unauthorized(AuthDelegated)},
		{name: "basic auth", mode: AuthDelegated, target: JoinPath + q, header: http.Header{"Authorization": {"Basic YWxpY2U6cHc="}}, authz: allow(),
			wantCode: 401, wantMsg: unauthorized(AuthDelegated)},
		{name: "two authorization headers", mode: AuthDelegated, target: JoinPath + q, header: with(bearer, "Authorization", "Bearer x"), authz: allow(),
			wantCode: 401, wantMsg: unauthorized(AuthDelegated)},
		{name: "X-Remote-User cannot authenticate", mode: AuthDelegated, target: JoinPath + q, header: remote("admin", "system:masters"),
			authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthDelegated)},
		{name: "X-Remote-User cannot authenticate from the proxy networks either", mode: AuthDelegated, target: JoinPath + q,
			header: remote("admin", "system:masters"), from: fromProxy, authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthDelegated)},
		{name: "X-Remote-User ignored beside a token", mode: AuthDelegated, target: JoinPath + q, header: with(bearer, "X-Remote-User", "admin"),
			authz: allow(), wantCode: 200, wantUser: "alice", wantGroups: []string{"system:authenticated"}, wantAuthz: true},
		{name: "Impersonate-User", mode: AuthDelegated, target: JoinPath + q, header: with(bearer, "Impersonate-User", "admin"), authz: allow(),
			wantCode: 403, wantMsg: `Forbidden: user "alice" may not impersonate on this listener`},
		{name: "Impersonate-Group", mode: AuthDelegated, target: JoinPath + q, header: with(bearer, "Impersonate-Group", "system:masters"),
			authz: allow(), wantCode: 403},
		{name: "Impersonate-Extra", mode: AuthDelegated, target: JoinPath + q, header: with(bearer, "impersonate-extra-scopes", "x"),
			authz: allow(), wantCode: 403},
		{name: "denied", mode: AuthDelegated, target: JoinPath + q, header: bearer,
			authz:    &fakeAuthz{decision: authorizer.DecisionNoOpinion, reason: "no RBAC policy matched"},
			wantCode: 403, wantAuthz: true,
			wantMsg: `Forbidden: user "alice" cannot create resource "edgenodes/joincommand" in API group "kubeedge.kubesphere.io": no RBAC policy matched`},
		{name: "denied, reason sanitized", mode: AuthDelegated, target: JoinPath + q, header: bearer,
			authz:    &fakeAuthz{decision: authorizer.DecisionDeny, reason: "Role in namespace x grants get on IP pools"},
			wantCode: 403, wantAuthz: true,
			wantMsg: `Forbidden: user "alice" cannot create resource "edgenodes/joincommand" in API group "kubeedge.kubesphere.io": Role in Namespace x grants get on ip pools`},
		{name: "authorizer error", mode: AuthDelegated, target: JoinPath + q, header: bearer,
			authz:    &fakeAuthz{decision: authorizer.DecisionNoOpinion, err: errors.New("SubjectAccessReview failed")},
			wantCode: 500, wantMsg: "Internal error: the authorization check failed", wantAuthz: true},
		{name: "allowed despite error", mode: AuthDelegated, target: JoinPath + q, header: bearer,
			authz: &fakeAuthz{decision: authorizer.DecisionAllow, err: errors.New("partial")}, wantCode: 200, wantUser: "alice", wantAuthz: true},
		{name: "allowed", mode: AuthDelegated, target: JoinPath + q, header: bearer, authz: allow(), wantCode: 200, wantUser: "alice", wantAuthz: true},
		{name: "allowed, lower-case scheme", mode: AuthDelegated, target: JoinPath + q, header: http.Header{"Authorization": {"bearer " + aliceToken}},
			authz: allow(), wantCode: 200, wantUser: "alice", wantAuthz: true},
		{name: "allowed, trailing slash", mode: AuthDelegated, target: JoinPath + "/" + q, header: bearer, authz: allow(),
			wantCode: 200, wantUser: "alice", wantAuthz: true},
		{name: "allowed, POST", mode: AuthDelegated, target: JoinPath + q, header: bearer, authz: allow(), wantCode: 405,
			wantMsg: "Method Not Allowed", wantAuthz: true},
		{name: "unknown mode is delegated", mode: "open", target: JoinPath + q, authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthDelegated)},

		// The webhook mode sees exactly what the delegated one sees; only its 401 message differs.
		{name: "webhook: no token", mode: AuthWebhook, target: JoinPath + q, authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthWebhook)},
		{name: "webhook: bad token", mode: AuthWebhook, target: JoinPath + q, header: http.Header{"Authorization": {"Bearer nope"}}, authz: allow(),
			wantCode: 401, wantMsg: unauthorized(AuthWebhook)},
		{name: "webhook: forged X-Remote-User", mode: AuthWebhook, target: JoinPath + q, header: remote("admin", "system:masters"),
			from: fromProxy, authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthWebhook)},
		{name: "webhook: allowed", mode: AuthWebhook, target: JoinPath + q, header: with(bearer, "X-Remote-User", "admin"), authz: allow(),
			wantCode: 200, wantUser: "alice", wantGroups: []string{"system:authenticated"}, wantAuthz: true},
		{name: "webhook: Impersonate-User", mode: AuthWebhook, target: JoinPath + q, header: with(bearer, "Impersonate-User", "admin"),
			authz: allow(), wantCode: 403},

		{name: "proxy headers: from the proxy", mode: AuthProxyHeaders, target: JoinPath + q, header: remote("ks-admin", "workspace-a"),
			from: fromProxy, authz: allow(), wantCode: 200, wantUser: "ks-admin", wantGroups: []string{"workspace-a", "system:authenticated"}, wantAuthz: true},
		{name: "proxy headers: from the proxy, IPv4-mapped", mode: AuthProxyHeaders, target: JoinPath + q, header: remote("ks-admin"),
			from: "[::ffff:10.0.0.7]:40000", authz: allow(), wantCode: 200, wantUser: "ks-admin", wantAuthz: true},
		{name: "proxy headers: the console's token beside them is not used", mode: AuthProxyHeaders, target: JoinPath + q,
			header: with(bearer, "X-Remote-User", "ks-admin"), from: fromProxy, authz: allow(), wantCode: 200, wantUser: "ks-admin", wantAuthz: true},
		{name: "proxy headers: from elsewhere", mode: AuthProxyHeaders, target: JoinPath + q, header: remote("ks-admin", "system:masters"),
			from: fromElsewere, authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthProxyHeaders)},
		{name: "proxy headers: from elsewhere with a token", mode: AuthProxyHeaders, target: JoinPath + q, header: with(bearer, "X-Remote-User", "ks-admin"),
			from: fromElsewere, authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthProxyHeaders)},
		{name: "proxy headers: a token alone", mode: AuthProxyHeaders, target: JoinPath + q, header: bearer, from: fromProxy, authz: allow(),
			wantCode: 401, wantMsg: unauthorized(AuthProxyHeaders)},
		{name: "proxy headers: groups alone", mode: AuthProxyHeaders, target: JoinPath + q, header: http.Header{"X-Remote-Group": {"system:masters"}},
			from: fromProxy, authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthProxyHeaders)},
		{name: "proxy headers: anonymous", mode: AuthProxyHeaders, target: JoinPath + q, header: remote("system:anonymous"), from: fromProxy,
			authz: allow(), wantCode: 401, wantMsg: unauthorized(AuthProxyHeaders)},
		{name: "proxy headers: Impersonate-User", mode: AuthProxyHeaders, target: JoinPath + q, header: with(remote("ks-admin"), "Impersonate-User", "admin"),
			from: fromProxy, authz: allow(), wantCode: 403, wantMsg: `Forbidden: user "ks-admin" may not impersonate on this listener`},
		{name: "proxy headers: denied", mode: AuthProxyHeaders, target: JoinPath + q, header: remote("ks-viewer"), from: fromProxy,
			authz: &fakeAuthz{decision: authorizer.DecisionNoOpinion}, wantCode: 403, wantAuthz: true,
			wantMsg: `Forbidden: user "ks-viewer" cannot create resource "edgenodes/joincommand" in API group "kubeedge.kubesphere.io"`},

		{name: "none", mode: AuthNone, target: JoinPath + q, wantCode: 200},
		{name: "none ignores X-Remote-User", mode: AuthNone, target: JoinPath + q, header: remote("admin"), wantCode: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &fakeJoiner{command: "keadm join"}
			var az authorizer.Authorizer
			if tt.authz != nil {
				az = tt.authz.authorizer()
			}
			authn := testAuthn(t)
			if tt.mode == AuthProxyHeaders {
				authn = proxyAuthn(t)
			}
			var seenHeader http.Header
			container := NewContainer(j)
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seenHeader = r.Header.Clone()
				container.ServeHTTP(w, r)
			})
			method := http.MethodGet
			if strings.HasSuffix(tt.name, "POST") {
				method = http.MethodPost
			}
			rec := doFrom(t, NewPlainHandler(next, tt.mode, authn, az), method, tt.target, tt.header, tt.from)

			if tt.wantCode == http.StatusOK {
				if rec.Code != http.StatusOK {
					t.Fatalf("status = %d, want 200 (body %q)", rec.Code, rec.Body.String())
				}
			} else if msg := checkFailure(t, rec, tt.wantCode); tt.wantMsg != "" && msg != tt.wantMsg {
				t.Errorf("message\n got %q\nwant %q", msg, tt.wantMsg)
			}

			calls := j.requests()
			if tt.wantCode == http.StatusOK {
				if len(calls) != 1 {
					t.Fatalf("Joiner calls = %d, want 1", len(calls))
				}
				if got := calls[0].User; (got == nil) != (tt.wantUser == "") || (got != nil && got.GetName() != tt.wantUser) {
					t.Errorf("Joiner user = %v, want %q", got, tt.wantUser)
				}
			} else if len(calls) != 0 {
				t.Errorf("Joiner called on a %d answer", rec.Code)
			}
			if tt.mode != AuthNone && seenHeader != nil {
				for _, h := range []string{"Authorization", "X-Remote-User", "X-Remote-Group"} {
					if v := seenHeader.Values(h); len(v) != 0 {
						t.Errorf("container saw %s: %q", h, v)
					}
				}
			}
			if tt.authz != nil {
				seen := tt.authz.seen()
				if asked := len(seen) > 0; asked != tt.wantAuthz {
					t.Errorf("authorizer asked = %v, want %v", asked, tt.wantAuthz)
				}
				if tt.wantGroups != nil && len(seen) > 0 && !reflect.DeepEqual(seen[0].GetUser().GetGroups(), tt.wantGroups) {
					t.Errorf("authorizer saw groups %q, want %q", seen[0].GetUser().GetGroups(), tt.wantGroups)
				}
			}
		})
	}
}

// doFrom is do with the request's source address set to from, when not empty.
func doFrom(t testing.TB, h http.Handler, method, target string, header http.Header, from string) *httptest.ResponseRecorder {
	t.Helper()
	if from == "" {
		return do(t, h, method, target, header)
	}
	return do(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.RemoteAddr = from
		h.ServeHTTP(w, r)
	}), method, target, header)
}

// Header trust is off unless the operator chooses it: with the default options a forged
// X-Remote-User authenticates nobody, from any source, even where an authenticator would trust it.
func TestPlainHandlerDefaultOptionsIgnoreRemoteHeaders(t *testing.T) {
	o := NewOptions()
	authn, err := o.Authenticator(testAuthn(t))
	if err != nil {
		t.Fatal(err)
	}
	az := &fakeAuthz{decision: authorizer.DecisionAllow}
	j := &fakeJoiner{command: "x"}
	h := NewPlainHandler(NewContainer(j), o.Auth, authn, az.authorizer())
	for _, from := range []string{"", fromProxy, "127.0.0.1:1234"} {
		rec := doFrom(t, h, http.MethodGet, JoinPath+"?node_name=a&node_ip=10.0.0.5",
			http.Header{"X-Remote-User": {"admin"}, "X-Remote-Group": {"system:masters"}}, from)
		if msg := checkFailure(t, rec, http.StatusUnauthorized); msg != unauthorizedMessage(AuthDelegated) {
			t.Errorf("from %q: message %q", from, msg)
		}
	}
	if len(j.requests()) != 0 || len(az.seen()) != 0 {
		t.Error("a forged X-Remote-User got past authentication")
	}
}

// Every 401 says which flags to look at and stays clear of the console's field words.
func TestUnauthorizedMessages(t *testing.T) {
	seen := map[string]AuthMode{}
	for _, mode := range []AuthMode{AuthDelegated, AuthWebhook, AuthProxyHeaders} {
		msg := unauthorizedMessage(mode)
		if !strings.HasPrefix(msg, "Unauthorized: ") || !strings.Contains(msg, "--legacy-auth="+string(mode)) {
			t.Errorf("%s: %q does not name its mode", mode, msg)
		}
		if strings.Contains(msg, "name") || strings.Contains(msg, "IP") {
			t.Errorf("%s: %q contains a console field word", mode, msg)
		}
		if other, ok := seen[msg]; ok {
			t.Errorf("%s and %s share a message", mode, other)
		}
		seen[msg] = mode
	}
	for _, flag := range []string{"--legacy-token-webhook-config-file", "--legacy-trusted-proxy-cidrs"} {
		found := false
		for msg := range seen {
			found = found || strings.Contains(msg, flag)
		}
		if !found {
			t.Errorf("no message names %s", flag)
		}
	}
}

func TestPlainHandlerAuthorizationAttributes(t *testing.T) {
	tests := []struct {
		name   string
		target string
		want   authorizer.AttributesRecord
	}{
		{"legacy route", JoinPath + "?node_name=edge-1&node_ip=10.0.0.5&add_default_taint=true", authorizer.AttributesRecord{
			Verb: "create", APIGroup: "kubeedge.kubesphere.io", APIVersion: "v1alpha1", Resource: "edgenodes",
			Subresource: "joincommand", Name: "edge-1", ResourceRequest: true, Path: JoinPath}},
		{"trailing slash", JoinPath + "/?node_name=edge-2&node_ip=10.0.0.5", authorizer.AttributesRecord{
			Verb: "create", APIGroup: "kubeedge.kubesphere.io", APIVersion: "v1alpha1", Resource: "edgenodes",
			Subresource: "joincommand", Name: "edge-2", ResourceRequest: true, Path: JoinPath + "/"}},
		{"other path keeps the default parse", "/api/v1/nodes/join", authorizer.AttributesRecord{
			Verb: "get", APIVersion: "v1", Resource: "nodes", Name: "join", ResourceRequest: true, Path: "/api/v1/nodes/join"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			az := &fakeAuthz{decision: authorizer.DecisionAllow}
			h := NewPlainHandler(NewContainer(&fakeJoiner{command: "x"}), AuthDelegated, testAuthn(t), az.authorizer())
			do(t, h, http.MethodGet, tt.target, http.Header{"Authorization": {"Bearer " + aliceToken}})
			seen := az.seen()
			if len(seen) != 1 {
				t.Fatalf("authorizer asked %d times", len(seen))
			}
			a := seen[0]
			got := authorizer.AttributesRecord{
				Verb: a.GetVerb(), APIGroup: a.GetAPIGroup(), APIVersion: a.GetAPIVersion(), Resource: a.GetResource(),
				Subresource: a.GetSubresource(), Name: a.GetName(), Namespace: a.GetNamespace(),
				ResourceRequest: a.IsResourceRequest(), Path: a.GetPath(),
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("attributes\n got %+v\nwant %+v", got, tt.want)
			}
			if u := a.GetUser(); u == nil || u.GetName() != "alice" {
				t.Errorf("user = %v, want alice", u)
			}
		})
	}
}

func TestPlainHandlerWithoutAuthenticator(t *testing.T) {
	j := &fakeJoiner{command: "x"}
	h := NewPlainHandler(NewContainer(j), AuthDelegated, nil, nil)
	rec := do(t, h, http.MethodGet, JoinPath+"?node_name=a&node_ip=b", http.Header{"Authorization": {"Bearer " + aliceToken}})
	checkFailure(t, rec, http.StatusInternalServerError)
	if len(j.requests()) != 0 {
		t.Error("Joiner called without authentication")
	}
}
