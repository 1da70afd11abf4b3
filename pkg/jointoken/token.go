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

package jointoken

import (
	"fmt"
	"time"
)

// Token is a parsed join token. Its String and GoString methods redact it; Value returns the credential.
type Token struct {
	// CAHash is the hex SHA-256 of the cloudcore CA certificate the token was minted for.
	CAHash string
	// ExpiresAt is the exp claim; the token is valid strictly before it.
	ExpiresAt time.Time
	// NotBefore is the nbf claim, zero when absent; cloudcore's tokens carry none.
	NotBefore time.Time

	raw          string
	signingInput string
	signature    []byte
}

// Value returns the token text to hand to keadm join --token.
func (t *Token) Value() string { return t.raw }

// Expired reports whether the token has expired at now (exp is exclusive, as golang-jwt checks it).
func (t *Token) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

// Remaining returns how long the token stays valid after now; negative once expired.
func (t *Token) Remaining(now time.Time) time.Duration { return t.ExpiresAt.Sub(now) }

// String describes the token without revealing it: the first 8 characters of the CA hash and the expiry.
// It has a value receiver so that a Token printed by value is redacted too.
func (t Token) String() string {
	prefix := t.CAHash
	if len(prefix) > 8 {
		prefix = prefix[:8]
	}
	return fmt.Sprintf("join token (CA %s…, expires %s)", prefix, t.ExpiresAt.UTC().Format(time.RFC3339))
}

// GoString redacts the token for %#v as String does.
func (t Token) GoString() string { return t.String() }
