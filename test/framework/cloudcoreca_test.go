package framework

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
)

func TestCloudCoreCAMintsTokensCloudCoreAccepts(t *testing.T) {
	ca, err := NewCloudCoreCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(ca.CertDER)
	if err != nil || !cert.IsCA {
		t.Fatalf("CA certificate: %v, IsCA=%v", err, cert != nil && cert.IsCA)
	}
	if _, err := x509.ParseECPrivateKey(ca.KeyDER); err != nil {
		t.Fatalf("CA key is not SEC 1 DER: %v", err)
	}
	now := time.Now()
	token, exp, err := jointoken.Mint(ca.CertDER, ca.KeyDER, 24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := jointoken.Verify(token, ca.CertDER, ca.KeyDER, now)
	if err != nil || !got.Equal(exp) {
		t.Fatalf("Verify = %v, %v; want %v", got, err, exp)
	}
}
