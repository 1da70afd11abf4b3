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
	"crypto/hmac"
	"fmt"
	"time"
)

// Verify checks token as edgecore and cloudcore together check it and returns its expiry: the CA hash must match
// the CA certificate (edgecore, VerifyCAAndGetRealToken), then the HS256 signature must verify with the CA key
// bytes and the token must not be expired or not yet valid at now (cloudcore, token.Verify with golang-jwt v5).
//
// On an expired or not-yet-valid token the expiry is returned with the error. It is stricter than cloudcore in one respect: Parse requires the shape cloudcore mints (alg HS256 and an exp),
// where golang-jwt would also take HS384, HS512 or a token without exp.
func Verify(token string, caCertDER, caKeyDER []byte, now time.Time) (time.Time, error) {
	if len(caCertDER) == 0 || len(caKeyDER) == 0 {
		return time.Time{}, fmt.Errorf("%w: the CA certificate and key are required", ErrInvalidCA)
	}
	tok, err := Parse(token)
	if err != nil {
		return time.Time{}, err
	}
	if tok.CAHash != CAHash(caCertDER) {
		return time.Time{}, fmt.Errorf("%w: the token was minted for another CA certificate (kubeedge/kubeedge#2051)", ErrCAHashMismatch)
	}
	if !hmac.Equal(tok.signature, sign(tok.signingInput, caKeyDER)) {
		return time.Time{}, fmt.Errorf("%w: it does not verify with the CA key", ErrBadSignature)
	}
	if !tok.NotBefore.IsZero() && now.Before(tok.NotBefore) {
		return tok.ExpiresAt, fmt.Errorf("%w: it becomes valid at %s", ErrNotYetValid, stamp(tok.NotBefore))
	}
	if tok.Expired(now) {
		return tok.ExpiresAt, fmt.Errorf("%w at %s", ErrExpired, stamp(tok.ExpiresAt))
	}
	return tok.ExpiresAt, nil
}
