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

package edgenode

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"
)

// TestJoinErrorKeepsTheStatusOfWrappedAPIErrors checks what the server sends for a kube-apiserver error the
// reservation store wrapped, as when etcd is down: the same code, reason and retry-after, and a message that says
// which Lease failed. Sent as a wrapped error, each was a bare 500 without a reason.
func TestJoinErrorKeepsTheStatusOfWrappedAPIErrors(t *testing.T) {
	leases := schema.GroupResource{Group: "coordination.k8s.io", Resource: "leases"}
	for _, inner := range []*apierrors.StatusError{
		apierrors.NewServerTimeout(leases, "create", 2),
		apierrors.NewTooManyRequests("the server has received too many requests", 3),
		apierrors.NewInternalError(errors.New("rpc error: code = Unavailable desc = error reading from server: EOF")),
		apierrors.NewServiceUnavailable("etcd is unavailable"),
	} {
		want := inner.Status()
		t.Run(string(want.Reason), func(t *testing.T) {
			err := joinError("edge-1", field.NewPath("spec", "internalIP"), fmt.Errorf("creating lease kubeedge/name.edge-1: %w", inner))
			got := responsewriters.ErrorToAPIStatus(err)
			if got.Code != want.Code || got.Reason != want.Reason || !reflect.DeepEqual(got.Details, want.Details) {
				t.Errorf("sent %d %q %+v, want %d %q %+v", got.Code, got.Reason, got.Details, want.Code, want.Reason, want.Details)
			}
			if wantMsg := "creating lease kubeedge/name.edge-1: " + want.Message; got.Message != wantMsg {
				t.Errorf("message %q, want %q", got.Message, wantMsg)
			}
		})
	}
}

// TestJoinErrorHidesTheServersOwn4xx checks that a 4xx kube-apiserver sent this server, such as 403 when its own
// RBAC is missing, reaches the caller as a 500 naming it, never as the caller's own 403 or 404.
func TestJoinErrorHidesTheServersOwn4xx(t *testing.T) {
	leases := schema.GroupResource{Group: "coordination.k8s.io", Resource: "leases"}
	for _, inner := range []*apierrors.StatusError{
		apierrors.NewForbidden(leases, "name.edge-1", errors.New("RBAC: access denied")),
		apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "kubeedge"),
	} {
		t.Run(string(inner.Status().Reason), func(t *testing.T) {
			err := joinError("edge-1", field.NewPath("spec", "internalIP"), fmt.Errorf("creating lease kubeedge/name.edge-1: %w", inner))
			got := responsewriters.ErrorToAPIStatus(err)
			if got.Code != 500 || !strings.Contains(got.Message, inner.Status().Message) {
				t.Errorf("sent %d %q, want 500 with %q", got.Code, got.Message, inner.Status().Message)
			}
		})
	}
}
