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
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// EdgeBootstrapError is cloudcore's refusal of a certificate request.
type EdgeBootstrapError struct {
	StatusCode int
	Body       string
}

func (e *EdgeBootstrapError) Error() string {
	return fmt.Sprintf("cloudcore answered %d to the certificate request: %s", e.StatusCode, strings.TrimSpace(e.Body))
}

// BootstrapEdge does what edgecore does with a join token before it connects (kubeedge/kubeedge@v1.23.1:
// edge/pkg/edgehub/certificate/certmanager.go): it fetches cloudcore's CA from https://<hub>/ca.crt without
// verification, checks its sha256 against the token's first part, then asks https://<hub>/edge.crt for a
// certificate for nodeName, sending a DER CSR as the body, "Authorization: Bearer <the other three parts>" and a NodeName header,
// over TLS verified against that CA. It dials inside ns. A refusal is an *EdgeBootstrapError.
func BootstrapEdge(ctx context.Context, ns *netns.Namespace, hub, token, nodeName string) (*x509.Certificate, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		return nil, fmt.Errorf("token has %d dot-separated parts, want 4", len(parts))
	}
	insecure := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext:     DialContextIn(ns),
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as edgecore: the token's hash verifies the CA
	}}
	caDER, err := httpGet(ctx, insecure, "https://"+hub+"/ca.crt", nil)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(caDER); hex.EncodeToString(sum[:]) != parts[0] {
		return nil, fmt.Errorf("cloudcore's CA hashes to %x, the token names %s", sum, parts[0])
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse cloudcore CA: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	verified := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext:     DialContextIn(ns),
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
	csr, err := edgeCSR(nodeName)
	if err != nil {
		return nil, err
	}
	header := http.Header{"Authorization": {"Bearer " + strings.Join(parts[1:], ".")}, "NodeName": {nodeName}}
	certDER, err := httpGet(ctx, verified, "https://"+hub+"/edge.crt", bytes.NewReader(csr), header)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("parse the edge certificate: %w", err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, fmt.Errorf("the edge certificate does not verify against cloudcore's CA: %w", err)
	}
	return cert, nil
}

// edgeCSR returns a DER CSR for system:node:<nodeName> in group system:nodes with a new P-256 key; edgecore
// sends the DER bytes of its PEM block.
func edgeCSR(nodeName string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "system:node:" + nodeName, Organization: []string{"system:nodes"}},
	}, key)
	if err != nil {
		return nil, err
	}
	return der, nil
}

// httpGet sends a GET (with an optional body, as edgecore sends its CSR) and returns the body of a 200 answer.
func httpGet(ctx context.Context, client *http.Client, url string, body io.Reader, header ...http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, body)
	if err != nil {
		return nil, err
	}
	for _, h := range header {
		for k, v := range h {
			req.Header[k] = v
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &EdgeBootstrapError{StatusCode: resp.StatusCode, Body: string(b)}
	}
	return b, nil
}
