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
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// countingBody is a request body of size bytes that counts what is read from it.
type countingBody struct {
	size int64
	read atomic.Int64
}

// Read implements io.Reader.
func (b *countingBody) Read(p []byte) (int, error) {
	left := b.size - b.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), left))
	clear(p[:n])
	b.read.Add(int64(n))
	return n, nil
}

// The route takes only a query: no handler in front of it, nor the route itself, reads a body, whatever
// its size, the method or the outcome; net/http then discards at most 256 KiB of it and closes the connection.
func TestBodiesAreNeverRead(t *testing.T) {
	const size = 10 << 20
	joiner := &fakeJoiner{command: "keadm join"}
	bearer := http.Header{"Authorization": {"Bearer " + aliceToken}}
	container := NewContainer(joiner)
	handlers := map[string]http.Handler{
		"route":                     container,
		"plain, delegated, allowed": NewPlainHandler(container, AuthDelegated, testAuthn(t), (&fakeAuthz{decision: authorizer.DecisionAllow}).authorizer()),
		"plain, delegated, denied":  NewPlainHandler(container, AuthDelegated, testAuthn(t), (&fakeAuthz{decision: authorizer.DecisionDeny}).authorizer()),
		"plain, none":               NewPlainHandler(container, AuthNone, nil, nil),
	}
	want := map[string]map[string]int{
		http.MethodGet:  {"route": 200, "plain, delegated, allowed": 200, "plain, delegated, denied": 403, "plain, none": 200},
		http.MethodPost: {"route": 405, "plain, delegated, allowed": 405, "plain, delegated, denied": 403, "plain, none": 405},
	}
	for method, codes := range want {
		for name, h := range handlers {
			for _, ctype := range []string{"", "application/json", "application/octet-stream"} {
				header := bearer.Clone()
				if ctype != "" {
					header.Set("Content-Type", ctype)
				}
				body := &countingBody{size: size}
				req := httptest.NewRequest(method, JoinPath+"?node_name=edge-1&node_ip=10.0.0.5", io.NopCloser(body))
				req.ContentLength = size
				req.Header = header
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != codes[name] {
					t.Errorf("%s %s (%v): %d, want %d (%s)", method, name, header, rec.Code, codes[name], rec.Body)
				}
				if n := body.read.Load(); n != 0 {
					t.Errorf("%s %s (%v): read %d bytes of the body", method, name, header, n)
				}
			}
		}
	}
	// Without a token the plain listener refuses before anything else.
	body := &countingBody{size: size}
	req := httptest.NewRequest(http.MethodGet, JoinPath+"?node_name=edge-1&node_ip=10.0.0.5", io.NopCloser(body))
	rec := httptest.NewRecorder()
	handlers["plain, delegated, allowed"].ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || body.read.Load() != 0 {
		t.Errorf("no token: %d, read %d bytes", rec.Code, body.read.Load())
	}
}
