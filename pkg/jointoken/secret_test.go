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
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func TestFromSecret(t *testing.T) {
	ca := newTestCA(t)
	fresh, _, err := Mint(ca.cert, ca.key, 24*time.Hour, testNow.Add(-time.Hour)) // 23h left
	if err != nil {
		t.Fatal(err)
	}
	expired, _, err := Mint(ca.cert, ca.key, time.Hour, testNow.Add(-25*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	soon, _, err := Mint(ca.cert, ca.key, 5*time.Minute, testNow)
	if err != nil {
		t.Fatal(err)
	}
	future := craft(ca.cert, ca.key, `{"alg":"HS256"}`, `{"exp":1900000000,"nbf":1800000000}`)
	data := func(v string) map[string][]byte { return map[string][]byte{TokenDataKey: []byte(v)} }

	tests := []struct {
		name     string
		secret   *corev1.Secret
		opts     []Option
		wantErr  error
		wantMsg  []string
		wantTok  bool
		wantLeft time.Duration
	}{
		{name: "fresh", secret: secret(TokenSecretName, data(fresh)), wantTok: true, wantLeft: 23 * time.Hour},
		{name: "trailing newline trimmed", secret: secret(TokenSecretName, data(fresh+"\n")), wantTok: true},
		{name: "CRLF and spaces trimmed", secret: secret(TokenSecretName, data("  "+fresh+"\r\n")), wantTok: true},
		{
			name:    "stringData of an object built in memory",
			secret:  &corev1.Secret{StringData: map[string]string{TokenDataKey: fresh}},
			wantTok: true,
		},
		{
			name:    "nil secret",
			secret:  nil,
			wantErr: ErrSecretMissing,
			wantMsg: []string{"secret kubeedge/tokensecret", "cloudcore creates it"},
		},
		{
			name:    "missing key lists the others",
			secret:  secret(TokenSecretName, map[string][]byte{"token": []byte(fresh), "ca": nil}),
			wantErr: ErrKeyMissing,
			wantMsg: []string{"secret kubeedge/tokensecret has no key tokendata (keys present: ca, token)"},
		},
		{
			name:    "no data",
			secret:  secret(TokenSecretName, nil),
			wantErr: ErrKeyMissing,
			wantMsg: []string{"no key tokendata (keys present: none)"},
		},
		{
			name:    "empty value",
			secret:  secret(TokenSecretName, data(" \n")),
			wantErr: ErrKeyMissing,
			wantMsg: []string{"secret kubeedge/tokensecret key tokendata is empty"},
		},
		{
			name:    "malformed",
			secret:  secret(TokenSecretName, data("not-a-token")),
			wantErr: ErrMalformed,
			wantMsg: []string{"secret kubeedge/tokensecret key tokendata: malformed join token", "1 dot-separated parts"},
		},
		{
			name:    "base64 of the token (kubeedge#1733)",
			secret:  secret(TokenSecretName, data(base64.StdEncoding.EncodeToString([]byte(fresh)))),
			wantErr: ErrDoubleEncoded,
			wantMsg: []string{"key tokendata holds the base64 encoding of a join token", "#1733"},
		},
		{
			name:    "base64 of the token with newline, unpadded",
			secret:  secret(TokenSecretName, data(base64.RawStdEncoding.EncodeToString([]byte(fresh+"\n"))+"\n")),
			wantErr: ErrDoubleEncoded,
		},
		{
			name:    "quoted",
			secret:  secret(TokenSecretName, data(`"`+fresh+`"`)),
			wantErr: ErrMalformed,
			wantMsg: []string{"wrapped in quotes"},
		},
		{
			name:    "bare JWT",
			secret:  secret(TokenSecretName, data(fresh[65:])),
			wantErr: ErrMalformed,
			wantMsg: []string{"bare JWT"},
		},
		{
			name:    "expired names the secret and the stale-token bug",
			secret:  secret(TokenSecretName, data(expired)),
			wantErr: ErrExpired,
			wantMsg: []string{"secret kubeedge/tokensecret key tokendata: join token expired at 2026-07-31T12:00:00Z (24h0m0s ago)", "#5826"},
		},
		{
			name:    "not yet valid",
			secret:  secret(TokenSecretName, data(future)),
			wantErr: ErrNotYetValid,
			wantMsg: []string{"becomes valid at 2027-01-15"},
		},
		{
			name:     "expiring within the margin returns the token too",
			secret:   secret(TokenSecretName, data(soon)),
			opts:     []Option{WithMinValidity(10 * time.Minute)},
			wantErr:  ErrExpiringSoon,
			wantTok:  true,
			wantLeft: 5 * time.Minute,
			wantMsg:  []string{"expires at 2026-08-01T12:05:00Z, in 5m0s, less than the required 10m0s"},
		},
		{
			name:     "outside the margin",
			secret:   secret(TokenSecretName, data(soon)),
			opts:     []Option{WithMinValidity(time.Minute)},
			wantTok:  true,
			wantLeft: 5 * time.Minute,
		},
		{
			name:    "unnamed secret is reported as kubeedge/tokensecret",
			secret:  &corev1.Secret{},
			wantErr: ErrKeyMissing,
			wantMsg: []string{"secret kubeedge/tokensecret"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := FromSecret(tt.secret, testNow, tt.opts...)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("FromSecret: %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("FromSecret error %v, want %v", err, tt.wantErr)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not say %q", err, m)
				}
			}
			if err != nil {
				assertNoLeak(t, err.Error(), fresh)
			}
			if (tok != nil) != tt.wantTok {
				t.Fatalf("token returned = %v, want %v", tok != nil, tt.wantTok)
			}
			if tok != nil && tt.wantLeft != 0 && tok.Remaining(testNow) != tt.wantLeft {
				t.Errorf("Remaining = %s, want %s", tok.Remaining(testNow), tt.wantLeft)
			}
			if tok != nil && strings.TrimSpace(tok.Value()) != tok.Value() {
				t.Errorf("Value() %q was not trimmed", tok.Value())
			}
		})
	}
}

func TestFromSecretNamesCustomSecret(t *testing.T) {
	s := &corev1.Secret{}
	s.Namespace, s.Name = "edge-system", "my-token"
	_, err := FromSecret(s, testNow)
	if err == nil || !strings.Contains(err.Error(), "secret edge-system/my-token has no key tokendata") {
		t.Fatalf("error %v should name the secret it was given", err)
	}
}
