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
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"
	"k8s.io/klog/v2"
)

// StatusReasonRequestURITooLong is the reason of a 414 answer, named like metav1.StatusReasonRequestEntityTooLarge.
const StatusReasonRequestURITooLong metav1.StatusReason = "RequestURITooLong"

// WithRequestURILimit answers 414 with a Status to a request whose URI (path and query) is longer than limit
// bytes, before any other filter runs; a limit of zero or less disables the check.
func WithRequestURILimit(handler http.Handler, limit int) http.Handler {
	if limit <= 0 {
		return handler
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := len(req.RequestURI)
		if n == 0 { // a request built in-process rather than read from the wire
			n = len(req.URL.RequestURI())
		}
		if n <= limit {
			handler.ServeHTTP(w, req)
			return
		}
		// The URI itself is not logged: it is what is too long.
		klog.V(2).InfoS("Refused a request URI over the limit", "method", req.Method, "bytes", n, "limit", limit)
		responsewriters.ErrorNegotiated(requestURITooLong(n, limit), Codecs, schema.GroupVersion{}, w, req)
	})
}

// requestURITooLong is the 414 error, worded like the generic server's 413.
func requestURITooLong(n, limit int) *apierrors.StatusError {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status:  metav1.StatusFailure,
		Code:    http.StatusRequestURITooLong,
		Reason:  StatusReasonRequestURITooLong,
		Message: fmt.Sprintf("Request URI too long: %d bytes, limit is %d; send a shorter query", n, limit),
	}}
}
