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
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// partNames names the 4 dot-separated parts of a join token in error messages.
var partNames = [4]string{"CA hash", "JWT header", "JWT payload", "JWT signature"}

// Parse checks that token has the join-token format and decodes it, without verifying the signature.
//
// The format is <64 lowercase hex: SHA-256 of the CA certificate DER>.<JWT header>.<JWT payload>.<JWT signature>,
// each JWT part unpadded base64url. The header must name alg HS256, the payload must be a JSON object with a
// numeric exp, and an nbf, when present, must be numeric too. Errors wrap ErrMalformed, say which part is wrong and
// never echo the token.
func Parse(token string) (*Token, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: the token is empty", ErrMalformed)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		return nil, partsError(parts)
	}
	if err := checkCAHash(parts[0]); err != nil {
		return nil, err
	}
	var segs [3][]byte
	for i := range 3 {
		b, err := decodeSegment(parts[i+1], partNames[i+1])
		if err != nil {
			return nil, err
		}
		segs[i] = b
	}
	if err := checkHeader(segs[0]); err != nil {
		return nil, err
	}
	exp, nbf, err := parseClaims(segs[1])
	if err != nil {
		return nil, err
	}
	if len(segs[2]) != signatureLen {
		return nil, fmt.Errorf("%w: the JWT signature is %d bytes, want %d for HMAC-SHA256", ErrMalformed, len(segs[2]), signatureLen)
	}
	return &Token{
		CAHash:       parts[0],
		ExpiresAt:    exp,
		NotBefore:    nbf,
		raw:          token,
		signingInput: parts[1] + "." + parts[2],
		signature:    segs[2],
	}, nil
}

// partsError explains a wrong number of dot-separated parts, recognising a bare JWT.
func partsError(parts []string) error {
	if len(parts) == 3 && len(parts[0]) != caHashLen {
		return fmt.Errorf("%w: the token has 3 dot-separated parts, want 4; it looks like a bare JWT without the "+
			"<CA hash>. prefix", ErrMalformed)
	}
	return fmt.Errorf("%w: the token has %d dot-separated parts, want 4 (<CA hash>.<JWT header>.<payload>.<signature>)",
		ErrMalformed, len(parts))
}

// checkCAHash requires 64 lowercase hex characters, which is how edgecore compares the hash.
func checkCAHash(h string) error {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("%w: the CA hash has %s at byte %d; want lowercase hex", ErrMalformed, describeByte(c), i)
		}
	}
	if len(h) != caHashLen {
		return fmt.Errorf("%w: the CA hash is %d hex characters, want %d (SHA-256 of the CA certificate)", ErrMalformed, len(h), caHashLen)
	}
	return nil
}

// decodeSegment decodes one unpadded base64url JWT part, rejecting every byte outside that alphabet, including
// the newlines and padding the standard decoder would tolerate or need.
func decodeSegment(seg, name string) ([]byte, error) {
	if seg == "" {
		return nil, fmt.Errorf("%w: the %s is empty", ErrMalformed, name)
	}
	for i := 0; i < len(seg); i++ {
		if !isBase64URL(seg[i]) {
			return nil, fmt.Errorf("%w: the %s has %s at byte %d; want unpadded base64url", ErrMalformed, name, describeByte(seg[i]), i)
		}
	}
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, fmt.Errorf("%w: the %s is not valid base64url: %w", ErrMalformed, name, err)
	}
	return b, nil
}

// isBase64URL reports whether c belongs to the base64url alphabet.
func isBase64URL(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
}

// describeByte names a byte for an error message without echoing secret material: printable ASCII is quoted,
// anything else is given in hex.
func describeByte(c byte) string {
	switch {
	case c == ' ':
		return "a space"
	case c == '\n' || c == '\r' || c == '\t':
		return fmt.Sprintf("whitespace %q", c)
	case c >= 0x21 && c < 0x7f:
		return fmt.Sprintf("the character %q", c)
	}
	return fmt.Sprintf("the byte 0x%02x", c)
}

// checkHeader requires a JSON object whose alg is HS256.
func checkHeader(b []byte) error {
	var h map[string]json.RawMessage
	if err := json.Unmarshal(b, &h); err != nil || h == nil {
		return fmt.Errorf("%w: the JWT header is not a JSON object", ErrMalformed)
	}
	raw, ok := h["alg"]
	if !ok {
		return fmt.Errorf("%w: the JWT header has no alg", ErrMalformed)
	}
	var alg string
	if err := json.Unmarshal(raw, &alg); err != nil {
		return fmt.Errorf("%w: the JWT header alg is not a string", ErrMalformed)
	}
	if alg != Algorithm {
		return fmt.Errorf("%w: the JWT alg is %q, want %s", ErrMalformed, truncate(alg, 16), Algorithm)
	}
	return nil
}

// parseClaims reads exp (required) and nbf (optional) as NumericDates from a JSON object.
func parseClaims(b []byte) (exp, nbf time.Time, err error) {
	var c map[string]json.RawMessage
	if err := json.Unmarshal(b, &c); err != nil || c == nil {
		return exp, nbf, fmt.Errorf("%w: the JWT payload is not a JSON object", ErrMalformed)
	}
	raw, ok := c["exp"]
	if !ok {
		return exp, nbf, fmt.Errorf("%w: the JWT payload has no exp claim", ErrMalformed)
	}
	if exp, err = numericDate(raw, "exp"); err != nil {
		return exp, nbf, err
	}
	if raw, ok := c["nbf"]; ok {
		if nbf, err = numericDate(raw, "nbf"); err != nil {
			return exp, nbf, err
		}
	}
	return exp, nbf, nil
}

// numericDate decodes a JWT NumericDate the way golang-jwt does: a JSON number of seconds, fractions truncated.
// Strings and null are rejected, as golang-jwt rejects them.
func numericDate(raw json.RawMessage, claim string) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	var f float64
	if len(raw) == 0 || raw[0] == '"' || raw[0] == 'n' || json.Unmarshal(raw, &f) != nil {
		return time.Time{}, fmt.Errorf("%w: the JWT %s claim is not a number", ErrMalformed, claim)
	}
	if math.IsNaN(f) || f < 0 || f > maxExp {
		return time.Time{}, fmt.Errorf("%w: the JWT %s claim is out of range", ErrMalformed, claim)
	}
	return time.Unix(int64(f), 0), nil
}

// truncate cuts s to n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
