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

package keadm

import (
	"errors"
	"strings"
)

// ErrUnsupported marks a requested setting that the chosen keadm release cannot express.
var ErrUnsupported = errors.New("not supported by this keadm release")

// FieldError is an invalid or inexpressible Input field.
type FieldError struct {
	// Field names the Input field, for example "nodeName" or "labels[app]".
	Field string
	// Err says what is wrong.
	Err error
}

// Error renders the error as "field: reason".
func (e *FieldError) Error() string {
	return e.Field + ": " + e.Err.Error()
}

// Unwrap returns the underlying reason.
func (e *FieldError) Unwrap() error {
	return e.Err
}

// ValidationError collects every FieldError that Build found in an Input.
type ValidationError struct {
	// Fields holds one error per offending field, in Input order.
	Fields []*FieldError
}

// Error renders all field errors on one line, separated by "; ".
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "keadm join: " + strings.Join(parts, "; ")
}

// Unwrap returns the field errors so errors.Is and errors.As see each of them.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f
	}
	return out
}

// fieldErrors accumulates FieldErrors while an Input is validated.
type fieldErrors struct {
	list []*FieldError
}

// add records err against field when err is not nil.
func (f *fieldErrors) add(field string, err error) {
	if err != nil {
		f.list = append(f.list, &FieldError{Field: field, Err: err})
	}
}

// err returns a *ValidationError, or nil when nothing was recorded.
func (f *fieldErrors) err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &ValidationError{Fields: f.list}
}
