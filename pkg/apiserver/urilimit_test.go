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
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestWithRequestURILimit(t *testing.T) {
	const limit = 100
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	// target returns a URI of exactly n bytes.
	target := func(n int) string {
		prefix := "/apis/x?q="
		return prefix + strings.Repeat("a", n-len(prefix))
	}
	for _, tc := range []struct {
		name    string
		limit   int
		uri     string
		inWire  bool
		want    int
		message string
	}{
		{name: "at the limit", limit: limit, uri: target(limit), inWire: true, want: http.StatusTeapot},
		{name: "one byte over", limit: limit, uri: target(limit + 1), inWire: true, want: http.StatusRequestURITooLong,
			message: "Request URI too long: 101 bytes, limit is 100; send a shorter query"},
		{name: "over, built in-process", limit: limit, uri: target(limit + 1), want: http.StatusRequestURITooLong,
			message: "Request URI too long: 101 bytes, limit is 100; send a shorter query"},
		{name: "the path counts too", limit: limit, uri: "/" + strings.Repeat("p", limit), inWire: true, want: http.StatusRequestURITooLong,
			message: "Request URI too long: 101 bytes, limit is 100; send a shorter query"},
		{name: "no limit", limit: 0, uri: target(10 * limit), inWire: true, want: http.StatusTeapot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.uri, nil)
			if !tc.inWire {
				req.RequestURI = ""
			}
			rec := httptest.NewRecorder()
			WithRequestURILimit(next, tc.limit).ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status = %d, want %d (%s)", rec.Code, tc.want, rec.Body)
			}
			if tc.message == "" {
				return
			}
			var st metav1.Status
			if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || st.Kind != "Status" {
				t.Fatalf("body is not a Status: %s", rec.Body)
			}
			if st.Code != http.StatusRequestURITooLong || st.Reason != StatusReasonRequestURITooLong || st.Message != tc.message {
				t.Errorf("Status = %d %q %q", st.Code, st.Reason, st.Message)
			}
		})
	}
}
