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
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunRefusesInvalidOptionsBeforeTouchingAnything checks the order of Run: invalid options are refused before
// the server reads a kubeconfig, contacts the cluster for the shared serving certificate, or writes a
// self-signed certificate into its cert directory.
func TestRunRefusesInvalidOptionsBeforeTouchingAnything(t *testing.T) {
	o := NewOptions()
	certDir := filepath.Join(t.TempDir(), "certs")
	o.SecureServing.ServerCert.CertDirectory = certDir
	o.Service.ServingCertSecret = "edge-watcher-serving-cert"
	o.Kubeconfig = filepath.Join(t.TempDir(), "missing.kubeconfig")
	o.KubeAPIQPS = 0

	err := Run(t.Context(), o)
	if err == nil || !strings.Contains(err.Error(), "--kube-api-qps") {
		t.Fatalf("Run = %v, want the --kube-api-qps validation error", err)
	}
	if strings.Contains(err.Error(), "kubeconfig") {
		t.Errorf("Run read the kubeconfig before validating: %v", err)
	}
	if _, statErr := os.Stat(certDir); !os.IsNotExist(statErr) {
		t.Errorf("Run wrote the cert directory %s before validating (stat: %v)", certDir, statErr)
	}
}
