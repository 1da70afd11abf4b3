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

package apiserver

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/apiserver/pkg/server/healthz"

	"github.com/edgewatcher/edgewatcher/pkg/join"
)

// brokenToken is a dependency result with the token secret deleted.
func brokenToken() []join.Dependency {
	return []join.Dependency{
		{Name: join.DependencyCloudCoreConfig, Object: "ConfigMap kubeedge/cloudcore", ResourceVersion: "3"},
		{Name: join.DependencyTokenSecret, Object: "Secret kubeedge/tokensecret", Err: errors.New("secret kubeedge/tokensecret: secret not found")},
		{Name: join.DependencyConsoleConfig, Object: "ConfigMap kubeedge/edge-watcher-config"},
	}
}

// TestJoinHealthPath checks /joinz (reasons withheld, as /readyz does) and /joinz/<dependency> (with the reason).
func TestJoinHealthPath(t *testing.T) {
	monitor := join.NewDependencyMonitor(brokenToken, func() bool { return true })
	mux := http.NewServeMux()
	healthz.InstallPathHandler(mux, JoinHealthPath, joinChecks(&join.Service{}, monitor)...)
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	for _, tc := range []struct {
		path string
		code int
		body string
	}{
		{"/joinz", 500, "[+]cloudcore-config ok\n[-]token-secret failed: reason withheld\n[+]console-config ok\njoinz check failed\n"},
		{"/joinz?exclude=token-secret", 200, "ok"},
		{"/joinz/cloudcore-config", 200, "ok"},
		{"/joinz/token-secret", 500, "internal server error: secret kubeedge/tokensecret: secret not found\n"},
	} {
		if code, body := get(tc.path); code != tc.code || body != tc.body {
			t.Errorf("GET %s = %d %q, want %d %q", tc.path, code, body, tc.code, tc.body)
		}
	}
	unsynced := join.NewDependencyMonitor(brokenToken, func() bool { return false })
	mux = http.NewServeMux()
	healthz.InstallPathHandler(mux, JoinHealthPath, joinChecks(&join.Service{}, unsynced)...)
	if code, body := get("/joinz/cloudcore-config"); code != 500 || !strings.Contains(body, "caches are still loading") {
		t.Errorf("before sync: %d %q", code, body)
	}
}
