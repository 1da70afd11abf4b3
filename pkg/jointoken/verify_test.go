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
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	ca, other := newTestCA(t), newTestCA(t)
	good, exp, err := Mint(ca.cert, ca.key, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	flip := func(s string) string { // change one character, staying within hex and base64url
		b := []byte(s)
		if b[len(b)/2] == '0' {
			b[len(b)/2] = '1'
		} else {
			b[len(b)/2] = '0'
		}
		return string(b)
	}
	longer := craft(ca.cert, ca.key, `{"alg":"HS256","typ":"JWT"}`, `{"exp":`+strconv.FormatInt(testNow.Add(48*time.Hour).Unix(), 10)+`}`)

	tests := []struct {
		name    string
		token   string
		cert    []byte
		key     []byte
		now     time.Time
		wantErr error
	}{
		{name: "minted token verifies", token: good},
		{name: "a second before expiry", token: good, now: exp.Add(-time.Second)},
		{name: "expired at exp", token: good, now: exp, wantErr: ErrExpired},
		{name: "expired after", token: good, now: exp.Add(time.Hour), wantErr: ErrExpired},
		{name: "tampered signature", token: replacePart(good, 3, flip(parts[3])), wantErr: ErrBadSignature},
		{name: "tampered payload", token: replacePart(good, 2, strings.Split(longer, ".")[2]), wantErr: ErrBadSignature},
		{name: "tampered header", token: replacePart(good, 1, b64(`{"typ":"JWT","alg":"HS256"}`)), wantErr: ErrBadSignature},
		{name: "tampered hash", token: replacePart(good, 0, flip(parts[0])), wantErr: ErrCAHashMismatch},
		{name: "other CA certificate", token: good, cert: other.cert, wantErr: ErrCAHashMismatch},
		{name: "wrong key", token: good, key: other.key, wantErr: ErrBadSignature},
		{name: "alg none", token: replacePart(replacePart(good, 1, b64(`{"alg":"none","typ":"JWT"}`)), 3, ""), wantErr: ErrMalformed},
		{name: "alg none with signature", token: craft(ca.cert, ca.key, `{"alg":"none"}`, `{"exp":1900000000}`), wantErr: ErrMalformed},
		{name: "HS512 rejected", token: craft(ca.cert, ca.key, `{"alg":"HS512"}`, `{"exp":1900000000}`), wantErr: ErrMalformed},
		{name: "nbf in the future", token: craft(ca.cert, ca.key, `{"alg":"HS256"}`, `{"exp":1900000000,"nbf":1800000000}`), wantErr: ErrNotYetValid},
		{name: "missing exp", token: craft(ca.cert, ca.key, `{"alg":"HS256"}`, `{}`), wantErr: ErrMalformed},
		{name: "no CA", token: good, cert: []byte{}, wantErr: ErrInvalidCA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, key, now := ca.cert, ca.key, testNow
			if tt.cert != nil {
				cert = tt.cert
			}
			if tt.key != nil {
				key = tt.key
			}
			if !tt.now.IsZero() {
				now = tt.now
			}
			got, err := Verify(tt.token, cert, key, now)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error %v, want %v", err, tt.wantErr)
			}
			if err == nil && !got.Equal(exp) {
				t.Errorf("Verify expiry = %s, want %s", got, exp)
			}
			if err != nil {
				assertNoLeak(t, err.Error(), tt.token)
			}
		})
	}
}
