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
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Issuer signs and verifies KubeSphere-style access tokens with an HMAC secret, as ks-apiserver
// does with its jwtSecret.
type Issuer struct {
	secret []byte
	// now is the clock; tests of expiry may replace it.
	now func() time.Time
}

// NewIssuer returns an Issuer with a random secret.
func NewIssuer() (*Issuer, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("token secret: %w", err)
	}
	return &Issuer{secret: secret, now: time.Now}, nil
}

// claims are the claims of a KubeSphere access token.
type claims struct {
	Username  string `json:"username"`
	TokenType string `json:"token_type"`
	IssuedAt  int64  `json:"iat"`
	ExpiresAt int64  `json:"exp,omitempty"`
	Issuer    string `json:"iss"`
	Subject   string `json:"sub"`
}

// issuerName is the iss claim; ks-apiserver's default issuer name.
const issuerName = "kubesphere"

// jwtHeader is the encoded header of every token: {"alg":"HS256","typ":"JWT"}.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// Issue returns an access token for username that expires after ttl; a negative ttl gives a token
// that has already expired.
func (i *Issuer) Issue(username string, ttl time.Duration) string {
	now := i.now()
	c := claims{Username: username, TokenType: "access_token", IssuedAt: now.Unix(),
		ExpiresAt: now.Add(ttl).Unix(), Issuer: issuerName, Subject: username}
	// Encoding a struct of strings and ints cannot fail.
	payload, _ := json.Marshal(c)
	signed := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return signed + "." + i.sign(signed)
}

// sign returns the encoded HS256 signature of signed.
func (i *Issuer) sign(signed string) string {
	mac := hmac.New(sha256.New, i.secret)
	mac.Write([]byte(signed))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Errors of Verify.
var (
	errMalformed = errors.New("token contains an invalid number of segments or bad encoding")
	errSignature = errors.New("signature is invalid")
	errExpired   = errors.New("token is expired")
)

// Verify returns the user name of a token this Issuer signed and that has not expired.
func (i *Issuer) Verify(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return "", errMalformed
	}
	want := i.sign(parts[0] + "." + parts[1])
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return "", errSignature
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errMalformed
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil || c.Username == "" {
		return "", errMalformed
	}
	if c.ExpiresAt != 0 && !i.now().Before(time.Unix(c.ExpiresAt, 0)) {
		return "", errExpired
	}
	return c.Username, nil
}
