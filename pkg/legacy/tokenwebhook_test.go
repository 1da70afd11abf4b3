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
	"net/http"
	"reflect"
	"testing"
	"time"

	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/edgewatcher/edgewatcher/test/kubesphere"
)

// startKubeSphere starts a ks-apiserver stand-in that knows ks-admin.
func startKubeSphere(t *testing.T) *kubesphere.Server {
	t.Helper()
	ks, err := kubesphere.Start(kubesphere.Options{Users: []kubesphere.User{{Name: "ks-admin", UID: "uid-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ks.Close() })
	return ks
}

// webhookHandler is the plain handler in AuthWebhook mode against ks, allowing everyone.
func webhookHandler(t *testing.T, ks *kubesphere.Server, version string, ttl time.Duration) (http.Handler, *fakeJoiner, *fakeAuthz) {
	t.Helper()
	o := NewOptions()
	o.Auth, o.TokenWebhookConfigFile, o.TokenWebhookVersion, o.TokenWebhookCacheTTL = AuthWebhook, webhookConfig(t, ks.WebhookURL()), version, ttl
	if errs := o.Validate(); len(errs) != 0 {
		t.Fatal(errs)
	}
	authn, err := o.Authenticator(nil)
	if err != nil {
		t.Fatal(err)
	}
	j, az := &fakeJoiner{command: "keadm join"}, &fakeAuthz{decision: authorizer.DecisionAllow}
	return NewPlainHandler(NewContainer(j), o.Auth, authn, az.authorizer()), j, az
}

const webhookQuery = JoinPath + "?node_name=edge-1&node_ip=10.0.0.5"

func bearerHeader(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// A token only KubeSphere knows authenticates through its webhook, for both TokenReview versions.
func TestTokenWebhookAuthenticatesKubeSphereTokens(t *testing.T) {
	ks := startKubeSphere(t)
	for _, version := range []string{"v1", "v1beta1"} {
		t.Run(version, func(t *testing.T) {
			h, j, az := webhookHandler(t, ks, version, time.Minute)
			rec := do(t, h, http.MethodGet, webhookQuery, bearerHeader(ks.Token("ks-admin")))
			if rec.Code != http.StatusOK || len(j.requests()) != 1 || j.requests()[0].User.GetName() != "ks-admin" {
				t.Fatalf("%d %s, joiner %v", rec.Code, rec.Body.String(), j.requests())
			}
			u := az.seen()[0].GetUser()
			if u.GetName() != "ks-admin" || u.GetUID() != "uid-1" || !reflect.DeepEqual(u.GetGroups(), []string{"system:authenticated"}) {
				t.Errorf("authorizer saw %q %q %q", u.GetName(), u.GetUID(), u.GetGroups())
			}
		})
	}
}

// Unknown, expired, malformed and foreign tokens get one and the same answer.
func TestTokenWebhookRefusesWithOneMessage(t *testing.T) {
	ks := startKubeSphere(t)
	other, err := kubesphere.NewIssuer()
	if err != nil {
		t.Fatal(err)
	}
	h, j, az := webhookHandler(t, ks, "v1", time.Minute)
	for name, header := range map[string]http.Header{
		"unknown user":   bearerHeader(ks.Token("nobody")),
		"expired":        bearerHeader(ks.Issuer.Issue("ks-admin", -time.Second)),
		"expired by 1s":  bearerHeader(ks.Issuer.Issue("ks-admin", -time.Millisecond)),
		"tampered":       bearerHeader(ks.Token("ks-admin") + "A"),
		"malformed":      bearerHeader("not-a-jwt"),
		"foreign issuer": bearerHeader(other.Issue("ks-admin", time.Hour)),
		"no token":       nil,
		"forged headers": {"X-Remote-User": {"ks-admin"}, "X-Remote-Group": {"system:masters"}},
	} {
		rec := do(t, h, http.MethodGet, webhookQuery, header)
		if msg := checkFailure(t, rec, http.StatusUnauthorized); msg != unauthorizedMessage(AuthWebhook) {
			t.Errorf("%s: %q", name, msg)
		}
	}
	if len(j.requests()) != 0 || len(az.seen()) != 0 {
		t.Error("a refused token reached the authorizer or the Joiner")
	}
}

// The cache answers a repeated token without asking the webhook; TTL 0 asks every time.
func TestTokenWebhookCache(t *testing.T) {
	for _, tt := range []struct {
		ttl       time.Duration
		wantCalls int
	}{{time.Minute, 1}, {0, 3}} {
		ks := startKubeSphere(t)
		h, _, _ := webhookHandler(t, ks, "v1", tt.ttl)
		token := ks.Token("ks-admin")
		for range 3 {
			if rec := do(t, h, http.MethodGet, webhookQuery, bearerHeader(token)); rec.Code != http.StatusOK {
				t.Fatalf("ttl %s: %d %s", tt.ttl, rec.Code, rec.Body.String())
			}
		}
		if got := ks.Calls(kubesphere.WebhookPath); got != tt.wantCalls {
			t.Errorf("ttl %s: webhook asked %d times, want %d", tt.ttl, got, tt.wantCalls)
		}
	}
}

// A webhook that cannot be reached refuses, promptly and in the same words.
func TestTokenWebhookUnreachable(t *testing.T) {
	ks := startKubeSphere(t)
	token := ks.Token("ks-admin")
	h, _, _ := webhookHandler(t, ks, "v1", time.Minute)
	_ = ks.Close()
	start := time.Now()
	rec := do(t, h, http.MethodGet, webhookQuery, bearerHeader(token))
	if msg := checkFailure(t, rec, http.StatusUnauthorized); msg != unauthorizedMessage(AuthWebhook) {
		t.Errorf("message %q", msg)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
}
