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

package cloudcore

// FieldError is a malformed field of a cloudcore document.
type FieldError struct {
	// Source names the document, for example "cloudcore.yaml".
	Source string
	// Field is the dotted path of the offending field, empty for the whole document.
	Field string
	// Err says what is wrong.
	Err error
}

// Error renders "source: field: reason".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Source + ": " + e.Err.Error()
	}
	return e.Source + ": " + e.Field + ": " + e.Err.Error()
}

// Unwrap returns the underlying reason.
func (e *FieldError) Unwrap() error {
	return e.Err
}
