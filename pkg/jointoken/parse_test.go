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
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	cert, key := []byte("test-ca-cert"), []byte("test-ca-key")
	good, exp, err := Mint(cert, key, 24*time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	hdr := `{"alg":"HS256","typ":"JWT"}`
	tests := []struct {
		name    string
		token   string
		wantExp time.Time
		wantNbf time.Time
		wantErr string
	}{
		{name: "minted", token: good, wantExp: exp},
		{name: "fractional exp truncates", token: craft(cert, key, hdr, `{"exp":1785585600.9}`), wantExp: time.Unix(1785585600, 0)},
		{name: "exponent exp", token: craft(cert, key, hdr, `{"exp":1.7855856e9}`), wantExp: time.Unix(1785585600, 0)},
		{name: "nbf and other claims", token: craft(cert, key, `{"alg":"HS256"}`, `{"exp":1785585600,"nbf":1785500000,"sub":"x"}`), wantExp: time.Unix(1785585600, 0), wantNbf: time.Unix(1785500000, 0)},
		{name: "empty", token: "", wantErr: "the token is empty"},
		{name: "bare JWT", token: good[65:], wantErr: "bare JWT without the <CA hash>. prefix"},
		{name: "two parts", token: "abc.def", wantErr: "2 dot-separated parts, want 4"},
		{name: "five parts", token: good + ".x", wantErr: "5 dot-separated parts, want 4"},
		{name: "uppercase hash", token: strings.ToUpper(good[:64]) + good[64:], wantErr: "CA hash has the character"},
		{name: "short hash", token: good[2:], wantErr: "CA hash is 62 hex characters, want 64"},
		{name: "hash with space", token: " " + good[1:], wantErr: "CA hash has a space at byte 0"},
		{name: "trailing newline", token: good + "\n", wantErr: "JWT signature has whitespace '\\n'"},
		{name: "padded header", token: replacePart(good, 1, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9="), wantErr: "JWT header has the character '='"},
		{name: "standard alphabet", token: replacePart(good, 3, strings.ReplaceAll(strings.ReplaceAll(strings.Split(good, ".")[3], "-", "+"), "_", "/")+"+"), wantErr: "JWT signature has the character"},
		{name: "empty payload", token: replacePart(good, 2, ""), wantErr: "the JWT payload is empty"},
		{name: "bad base64 length", token: replacePart(good, 2, "a"), wantErr: "JWT payload is not valid base64url"},
		{name: "header not JSON", token: craft(cert, key, `alg=HS256`, `{"exp":1}`), wantErr: "JWT header is not a JSON object"},
		{name: "header JSON array", token: craft(cert, key, `["HS256"]`, `{"exp":1}`), wantErr: "JWT header is not a JSON object"},
		{name: "header null", token: craft(cert, key, `null`, `{"exp":1}`), wantErr: "JWT header is not a JSON object"},
		{name: "no alg", token: craft(cert, key, `{"typ":"JWT"}`, `{"exp":1}`), wantErr: "JWT header has no alg"},
		{name: "alg not string", token: craft(cert, key, `{"alg":256}`, `{"exp":1}`), wantErr: "alg is not a string"},
		{name: "alg none", token: craft(cert, key, `{"alg":"none"}`, `{"exp":1}`), wantErr: `JWT alg is "none", want HS256`},
		{name: "alg HS512", token: craft(cert, key, `{"alg":"HS512"}`, `{"exp":1}`), wantErr: `JWT alg is "HS512"`},
		{name: "alg lowercase", token: craft(cert, key, `{"alg":"hs256"}`, `{"exp":1}`), wantErr: `JWT alg is "hs256"`},
		{name: "payload not JSON", token: craft(cert, key, hdr, `exp=1`), wantErr: "JWT payload is not a JSON object"},
		{name: "payload trailing data", token: craft(cert, key, hdr, `{"exp":1}x`), wantErr: "JWT payload is not a JSON object"},
		{name: "missing exp", token: craft(cert, key, hdr, `{"iat":1}`), wantErr: "JWT payload has no exp claim"},
		{name: "string exp", token: craft(cert, key, hdr, `{"exp":"1785585600"}`), wantErr: "exp claim is not a number"},
		{name: "null exp", token: craft(cert, key, hdr, `{"exp":null}`), wantErr: "exp claim is not a number"},
		{name: "bool exp", token: craft(cert, key, hdr, `{"exp":true}`), wantErr: "exp claim is not a number"},
		{name: "negative exp", token: craft(cert, key, hdr, `{"exp":-1}`), wantErr: "exp claim is out of range"},
		{name: "huge exp", token: craft(cert, key, hdr, `{"exp":1e300}`), wantErr: "exp claim is out of range"},
		{name: "overflowing exp", token: craft(cert, key, hdr, `{"exp":1e400}`), wantErr: "exp claim is not a number"},
		{name: "string nbf", token: craft(cert, key, hdr, `{"exp":1,"nbf":"0"}`), wantErr: "nbf claim is not a number"},
		{name: "short signature", token: replacePart(good, 3, b64("short")), wantErr: "JWT signature is 5 bytes, want 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(tt.token)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse succeeded, want error %q", tt.wantErr)
				}
				if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse error %q, want ErrMalformed saying %q", err, tt.wantErr)
				}
				assertNoLeak(t, err.Error(), tt.token)
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !tok.ExpiresAt.Equal(tt.wantExp) || !tok.NotBefore.Equal(tt.wantNbf) {
				t.Errorf("exp, nbf = %s, %s; want %s, %s", tok.ExpiresAt, tok.NotBefore, tt.wantExp, tt.wantNbf)
			}
			if tok.Value() != tt.token || tok.CAHash != CAHash(cert) {
				t.Errorf("Value or CAHash not preserved")
			}
		})
	}
}

