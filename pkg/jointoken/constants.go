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

// Where cloudcore keeps its CA and the current join token.
const (
	// Namespace is the namespace cloudcore runs in and keeps its secrets in.
	Namespace = "kubeedge"
	// TokenSecretName is the secret holding the current join token.
	TokenSecretName = "tokensecret"
	// TokenDataKey is the key of the join token in TokenSecretName.
	TokenDataKey = "tokendata"
	// CASecretName is the secret holding cloudcore's CA certificate and key.
	CASecretName = "casecret"
	// CADataKey is the key of the CA certificate, DER encoded, in CASecretName.
	CADataKey = "cadata"
	// CAKeyDataKey is the key of the CA private key in CASecretName; its raw bytes are the HMAC key of every token.
	CAKeyDataKey = "cakeydata"
)

// The fixed shape of the JWT part of a join token.
const (
	// Algorithm is the only JWT signing algorithm cloudcore uses.
	Algorithm = "HS256"
	// jwtHeader is the JOSE header golang-jwt writes for HS256, byte for byte (map keys sorted).
	jwtHeader = `{"alg":"HS256","typ":"JWT"}`
	// caHashLen is the length of the hex SHA-256 prefix.
	caHashLen = 64
	// signatureLen is the length of an HMAC-SHA256 signature in bytes.
	signatureLen = 32
	// maxExp is the largest exp accepted, 9999-12-31T23:59:59Z, which keeps time arithmetic in range.
	maxExp = 253402300799
)
