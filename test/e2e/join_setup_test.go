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
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

var seedOnce sync.Once

// seedKubeEdge creates what cloudcore leaves in a cluster (ConfigMaps, NodePort Service, token Secrets) once.
func seedKubeEdge(t *testing.T) {
	t.Helper()
	var err error
	seedOnce.Do(func() {
		err = framework.SeedKubeEdge(context.Background(), cp.Client())
		if err == nil {
			err = applyUserRoles()
		}
	})
	if err != nil {
		t.Fatalf("seeding KubeEdge objects: %v", err)
	}
}

// applyUserRoles applies artifacts/deploy/user-roles.yaml with kubectl.
func applyUserRoles() error {
	manifest, err := os.ReadFile(filepath.Join("..", "..", "artifacts", "deploy", "user-roles.yaml"))
	if err != nil {
		return err
	}
	_, _, err = cp.KubectlWith(context.Background(), framework.KubectlOptions{Stdin: string(manifest)}, "apply", "-f", "-")
	return err
}

// bindClusterRole binds user to the ClusterRole role; a binding that exists already is kept.
func bindClusterRole(t *testing.T, user, role string) {
	t.Helper()
	name := "e2e-" + role + "-" + user
	// kubectl create clusterrolebinding says "already exists" without the reason AlreadyExists.
	if _, _, err := cp.Kubectl(context.Background(), "create", "clusterrolebinding", name, "--clusterrole="+role, "--user="+user); err != nil &&
		!strings.Contains(err.Error(), "AlreadyExists") && !strings.Contains(err.Error(), "already exists") {
		t.Fatal(err)
	}
}

var authenticationv1TokenRequest = authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}

// serverAccountKubeconfig applies artifacts/deploy/server-rbac.yaml and returns a kubeconfig
// for its ServiceAccount.
func serverAccountKubeconfig() (string, error) {
	ctx := context.Background()
	manifest, err := os.ReadFile(filepath.Join("..", "..", "artifacts", "deploy", "server-rbac.yaml"))
	if err != nil {
		return "", err
	}
	if _, _, err := cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: string(manifest)}, "apply", "-f", "-"); err != nil {
		return "", err
	}
	tr, err := cp.Client().CoreV1().ServiceAccounts("kubeedge").CreateToken(ctx, "edgewatcher-apiserver", &authenticationv1TokenRequest, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	return cp.KubeconfigForToken("edgewatcher-apiserver-sa", tr.Status.Token)
}
