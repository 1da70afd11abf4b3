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

package framework

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"slices"
	"testing"
)

// verify checks that cert chains to ca for the given usage.
func verify(t *testing.T, ca *CA, cert *x509.Certificate, usage x509.ExtKeyUsage, dnsName string) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: dnsName, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
		t.Fatalf("certificate %q does not verify against %q: %v", cert.Subject.CommonName, ca.Cert.Subject.CommonName, err)
	}
}

func TestCAIssuesServingCertificate(t *testing.T) {
	ca, err := NewCA("test-ca")
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Cert.IsCA || ca.Cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Fatalf("CA certificate is not a signing CA: IsCA=%v KeyUsage=%v", ca.Cert.IsCA, ca.Cert.KeyUsage)
	}
	kp, err := ca.IssueServing("kube-apiserver", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	verify(t, ca, kp.Cert, x509.ExtKeyUsageServerAuth, "localhost")
	if err := kp.Cert.VerifyHostname("127.0.0.1"); err != nil {
		t.Errorf("serving cert lacks the 127.0.0.1 SAN: %v", err)
	}
	if err := kp.Cert.VerifyHostname("example.com"); err == nil {
		t.Error("serving cert unexpectedly valid for example.com")
	}
	if kp.Cert.IsCA {
		t.Error("serving cert must not be a CA")
	}
	if _, err := tls.X509KeyPair(kp.CertPEM, kp.KeyPEM); err != nil {
		t.Errorf("certificate and key PEM do not form a key pair: %v", err)
	}
}

func TestCAIssuesClientCertificate(t *testing.T) {
	ca, err := NewCA("client-ca")
	if err != nil {
		t.Fatal(err)
	}
	kp, err := ca.IssueClient("alice", "dev", "ops")
	if err != nil {
		t.Fatal(err)
	}
	verify(t, ca, kp.Cert, x509.ExtKeyUsageClientAuth, "")
	if kp.Cert.Subject.CommonName != "alice" || !slices.Equal(kp.Cert.Subject.Organization, []string{"dev", "ops"}) {
		t.Errorf("subject = %v, want CN=alice O=[dev ops]", kp.Cert.Subject)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	if _, err := kp.Cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("client certificate must not be usable for server auth")
	}
	other, err := NewCA("other-ca")
	if err != nil {
		t.Fatal(err)
	}
	otherPool := x509.NewCertPool()
	otherPool.AddCert(other.Cert)
	if _, err := kp.Cert.Verify(x509.VerifyOptions{Roots: otherPool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("client certificate verified against an unrelated CA")
	}
}

// readCert parses the first PEM certificate in the file at path.
func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s holds no CERTIFICATE PEM block", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestGeneratePKI(t *testing.T) {
	p, err := GeneratePKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	serving := readCert(t, p.ServingCertFile)
	verify(t, p.ServerCA, serving, x509.ExtKeyUsageServerAuth, "localhost")
	if err := serving.VerifyHostname("127.0.0.1"); err != nil {
		t.Errorf("kube-apiserver cert: %v", err)
	}

	admin := readCert(t, p.AdminCertFile)
	verify(t, p.ClientCA, admin, x509.ExtKeyUsageClientAuth, "")
	if admin.Subject.CommonName != AdminUser || !slices.Equal(admin.Subject.Organization, []string{MastersGroup}) {
		t.Errorf("admin subject = %v", admin.Subject)
	}

	proxy := readCert(t, p.ProxyClientCertFile)
	verify(t, p.FrontProxyCA, proxy, x509.ExtKeyUsageClientAuth, "")
	if proxy.Subject.CommonName != FrontProxyClientName {
		t.Errorf("proxy client CN = %q, want %q", proxy.Subject.CommonName, FrontProxyClientName)
	}

	if _, err := tls.LoadX509KeyPair(p.ServingCertFile, p.ServingKeyFile); err != nil {
		t.Errorf("serving key pair: %v", err)
	}
	if _, err := tls.LoadX509KeyPair(p.ProxyClientCertFile, p.ProxyClientKeyFile); err != nil {
		t.Errorf("proxy client key pair: %v", err)
	}
	if _, err := tls.LoadX509KeyPair(p.AdminCertFile, p.AdminKeyFile); err != nil {
		t.Errorf("admin key pair: %v", err)
	}

	keyPEM, err := os.ReadFile(p.ServiceAccountKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		t.Fatal("service account key is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := os.ReadFile(p.ServiceAccountPubFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ = pem.Decode(pubPEM)
	if block == nil {
		t.Fatal("service account public key is not PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		t.Fatalf("service account key %T is not a signer", key)
	}
	if !signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
		t.Error("service account public key does not match the private key")
	}
}
