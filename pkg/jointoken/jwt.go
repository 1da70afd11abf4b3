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
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// CAHash returns the hex SHA-256 of a CA certificate's DER bytes, the first part of a join token.
func CAHash(caCertDER []byte) string {
	sum := sha256.Sum256(caCertDER)
	return hex.EncodeToString(sum[:])
}

// segment encodes b as an unpadded base64url JWT part.
func segment(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// sign returns the HMAC-SHA256 of signingInput keyed by key.
func sign(signingInput string, key []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signingInput))
	return mac.Sum(nil)
}
