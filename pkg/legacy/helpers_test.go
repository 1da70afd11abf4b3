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
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// fakeJoiner records its requests and answers with command and err, or panics with panicValue.
type fakeJoiner struct {
	command    string
	err        error
	panicValue any

	mu    sync.Mutex
	calls []Request
}

// Join implements Joiner.
func (f *fakeJoiner) Join(_ context.Context, req Request) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, req)
	f.mu.Unlock()
	if f.panicValue != nil {
		panic(f.panicValue)
	}
	return f.command, f.err
}

// requests returns the recorded requests.
func (f *fakeJoiner) requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.calls...)
}

// do serves one request with h and returns the recorded response.
func do(t testing.TB, h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decodeBody decodes a JSON response body into a generic map so that absent keys are visible.
func decodeBody(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", rec.Body.String(), err)
	}
	return m
}

// checkFailure asserts the console's error shape and returns the message.
func checkFailure(t testing.TB, rec *httptest.ResponseRecorder, wantCode int) string {
	t.Helper()
	if rec.Code != wantCode {
		t.Fatalf("status = %d, want %d (body %q)", rec.Code, wantCode, rec.Body.String())
	}
	checkJSONContentType(t, rec)
	m := decodeBody(t, rec)
	if got, want := m["code"], float64(wantCode); got != want {
		t.Errorf("code = %v, want %v", got, want)
	}
	if m["status"] != statusFailure {
		t.Errorf("status = %v, want %q", m["status"], statusFailure)
	}
	if _, ok := m["data"]; ok {
		t.Errorf("error body has a data field: %q", rec.Body.String())
	}
	msg, ok := m["message"].(string)
	if !ok || msg == "" {
		t.Fatalf("error body has no message: %q", rec.Body.String())
	}
	return msg
}

// checkJSONContentType asserts the Content-Type the console needs.
func checkJSONContentType(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
}

// boolPtr returns a pointer to b.
func boolPtr(b bool) *bool { return &b }
