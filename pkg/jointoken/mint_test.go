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
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestMintGolden pins the exact bytes: HS256 over {"exp":…} with golang-jwt's header, keyed by the raw key bytes.
// The expected token was computed independently with Python's hmac, hashlib and base64 modules.
func TestMintGolden(t *testing.T) {
	const want = "16709f23d5af115fff145ef488e98cb173d85e34e6e5966b1139f46223b9c937." +
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwODY0MDB9.e1b9Mm2dGR4swdYTGL5QRSAqu3jacI4YZd0OUR41h-g"
	got, exp, err := Mint([]byte("test-ca-cert"), []byte("test-ca-key"), 24*time.Hour, time.Unix(1700000000, 500))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Mint =\n%s\nwant\n%s", got, want)
	}
	if exp.Unix() != 1700086400 {
		t.Errorf("exp = %d, want 1700086400", exp.Unix())
	}
}

func TestMint(t *testing.T) {
	tests := []struct {
		name      string
		cert, key []byte
		ttl       time.Duration
		now       time.Time
		wantErr   error
	}{
		{name: "ok", cert: []byte("c"), key: []byte("k"), ttl: time.Hour},
		{name: "no cert", key: []byte("k"), ttl: time.Hour, wantErr: ErrInvalidCA},
		{name: "no key", cert: []byte("c"), ttl: time.Hour, wantErr: ErrInvalidCA},
		{name: "zero ttl", cert: []byte("c"), key: []byte("k"), wantErr: ErrInvalidTTL},
		{name: "sub-second ttl", cert: []byte("c"), key: []byte("k"), ttl: time.Millisecond, wantErr: ErrInvalidTTL},
		{name: "past year 9999", cert: []byte("c"), key: []byte("k"), ttl: 2 * time.Hour, now: time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), wantErr: ErrInvalidTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := testNow
			if !tt.now.IsZero() {
				now = tt.now
			}
			tok, exp, err := Mint(tt.cert, tt.key, tt.ttl, now)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Mint error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !exp.Equal(testNow.Add(tt.ttl)) {
				t.Errorf("exp = %s, want %s", exp, testNow.Add(tt.ttl))
			}
			if _, err := Parse(tok); err != nil {
				t.Errorf("minted token does not parse: %v", err)
			}
		})
	}
}

func TestMintFromSecret(t *testing.T) {
	ca := newTestCA(t)
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert})
	tests := []struct {
		name    string
		secret  *corev1.Secret
		wantErr error
		wantMsg string
	}{
		{name: "ok", secret: secret(CASecretName, map[string][]byte{CADataKey: ca.cert, CAKeyDataKey: ca.key})},
		{name: "nil", secret: nil, wantErr: ErrSecretMissing, wantMsg: "secret kubeedge/casecret: secret not found"},
		{name: "no cadata", secret: secret(CASecretName, map[string][]byte{CAKeyDataKey: ca.key}), wantErr: ErrKeyMissing, wantMsg: "secret kubeedge/casecret has no key cadata (keys present: cakeydata)"},
		{name: "empty cakeydata", secret: secret(CASecretName, map[string][]byte{CADataKey: ca.cert, CAKeyDataKey: {}}), wantErr: ErrKeyMissing, wantMsg: "secret kubeedge/casecret key cakeydata is empty"},
		{name: "PEM cadata", secret: secret(CASecretName, map[string][]byte{CADataKey: pemCert, CAKeyDataKey: ca.key}), wantErr: ErrInvalidCA, wantMsg: "key cadata holds PEM"},
		{name: "garbage cadata", secret: secret(CASecretName, map[string][]byte{CADataKey: []byte("xx"), CAKeyDataKey: ca.key}), wantErr: ErrInvalidCA, wantMsg: "key cadata is not a DER X.509 certificate"},
		{name: "swapped", secret: secret(CASecretName, map[string][]byte{CADataKey: ca.key, CAKeyDataKey: ca.cert}), wantErr: ErrInvalidCA, wantMsg: "cadata and cakeydata look swapped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, exp, err := MintFromSecret(tt.secret, time.Hour, testNow)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("MintFromSecret error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not say %q", err, tt.wantMsg)
				}
				return
			}
			if got, err := Verify(tok, ca.cert, ca.key, testNow); err != nil || !got.Equal(exp) {
				t.Errorf("Verify(minted) = %s, %v; want %s", got, err, exp)
			}
		})
	}
}

func TestClampTTL(t *testing.T) {
	tests := []struct {
		name                string
		requested, max, def time.Duration
		want                time.Duration
	}{
		{name: "unset uses default", requested: 0, max: 24 * time.Hour, def: time.Hour, want: time.Hour},
		{name: "negative uses default", requested: -time.Minute, max: 24 * time.Hour, def: time.Hour, want: time.Hour},
		{name: "within max", requested: 2 * time.Hour, max: 24 * time.Hour, def: time.Hour, want: 2 * time.Hour},
		{name: "capped", requested: 48 * time.Hour, max: 24 * time.Hour, def: time.Hour, want: 24 * time.Hour},
		{name: "default above max is capped", requested: 0, max: time.Hour, def: 2 * time.Hour, want: time.Hour},
		{name: "no max", requested: 100 * time.Hour, max: 0, def: time.Hour, want: 100 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClampTTL(tt.requested, tt.max, tt.def); got != tt.want {
				t.Fatalf("ClampTTL(%s, %s, %s) = %s, want %s", tt.requested, tt.max, tt.def, got, tt.want)
			}
		})
	}
}
