package legacy

import (
	"context"
	"errors"
	"net/http"
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

func TestPlainHandler(t *testing.T) {
	bearer := http.Header{"Authorization": {"Bearer " + aliceToken}}
	with := func(h http.Header, kv ...string) http.Header {
		out := h.Clone()
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	allow := func() *fakeAuthz { return &fakeAuthz{decision: authorizer.DecisionAllow} }
	q := "?node_name=edge-1&node_ip=10.0.0.5"
	tests := []struct {
		name      string
		mode      AuthMode
		target    string
		header    http.Header
		authz     *fakeAuthz
		wantCode  int
		wantMsg   string // checked when non-empty
		wantUser  string // user the Joiner sees; "" means nil
		wantAuthz bool   // the authorizer was asked
	}{
		{"no token", AuthDelegated, JoinPath + q, nil, allow(), 401, "Unauthorized", "", false},
		{"bad token", AuthDelegated, JoinPath + q, http.Header{"Authorization": {"Bearer nope"}}, allow(), 401, "Unauthorized", "", false},
		{"basic auth", AuthDelegated, JoinPath + q, http.Header{"Authorization": {"Basic YWxpY2U6cHc="}}, allow(), 401, "Unauthorized", "", false},
		{"two authorization headers", AuthDelegated, JoinPath + q, with(bearer, "Authorization", "Bearer x"), allow(), 401, "Unauthorized", "", false},
		{"X-Remote-User cannot authenticate", AuthDelegated, JoinPath + q,
			http.Header{"X-Remote-User": {"admin"}, "X-Remote-Group": {"system:masters"}}, allow(), 401, "Unauthorized", "", false},
		{"X-Remote-User ignored beside a token", AuthDelegated, JoinPath + q, with(bearer, "X-Remote-User", "admin"), allow(), 200, "", "alice", true},
		{"Impersonate-User", AuthDelegated, JoinPath + q, with(bearer, "Impersonate-User", "admin"), allow(), 403,
			`Forbidden: user "alice" may not impersonate on this listener`, "", false},
		{"Impersonate-Group", AuthDelegated, JoinPath + q, with(bearer, "Impersonate-Group", "system:masters"), allow(), 403, "", "", false},
		{"Impersonate-Extra", AuthDelegated, JoinPath + q, with(bearer, "impersonate-extra-scopes", "x"), allow(), 403, "", "", false},
		{"denied", AuthDelegated, JoinPath + q, bearer, &fakeAuthz{decision: authorizer.DecisionNoOpinion, reason: "no RBAC policy matched"}, 403,
			`Forbidden: user "alice" cannot create resource "edgenodes/joincommand" in API group "kubeedge.kubesphere.io": no RBAC policy matched`, "", true},
		{"denied, reason sanitized", AuthDelegated, JoinPath + q, bearer, &fakeAuthz{decision: authorizer.DecisionDeny, reason: "Role in namespace x grants get on IP pools"}, 403,
			`Forbidden: user "alice" cannot create resource "edgenodes/joincommand" in API group "kubeedge.kubesphere.io": Role in Namespace x grants get on ip pools`, "", true},
		{"authorizer error", AuthDelegated, JoinPath + q, bearer, &fakeAuthz{decision: authorizer.DecisionNoOpinion, err: errors.New("SubjectAccessReview failed")}, 500,
			"Internal error: the authorization check failed", "", true},
		{"allowed despite error", AuthDelegated, JoinPath + q, bearer, &fakeAuthz{decision: authorizer.DecisionAllow, err: errors.New("partial")}, 200, "", "alice", true},
		{"allowed", AuthDelegated, JoinPath + q, bearer, allow(), 200, "", "alice", true},
		{"allowed, lower-case scheme", AuthDelegated, JoinPath + q, http.Header{"Authorization": {"bearer " + aliceToken}}, allow(), 200, "", "alice", true},
		{"allowed, trailing slash", AuthDelegated, JoinPath + "/" + q, bearer, allow(), 200, "", "alice", true},
		{"allowed, POST", AuthDelegated, JoinPath + q, bearer, allow(), 405, "Method Not Allowed", "", true},
		{"unknown mode is delegated", "open", JoinPath + q, nil, allow(), 401, "Unauthorized", "", false},
		{"none", AuthNone, JoinPath + q, nil, nil, 200, "", "", false},
		{"none ignores X-Remote-User", AuthNone, JoinPath + q, http.Header{"X-Remote-User": {"admin"}}, nil, 200, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &fakeJoiner{command: "keadm join"}
			var az authorizer.Authorizer
			if tt.authz != nil {
				az = tt.authz.authorizer()
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
			rec := do(t, NewPlainHandler(next, tt.mode, testAuthn(t), az), method, tt.target, tt.header)

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
				if asked := len(tt.authz.seen()) > 0; asked != tt.wantAuthz {
					t.Errorf("authorizer asked = %v, want %v", asked, tt.wantAuthz)
				}
			}
		})
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
