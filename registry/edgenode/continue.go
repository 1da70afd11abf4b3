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
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// continueVersion is the token version kube-apiserver writes; tokens carry the same fields as its own.
const continueVersion = "meta.k8s.io/v1"

// continueToken is the decoded continue parameter of a paged list: base64url (unpadded) JSON, as
// kube-apiserver encodes it, plus the position of Start, which only feeds remainingItemCount.
type continueToken struct {
	APIVersion string `json:"v"`
	// ResourceVersion is the snapshot the list started at; -1 continues at the current state (inconsistently).
	ResourceVersion int64 `json:"rv"`
	// Start is the first name the next page may hold.
	Start string `json:"start"`
	// Offset is how many EdgeNodes of the snapshot sort before Start.
	Offset int `json:"n,omitempty"`
}

// encodeContinue returns the continue parameter for tok.
func encodeContinue(tok continueToken) string {
	tok.APIVersion = continueVersion
	out, err := json.Marshal(tok)
	if err != nil {
		// A struct of a string, ints and a string always marshals.
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// decodeContinue parses and validates a continue parameter; a malformed one is a 400, with
// kube-apiserver's wording.
func decodeContinue(value string) (continueToken, error) {
	var tok continueToken
	data, err := base64.RawURLEncoding.DecodeString(value)
	if err == nil {
		err = json.Unmarshal(data, &tok)
	}
	switch {
	case err != nil:
		return tok, invalidContinue(err.Error())
	case tok.APIVersion != continueVersion:
		return tok, invalidContinue(fmt.Sprintf("server does not recognize this encoded version %q", tok.APIVersion))
	case tok.ResourceVersion == 0 || tok.ResourceVersion < -1:
		return tok, invalidContinue("incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
	case tok.Start == "":
		return tok, invalidContinue("encoded start key empty (version meta.k8s.io/v1)")
	case strings.Contains(tok.Start, "/"):
		return tok, invalidContinue(fmt.Sprintf("start key %q is not an object name", tok.Start))
	case tok.Offset < 0:
		return tok, invalidContinue("negative position")
	}
	return tok, nil
}

func invalidContinue(reason string) error {
	return apierrors.NewBadRequest("invalid continue token: continue key is not valid: " + reason)
}

// Messages of kube-apiserver's storage (k8s.io/apiserver/pkg/storage/etcd3/errors.go) for lists that
// can no longer be served at their resource version.
const (
	listExpired                 = "The resourceVersion for the provided list is too old."
	inconsistentContinueMessage = "The provided continue parameter is too old " +
		"to display a consistent list result. You can start a new list without " +
		"the continue parameter, or use the continue token in this response to " +
		"retrieve the remainder of the results. Continuing with the provided " +
		"token results in an inconsistent list - objects that were created, " +
		"modified, or deleted between the time the first chunk was returned " +
		"and now may show up in the list."
)

// continueExpired is the 410 for a token whose snapshot is gone. Like kube-apiserver's, it carries a token
// (resource version -1) that continues from the same name at the current state.
func continueExpired(tok continueToken) error {
	err := apierrors.NewResourceExpired(inconsistentContinueMessage)
	err.ErrStatus.Continue = encodeContinue(continueToken{ResourceVersion: -1, Start: tok.Start})
	return err
}
