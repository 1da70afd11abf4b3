package framework

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CloudCoreCA is a KubeEdge cloudcore CA in the form cloudcore keeps in secret kubeedge/casecret.
type CloudCoreCA struct {
	// CertDER is the CA certificate in DER (casecret key cadata).
	CertDER []byte
	// KeyDER is the ECDSA P-256 key in SEC 1 DER from x509.MarshalECPrivateKey (casecret key cakeydata).
	KeyDER []byte
}

// NewCloudCoreCA generates a self-signed ECDSA P-256 CA like the one cloudcore creates on first start.
func NewCloudCoreCA() (*CloudCoreCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate cloudcore CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "KubeEdge"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("self-sign cloudcore CA: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("marshal cloudcore CA key: %w", err)
	}
	return &CloudCoreCA{CertDER: certDER, KeyDER: keyDER}, nil
}

// jwtHeader is the fixed JOSE header of a cloudcore join token.
const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

// tokenClaims is the claim set of a cloudcore join token: only the expiry.
type tokenClaims struct {
	// ExpiresAt is the expiry as Unix seconds.
	ExpiresAt int64 `json:"exp"`
}

// MintCloudCoreToken returns a join token in cloudcore's format, <hex sha256(CA DER)>.<JWT>, where the JWT is HS256
// over {"exp":<unix>} keyed by the CA key DER bytes.
func MintCloudCoreToken(ca *CloudCoreCA, exp time.Time) (string, error) {
	if len(ca.CertDER) == 0 || len(ca.KeyDER) == 0 {
		return "", errors.New("cloudcore CA certificate and key are required")
	}
	claims, err := json.Marshal(tokenClaims{ExpiresAt: exp.Unix()})
	if err != nil {
		return "", fmt.Errorf("marshal token claims: %w", err)
	}
	signingInput := b64(jwtHeader) + "." + b64(string(claims))
	return CloudCoreCAHash(ca.CertDER) + "." + signingInput + "." + hs256(signingInput, ca.KeyDER), nil
}

// VerifyCloudCoreToken checks a join token against the CA the way cloudcore and edgecore do (CA hash, HS256 signature,
// expiry at now) and returns its expiry.
func VerifyCloudCoreToken(token string, ca *CloudCoreCA, now time.Time) (time.Time, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		return time.Time{}, fmt.Errorf("token has %d dot-separated parts, want 4", len(parts))
	}
	if parts[0] != CloudCoreCAHash(ca.CertDER) {
		return time.Time{}, errors.New("token CA hash does not match the CA certificate")
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, fmt.Errorf("decode token header: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(header, &h); err != nil {
		return time.Time{}, fmt.Errorf("parse token header: %w", err)
	}
	if h.Alg != "HS256" {
		return time.Time{}, fmt.Errorf("token alg %q, want HS256", h.Alg)
	}
	want := hs256(parts[1]+"."+parts[2], ca.KeyDER)
	if !hmac.Equal([]byte(parts[3]), []byte(want)) {
		return time.Time{}, errors.New("token signature does not verify with the CA key")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return time.Time{}, fmt.Errorf("decode token claims: %w", err)
	}
	var c tokenClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return time.Time{}, fmt.Errorf("parse token claims: %w", err)
	}
	exp := time.Unix(c.ExpiresAt, 0)
	if !now.Before(exp) {
		return exp, fmt.Errorf("token expired at %s", exp.UTC().Format(time.RFC3339))
	}
	return exp, nil
}

// CloudCoreCAHash returns the hex SHA-256 of the CA certificate DER, the first part of a join token.
func CloudCoreCAHash(certDER []byte) string {
	sum := sha256.Sum256(certDER)
	return hex.EncodeToString(sum[:])
}

// b64 encodes s as unpadded base64url, as JWT segments are.
func b64(s string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// hs256 returns the unpadded base64url HMAC-SHA256 of input under key.
func hs256(input string, key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