// assertNoLeak fails when msg contains any JWT part of token long enough to matter.
func assertNoLeak(t *testing.T, msg, token string) {
	t.Helper()
	for _, part := range strings.Split(token, ".") {
		if len(part) >= 12 && strings.Contains(msg, part) {
			t.Fatalf("message %q echoes token material %q", msg, part)
		}
	}
}

func TestTokenRedaction(t *testing.T) {
	ca := newTestCA(t)
	raw, _, err := Mint(ca.cert, ca.key, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v", *tok), fmt.Sprintf("%+v", tok), fmt.Sprintf("%#v", tok), tok.String()} {
		assertNoLeak(t, s, raw)
		if !strings.Contains(s, tok.CAHash[:8]) || !strings.Contains(s, "2026-08-01T13:00:00Z") {
			t.Errorf("String() = %q should show the CA hash prefix and the expiry", s)
		}
	}
	if !tok.Expired(tok.ExpiresAt) || tok.Expired(tok.ExpiresAt.Add(-time.Nanosecond)) {
		t.Error("exp must be exclusive")
	}
	if got := tok.Remaining(testNow); got != time.Hour {
		t.Errorf("Remaining = %s, want 1h", got)
	}
}

func FuzzParse(f *testing.F) {
	cert, key := []byte("test-ca-cert"), []byte("test-ca-key")
	good, _, _ := Mint(cert, key, time.Hour, testNow)
	for _, s := range []string{
		good, good[65:], "", ".", "...", "a.b.c.d", good + "\n",
		craft(cert, key, `{"alg":"none"}`, `{"exp":1}`),
		craft(cert, key, `{"alg":"HS256"}`, `{"exp":1e999}`),
		craft(cert, key, `{"alg":"HS256"}`, `{"exp":-0.5,"nbf":{}}`),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if len(tok.CAHash) != 64 || tok.Value() != s || len(tok.signature) != 32 {
			t.Fatalf("Parse(%q) accepted a token of the wrong shape: %+v", s, tok)
		}
		if tok.ExpiresAt.Unix() < 0 || tok.ExpiresAt.Unix() > maxExp {
			t.Fatalf("Parse(%q) exp %v out of range", s, tok.ExpiresAt)
		}
		// Verification must not panic either, whatever the token.
		_, _ = Verify(s, cert, key, testNow)
	})
}
