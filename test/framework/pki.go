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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// AdminUser is the user name of the control plane's admin client certificate.
const AdminUser = "admin"

// MastersGroup is the group that kube-apiserver's RBAC authorizer always allows.
const MastersGroup = "system:masters"

// FrontProxyClientName is the CN of the client certificate kube-apiserver uses when proxying to aggregated servers.
const FrontProxyClientName = "front-proxy-client"

// PKI holds every certificate and key a control plane needs, both in memory and as files in Dir.
type PKI struct {
	// Dir is the directory the files were written to.
	Dir string

	// ServerCA signs kube-apiserver's serving certificate.
	ServerCA *CA
	// ClientCA signs client certificates that kube-apiserver accepts (--client-ca-file).
	ClientCA *CA
	// FrontProxyCA signs the aggregator's proxy client certificate (--requestheader-client-ca-file).
	FrontProxyCA *CA
	// Admin is the admin client certificate (CN=admin, O=system:masters).
	Admin *KeyPair

	// ServerCAFile is the PEM file of ServerCA.
	ServerCAFile string
	// ServingCertFile is kube-apiserver's serving certificate (SANs localhost and 127.0.0.1).
	ServingCertFile string
	// ServingKeyFile is the key of ServingCertFile.
	ServingKeyFile string
	// ClientCAFile is the PEM file of ClientCA.
	ClientCAFile string
	// AdminCertFile is the PEM file of Admin's certificate.
	AdminCertFile string
	// AdminKeyFile is the PEM file of Admin's key.
	AdminKeyFile string
	// FrontProxyCAFile is the PEM file of FrontProxyCA.
	FrontProxyCAFile string
	// ProxyClientCertFile is the front-proxy client certificate (CN=front-proxy-client).
	ProxyClientCertFile string
	// ProxyClientKeyFile is the key of ProxyClientCertFile.
	ProxyClientKeyFile string
	// ServiceAccountKeyFile is the private key that signs service account tokens.
	ServiceAccountKeyFile string
	// ServiceAccountPubFile is the public key that verifies service account tokens.
	ServiceAccountPubFile string
}

// GeneratePKI creates the CAs, certificates and service-account key pair for one control plane and writes them into dir.
// kube-apiserver's serving certificate names localhost, 127.0.0.1 and each of servingIPs.
func GeneratePKI(dir string, servingIPs ...net.IP) (*PKI, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create pki dir: %w", err)
	}
	p := &PKI{Dir: dir}
	var err error
	if p.ServerCA, err = NewCA("edgewatcher-test-server-ca"); err != nil {
		return nil, err
	}
	if p.ClientCA, err = NewCA("edgewatcher-test-client-ca"); err != nil {
		return nil, err
	}
	if p.FrontProxyCA, err = NewCA("edgewatcher-test-front-proxy-ca"); err != nil {
		return nil, err
	}
	if p.ServerCAFile, err = p.ServerCA.WriteCert(dir, "server-ca"); err != nil {
		return nil, err
	}
	if p.ClientCAFile, err = p.ClientCA.WriteCert(dir, "client-ca"); err != nil {
		return nil, err
	}
	if p.FrontProxyCAFile, err = p.FrontProxyCA.WriteCert(dir, "front-proxy-ca"); err != nil {
		return nil, err
	}

	serving, err := p.ServerCA.IssueServing("kube-apiserver", []string{"localhost"}, append([]net.IP{net.IPv4(127, 0, 0, 1)}, servingIPs...))
	if err != nil {
		return nil, err
	}
	if p.ServingCertFile, p.ServingKeyFile, err = serving.WriteFiles(dir, "apiserver"); err != nil {
		return nil, err
	}
	if p.Admin, err = p.ClientCA.IssueClient(AdminUser, MastersGroup); err != nil {
		return nil, err
	}
	if p.AdminCertFile, p.AdminKeyFile, err = p.Admin.WriteFiles(dir, "admin"); err != nil {
		return nil, err
	}
	proxy, err := p.FrontProxyCA.IssueClient(FrontProxyClientName)
	if err != nil {
		return nil, err
	}
	if p.ProxyClientCertFile, p.ProxyClientKeyFile, err = proxy.WriteFiles(dir, "front-proxy-client"); err != nil {
		return nil, err
	}
	if p.ServiceAccountKeyFile, p.ServiceAccountPubFile, err = writeServiceAccountKeys(dir); err != nil {
		return nil, err
	}
	return p, nil
}

// writeServiceAccountKeys writes an ECDSA P-256 signing key (sa.key) and its public key (sa.pub) into dir.
func writeServiceAccountKeys(dir string) (keyPath, pubPath string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("generate service account key: %w", err)
	}
	keyPEM, err := encodeKeyPEM(key)
	if err != nil {
		return "", "", err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return "", "", fmt.Errorf("marshal service account public key: %w", err)
	}
	keyPath = filepath.Join(dir, "sa.key")
	pubPath = filepath.Join(dir, "sa.pub")
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return "", "", fmt.Errorf("write %s: %w", keyPath, err)
	}
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return "", "", fmt.Errorf("write %s: %w", pubPath, err)
	}
	return keyPath, pubPath, nil
}
