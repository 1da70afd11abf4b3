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
