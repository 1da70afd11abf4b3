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
	"bytes"
	"encoding/json"
	"net/http"
)

// Values of the status field of a response body.
const (
	statusSucceeded = "Succeeded"
	statusFailure   = "Failure"
)

// body is the console's response object: data on success, message on failure, never both.
type body struct {
	Code    int    `json:"code"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	Data    string `json:"data,omitempty"`
}

// writeSuccess answers 200 with the command in data.
func writeSuccess(w http.ResponseWriter, command string) {
	writeBody(w, body{Code: http.StatusOK, Status: statusSucceeded, Data: command})
}

// writeFailure answers code with msg, which the caller has already made safe (see messages.go).
func writeFailure(w http.ResponseWriter, code int, msg string) {
	writeBody(w, body{Code: code, Status: statusFailure, Message: msg})
}

// writeBody writes b as compact JSON and a newline, without HTML escaping so that `&&`, `<` and
// `>` in a command stay literal. The body may carry a join token, so it must not be cached.
func writeBody(w http.ResponseWriter, b body) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Encoding a struct of ints and strings cannot fail.
	_ = enc.Encode(b)

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(b.Code)
	_, _ = w.Write(buf.Bytes())
}
