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
