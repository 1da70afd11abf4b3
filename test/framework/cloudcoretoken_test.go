package framework

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestMintCloudCoreTokenFormat(t *testing.T) {
	ca, err := NewCloudCoreCA()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParseCertificate(ca.CertDER); err != nil {
		t.Fatalf("cadata is not a DER certificate: %v", err)
	}
	if _, err := x509.ParseECPrivateKey(ca.KeyDER); err != nil {
		t.Fatalf("cakeydata is not a SEC 1 EC key: %v", err)
	}
	exp := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	token, err := MintCloudCoreToken(ca, exp)
	if err != nil {
		t.Fatal(err)
	}

	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		t.Fatalf("token %q has %d parts, want 4", token, len(parts))
	}
	sum := sha256.Sum256(ca.CertDER)
	if parts[0] != hex.EncodeToString(sum[:]) {
		t.Errorf("CA hash = %s, want hex sha256 of cadata", parts[0])
	}
	for i, p := range parts[1:] {
		if strings.ContainsAny(p, "=+/") {
			t.Errorf("JWT segment %d %q is not unpadded base64url", i, p)
		}
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if string(header) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("header = %s", header)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if len(claims) != 1 || claims["exp"] != float64(exp.Unix()) {
		t.Errorf("claims = %s, want only exp=%d", payload, exp.Unix())
	}

	// The signature is HMAC-SHA256 keyed by the raw cakeydata bytes, computed here independently of hs256().
	mac := hmac.New(sha256.New, ca.KeyDER)
	mac.Write([]byte(parts[1] + "." + parts[2]))
	if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); parts[3] != want {
		t.Errorf("signature = %s, want %s", parts[3], want)
	}
}

func TestVerifyCloudCoreToken(t *testing.T) {
	ca, err := NewCloudCoreCA()
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCloudCoreCA()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	exp := now.Add(time.Hour).Truncate(time.Second)
	token, err := MintCloudCoreToken(ca, exp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyCloudCoreToken(token, ca, now)
	if err != nil {
		t.Fatalf("valid token rejected: %v", err)
	}
	if !got.Equal(exp) {
		t.Errorf("exp = %s, want %s", got, exp)
	}

	parts := strings.Split(token, ".")
	tampered := strings.Join([]string{parts[0], parts[1], b64(`{"exp":9999999999}`), parts[3]}, ".")
	cases := map[string]struct {
		token string
		ca    *CloudCoreCA
		now   time.Time
		want  string
	}{
		"expired":         {token, ca, exp.Add(time.Second), "expired"},
		"other CA":        {token, other, now, "CA hash"},
		"other key":       {token, &CloudCoreCA{CertDER: ca.CertDER, KeyDER: other.KeyDER}, now, "signature"},
		"tampered claims": {tampered, ca, now, "signature"},
		"three parts":     {strings.Join(parts[1:], "."), ca, now, "parts"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := VerifyCloudCoreToken(tc.token, tc.ca, tc.now)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestMintCloudCoreTokenNeedsCA(t *testing.T) {
	if _, err := MintCloudCoreToken(&CloudCoreCA{}, time.Now()); err == nil {
		t.Error("minting without a CA should fail")
	}
}
