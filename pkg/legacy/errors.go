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
	"errors"
	"net/http"

	"github.com/edgewatcher/edgewatcher/pkg/join"
)

// failure is an error response: an HTTP status and a message already safe for the console.
type failure struct {
	code    int
	message string
}

// failureFor maps an error from the Joiner to the console's response.
func failureFor(err error) failure {
	if fe, ok := join.AsFieldError(err); ok {
		if msg, ok := fieldMessage(fe); ok {
			return failure{code: http.StatusBadRequest, message: msg}
		}
		return internalFailure(err)
	}
	var ir *join.InvalidRequest
	if errors.As(err, &ir) {
		return failure{code: http.StatusBadRequest, message: neutralMessage("Invalid request: " + ir.Error())}
	}
	var ua *join.Unavailable
	if errors.As(err, &ua) {
		return failure{
			code:    http.StatusServiceUnavailable,
			message: neutralMessage("Service unavailable: " + ua.Error()),
		}
	}
	return internalFailure(err)
}

// fieldMessage renders fe in the console's format; ok is false for an unknown field or reason.
func fieldMessage(fe *join.FieldError) (msg string, ok bool) {
	switch {
	case fe.Field == join.FieldName && fe.Reason == join.ReasonInvalid:
		return invalidNameMessage(fe.Value, fe.Detail), true
	case fe.Field == join.FieldIP && fe.Reason == join.ReasonInvalid:
		return invalidIPMessage(fe.Value, fe.Detail), true
	case fe.Field == join.FieldName && fe.Reason == join.ReasonInUse:
		return nameInUseMessage(fe.Value, fe.Detail), true
	case fe.Field == join.FieldIP && fe.Reason == join.ReasonInUse:
		return ipInUseMessage(fe.Value, fe.Detail), true
	}
	return "", false
}

// internalFailure is the 500 answer for an error the console cannot act on.
func internalFailure(err error) failure {
	return failure{code: http.StatusInternalServerError, message: neutralMessage("Internal error: " + err.Error())}
}

// errJoinerPanicked stands in for a panic in the Joiner; the panic value is logged, never sent.
var errJoinerPanicked = errors.New("the join command could not be built")
