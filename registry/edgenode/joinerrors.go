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
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/join"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// joinError maps a join flow error to an API status: an invalid name or address is 422 on
// the field at fault, a value in use is 409 naming the holder, a broken or missing KubeEdge
// object is 503 naming it, and a bad request field is 400. A 429 or 5xx from kube-apiserver keeps its
// status (code, reason, retry-after) with the wrapping context in the message.
func joinError(name string, ipPath *field.Path, err error) error {
	var (
		fe          *join.FieldError
		unavailable *join.Unavailable
		invalid     *join.InvalidRequest
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		if fe.Reason == join.ReasonInUse {
			return apierrors.NewConflict(kubeedge.Resource("edgenodes"), name, errors.New(fe.Error()))
		}
		path := field.NewPath("metadata", "name")
		if fe.Field == join.FieldIP {
			path = ipPath
		}
		return apierrors.NewInvalid(kubeedge.Kind("EdgeNode"), name, field.ErrorList{field.Invalid(path, fe.Value, fe.Detail)})
	case errors.As(err, &unavailable):
		return apierrors.NewServiceUnavailable(unavailable.Error())
	case errors.As(err, &invalid):
		return apierrors.NewBadRequest(invalid.Error())
	case errors.Is(err, reservation.ErrContended):
		return apierrors.NewConflict(kubeedge.Resource("edgenodes"), name, err)
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) && (status.Status().Code == http.StatusTooManyRequests || status.Status().Code >= 500) {
		// The server sends only a *StatusError as it is; a wrapped one would go out as a bare 500. Other 4xx
		// come from this server's own requests (its RBAC, say), not the caller's, so they stay a 500.
		st := status.Status()
		st.Message = err.Error()
		return &apierrors.StatusError{ErrStatus: st}
	}
	return apierrors.NewInternalError(err)
}
