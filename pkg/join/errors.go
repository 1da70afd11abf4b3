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

package join

import (
	"errors"
	"fmt"
	"strings"
)

// Field names the request field an error is about.
type Field string

// Request fields that a FieldError can point at.
const (
	FieldName Field = "name"
	FieldIP   Field = "IP"
)

// Reason says what is wrong with a field.
type Reason string

// Reasons of a FieldError.
const (
	// ReasonInvalid means the value is malformed or not allowed (syntax, special range, pool, Service CIDR).
	ReasonInvalid Reason = "Invalid"
	// ReasonInUse means another Node, reservation or cloudcore holds the value.
	ReasonInUse Reason = "InUse"
)

// FieldError is a problem with the node name or node IP of a join request.
type FieldError struct {
	// Field is the field at fault.
	Field Field
	// Reason says whether the value is invalid or in use.
	Reason Reason
	// Value is the value as the caller gave it (or as allocated).
	Value string
	// Detail explains the problem; for ReasonInUse it names the holder.
	Detail string
}

// Error renders the problem in one line.
func (e *FieldError) Error() string {
	what := "node name"
	if e.Field == FieldIP {
		what = "node IP"
	}
	if e.Reason == ReasonInUse {
		return fmt.Sprintf("%s %q is in use: %s", what, e.Value, e.Detail)
	}
	return fmt.Sprintf("invalid %s %q: %s", what, e.Value, e.Detail)
}

// Unavailable reports that something the join flow depends on (the cloudcore ConfigMap,
// the token secret, the caches) is missing, malformed or not ready. It is not the caller's fault.
type Unavailable struct {
	// Source names the object or component, for example "secret kubeedge/tokensecret".
	Source string
	// Err is the underlying problem.
	Err error
}

// Error renders the problem in one line.
func (e *Unavailable) Error() string {
	if msg := e.Err.Error(); !strings.Contains(msg, e.Source) {
		return e.Source + ": " + msg
	}
	return e.Err.Error()
}

// InvalidRequest is a request field other than the node name and IP that cannot be used,
// such as an unknown KubeEdge version or a malformed runtime endpoint.
type InvalidRequest struct {
	// Err says which field and why.
	Err error
}

// Error renders the problem in one line.
func (e *InvalidRequest) Error() string { return e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *InvalidRequest) Unwrap() error { return e.Err }

// Unwrap returns the underlying problem.
func (e *Unavailable) Unwrap() error { return e.Err }

// AsFieldError returns err as a *FieldError when it is one.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}
