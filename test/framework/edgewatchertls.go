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
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
)

// TLSConfig is the client TLS configuration for talking straight to this replica, as kube-apiserver would: it
// trusts the replica's self-signed serving certificate (apiserver.crt in CertDir), checks it for the Service
// name <EdgeWatcherServiceName>.<EdgeWatcherNamespace>.svc, and presents clientCert unless it is nil.
func (ew *EdgeWatcher) TLSConfig(clientCert *KeyPair) (*tls.Config, error) {
	caPEM, err := os.ReadFile(filepath.Join(ew.CertDir, "apiserver.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("no certificate in the serving certificate file")
	}
	cfg := &tls.Config{RootCAs: pool, ServerName: EdgeWatcherServiceName + "." + EdgeWatcherNamespace + ".svc", MinVersion: tls.VersionTLS12}
	if clientCert != nil {
		pair, err := tls.X509KeyPair(clientCert.CertPEM, clientCert.KeyPEM)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
