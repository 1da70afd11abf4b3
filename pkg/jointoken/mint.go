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
	"crypto/x509"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Mint creates a join token exactly as cloudcore does: HS256 over {"exp":<unix seconds>} keyed by the raw CA key
// bytes, prefixed by the hex SHA-256 of the CA certificate DER. The JWT is byte-for-byte what golang-jwt v5 produces
// for jwt.RegisteredClaims{ExpiresAt: …}. It returns the token and its expiry, now+ttl truncated to the second.
func Mint(caCertDER, caKeyDER []byte, ttl time.Duration, now time.Time) (string, time.Time, error) {
	if len(caCertDER) == 0 {
		return "", time.Time{}, fmt.Errorf("%w: the CA certificate is empty", ErrInvalidCA)
	}
	if len(caKeyDER) == 0 {
		return "", time.Time{}, fmt.Errorf("%w: the CA key is empty", ErrInvalidCA)
	}
	if ttl < time.Second {
		return "", time.Time{}, fmt.Errorf("%w: %s is shorter than one second", ErrInvalidTTL, ttl)
	}
	exp := now.Add(ttl).Unix()
	if exp > maxExp {
		return "", time.Time{}, fmt.Errorf("%w: the expiry is past year 9999", ErrInvalidTTL)
	}
	signingInput := segment([]byte(jwtHeader)) + "." + segment([]byte(`{"exp":`+strconv.FormatInt(exp, 10)+`}`))
	token := CAHash(caCertDER) + "." + signingInput + "." + segment(sign(signingInput, caKeyDER))
	return token, time.Unix(exp, 0), nil
}

// MintFromSecret mints a token with the CA cloudcore keeps in secret kubeedge/casecret: the certificate DER under
// cadata and the key under cakeydata. Errors name the secret and key: a missing secret or key, a certificate stored
// as PEM or not parseable, or the two keys swapped.
func MintFromSecret(caSecret *corev1.Secret, ttl time.Duration, now time.Time) (string, time.Time, error) {
	where := secretRef(caSecret, CASecretName)
	if caSecret == nil {
		return "", time.Time{}, fmt.Errorf("secret %s: %w; cloudcore creates it on first start", where, ErrSecretMissing)
	}
	cert, err := secretValue(caSecret, where, CADataKey)
	if err != nil {
		return "", time.Time{}, err
	}
	key, err := secretValue(caSecret, where, CAKeyDataKey)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := checkCACert(cert, key, where); err != nil {
		return "", time.Time{}, err
	}
	token, exp, err := Mint(cert, key, ttl, now)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("secret %s: %w", where, err)
	}
	return token, exp, nil
}

// checkCACert makes sure cadata is the DER certificate edgecore will hash, since a wrong one yields tokens that
// fail with a CA hash mismatch only on the edge.
func checkCACert(cert, key []byte, where string) error {
	if bytes.HasPrefix(bytes.TrimSpace(cert), []byte("-----BEGIN")) {
		return fmt.Errorf("%w: secret %s key %s holds PEM; cloudcore stores the CA certificate as DER, and edgecore "+
			"hashes the DER it downloads, so a token made from PEM would never match", ErrInvalidCA, where, CADataKey)
	}
	if _, err := x509.ParseCertificate(cert); err != nil {
		if _, keyIsCert := x509.ParseCertificate(key); keyIsCert == nil {
			return fmt.Errorf("%w: secret %s keys %s and %s look swapped: %s holds a certificate", ErrInvalidCA, where, CADataKey, CAKeyDataKey, CAKeyDataKey)
		}
		return fmt.Errorf("%w: secret %s key %s is not a DER X.509 certificate: %w", ErrInvalidCA, where, CADataKey, err)
	}
	return nil
}

// ClampTTL returns the lifetime to mint with: defaultTTL when requested is zero or negative (not specified),
// capped at maxTTL when maxTTL is positive.
func ClampTTL(requested, maxTTL, defaultTTL time.Duration) time.Duration {
	ttl := requested
	if ttl <= 0 {
		ttl = defaultTTL
	}
	if maxTTL > 0 && ttl > maxTTL {
		ttl = maxTTL
	}
	return ttl
}
