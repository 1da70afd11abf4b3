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

package plugin

import (
	"errors"
	"fmt"
	"net/url"
	"syscall"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

func TestErrorMessageMatchesKubectl(t *testing.T) {
	joinCommand := schema.GroupKind{Group: v1alpha1.GroupName, Kind: "JoinCommand"}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"conflict", apierrors.NewConflict(v1alpha1.Resource("edgenodes"), "b", errors.New(`address 203.0.113.7 is reserved for edge node "a"`)),
			`Error from server (Conflict): Operation cannot be fulfilled on edgenodes.kubeedge.kubesphere.io "b": address 203.0.113.7 is reserved for edge node "a"`},
		{"wrapped forbidden", fmt.Errorf("join: %w", apierrors.NewForbidden(v1alpha1.Resource("edgenodes/joincommand"), "b", errors.New("no"))),
			`Error from server (Forbidden): edgenodes/joincommand.kubeedge.kubesphere.io "b" is forbidden: no`},
		{"unauthorized", apierrors.NewUnauthorized("Unauthorized"), "error: You must be logged in to the server (Unauthorized)"},
		{"no reason", &apierrors.StatusError{ErrStatus: metav1.Status{Message: "teapot"}}, "Error from server: teapot"},
		{"invalid, one cause", apierrors.NewInvalid(joinCommand, "b", field.ErrorList{field.Invalid(field.NewPath("spec", "internalIP"), "x", "bad")}),
			`The JoinCommand.kubeedge.kubesphere.io "b" is invalid: spec.internalIP: Invalid value: "x": bad`},
		{"invalid, two causes", apierrors.NewInvalid(joinCommand, "b", field.ErrorList{
			field.Invalid(field.NewPath("spec", "internalIP"), "x", "bad"), field.Required(field.NewPath("spec", "taints").Index(0).Child("key"), ""),
		}), "The JoinCommand.kubeedge.kubesphere.io \"b\" is invalid: \n* spec.internalIP: Invalid value: \"x\": bad\n* spec.taints[0].key: Required value"},
		{"refused", &url.Error{Op: "Get", URL: "https://127.0.0.1:6443/apis", Err: syscall.ECONNREFUSED},
			"The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?"},
		{"unreachable", &url.Error{Op: "Get", URL: "https://10.0.0.1/apis", Err: errors.New("i/o timeout")}, "Unable to connect to the server: i/o timeout"},
		{"plain", errors.New("boom"), "error: boom"},
		{"prefixed", errors.New("error: boom"), "error: boom"},
	} {
		if got := errorMessage(tc.err); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
