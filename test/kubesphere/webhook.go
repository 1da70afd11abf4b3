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

package kubesphere

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// WebhookPath is where ks-apiserver serves its TokenReview webhook, without authentication
// (its RBAC authorizer excludes /oauth/*).
const WebhookPath = "/oauth/authenticate"

// tokenReview is the TokenReview shape ks-apiserver reads and writes: the request's apiVersion is
// echoed, and the user carries only username and uid.
type tokenReview struct {
	APIVersion string             `json:"apiVersion"`
	Kind       string             `json:"kind"`
	Spec       *tokenReviewSpec   `json:"spec,omitempty"`
	Status     *tokenReviewStatus `json:"status,omitempty"`
}

// tokenReviewSpec is the spec of a tokenReview.
type tokenReviewSpec struct {
	Token string `json:"token"`
}

// tokenReviewStatus is the status of a tokenReview.
type tokenReviewStatus struct {
	Authenticated bool           `json:"authenticated"`
	User          map[string]any `json:"user,omitempty"`
}

// errNoToken is ks-apiserver's answer to a review without a token.
var errNoToken = errors.New("token must not be null")

// serveTokenReview answers a TokenReview as ks-apiserver 3.4 and 4.1 do: 400 with a plain-text
// error for an unreadable review, a missing token or a token it cannot verify (never
// "authenticated": false), and 200 with the user's name and UID otherwise.
func (s *Server) serveTokenReview(w http.ResponseWriter, req *http.Request) {
	s.count(WebhookPath)
	if req.Method != http.MethodPost {
		http.Error(w, "405: Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	var review tokenReview
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<20)).Decode(&review); err != nil {
		badRequest(w, err)
		return
	}
	if review.Spec == nil || review.Spec.Token == "" {
		badRequest(w, errNoToken)
		return
	}
	u, err := s.authenticateToken(review.Spec.Token)
	if err != nil {
		badRequest(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(tokenReview{
		APIVersion: review.APIVersion,
		Kind:       "TokenReview",
		Status:     &tokenReviewStatus{Authenticated: true, User: map[string]any{"username": u.Name, "uid": u.UID}},
	})
}

// badRequest writes err as ks-apiserver's api.HandleBadRequest does: plain text, HTML-escaped.
func badRequest(w http.ResponseWriter, err error) {
	http.Error(w, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(err.Error()), http.StatusBadRequest)
}
