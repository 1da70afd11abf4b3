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

import "errors"

// Sentinel errors, matched with errors.Is; the returned errors wrap them with the details.
var (
	// ErrMalformed means the text is not a join token of the form <CA hash>.<JWT header>.<payload>.<signature>.
	ErrMalformed = errors.New("malformed join token")
	// ErrExpired means the token's exp has passed.
	ErrExpired = errors.New("join token expired")
	// ErrNotYetValid means the token carries an nbf claim in the future.
	ErrNotYetValid = errors.New("join token not valid yet")
	// ErrExpiringSoon means the token is valid but expires within the required minimum validity.
	ErrExpiringSoon = errors.New("join token expires soon")
	// ErrSecretMissing means the secret does not exist.
	ErrSecretMissing = errors.New("secret not found")
	// ErrKeyMissing means the secret exists but lacks the key, or the value is empty.
	ErrKeyMissing = errors.New("secret key missing or empty")
	// ErrDoubleEncoded means the secret holds the base64 encoding of a token instead of the token.
	ErrDoubleEncoded = errors.New("join token stored base64-encoded")
	// ErrInvalidCA means the CA certificate or key is missing or unusable.
	ErrInvalidCA = errors.New("invalid cloudcore CA")
	// ErrCAHashMismatch means the token was made for another CA certificate.
	ErrCAHashMismatch = errors.New("join token CA hash mismatch")
	// ErrBadSignature means the HMAC signature does not verify with the CA key.
	ErrBadSignature = errors.New("join token signature invalid")
	// ErrInvalidTTL means a token lifetime is too short.
	ErrInvalidTTL = errors.New("invalid join token TTL")
)
