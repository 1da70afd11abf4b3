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

package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// Two replicas started with --serving-cert-secret serve the same certificate, the one in the
// Secret, so one APIService caBundle verifies both.
func TestReplicasShareTheServingCertificate(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	var certs [][]byte
	for range 2 {
		r, err := cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{Unregistered: true, ExtraArgs: []string{"--serving-cert-secret=e2e-shared-cert"}})
		if err != nil {
			t.Fatal(err)
		}
		pem, err := os.ReadFile(filepath.Join(r.CertDir, "apiserver.crt"))
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, pem)
		// The replica answers with that certificate, verified against it.
		if code, body := get(t, replicaClient(t, r, nil), r.URL()+"/readyz", nil); code != 200 {
			t.Fatalf("replica readyz: %d %s", code, body)
		}
	}
	if !bytes.Equal(certs[0], certs[1]) {
		t.Fatal("the replicas generated different certificates")
	}
	secret, err := cp.Client().CoreV1().Secrets(framework.EdgeWatcherNamespace).Get(ctx, "e2e-shared-cert", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(secret.Data["tls.crt"], certs[0]) {
		t.Fatal("the Secret holds another certificate than the replicas serve")
	}
}
