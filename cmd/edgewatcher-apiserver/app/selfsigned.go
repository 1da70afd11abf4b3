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

package app

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/klog/v2"
)

// minRemainingValidity is how long a reused self-signed certificate must still be valid.
const minRemainingValidity = 30 * 24 * time.Hour

// dropStaleSelfSignedCert removes a self-signed pair from the cert directory when it no longer
// covers serviceDNS or is about to expire, so that it is generated again. Given files are left alone.
func dropStaleSelfSignedCert(cert *genericoptions.GeneratableKeyCert, serviceDNS string) error {
	if cert.CertKey.CertFile != "" || cert.CertDirectory == "" {
		return nil
	}
	certFile := filepath.Join(cert.CertDirectory, cert.PairName+".crt")
	keyFile := filepath.Join(cert.CertDirectory, cert.PairName+".key")
	data, err := os.ReadFile(certFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", certFile, err)
	}
	if reason := staleReason(data, serviceDNS); reason != "" {
		klog.InfoS("Regenerating self-signed serving certificate", "file", certFile, "reason", reason)
		for _, f := range []string{certFile, keyFile} {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("removing stale %s: %w", f, err)
			}
		}
	}
	return nil
}

func staleReason(pemData []byte, serviceDNS string) string {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return "not PEM"
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "unparsable: " + err.Error()
	}
	if !slices.Contains(leaf.DNSNames, serviceDNS) {
		return "does not cover " + serviceDNS
	}
	if time.Until(leaf.NotAfter) < minRemainingValidity {
		return "expires " + leaf.NotAfter.Format(time.RFC3339)
	}
	return ""
}
