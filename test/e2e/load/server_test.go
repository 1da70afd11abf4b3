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

package load

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// watchHistorySize is the ring of changes kept for resuming watches: 100 s of churn, far more than a watch
// takes to reopen. Each kept change of a Node holds the object from before the change, so the ring grows
// until churn has replaced every entry; newFixture changes every edge node once before the load.
const watchHistorySize = edgeNodes / 2

// startServer seeds what cloudcore leaves in a cluster, applies the user and server RBAC and the server's
// FlowSchema of artifacts/deploy, and starts edgewatcher-apiserver as its ServiceAccount with the console's
// plain-HTTP listener, as artifacts/deploy/apiserver.yaml runs it (log level 0). It returns the server and
// the listener's address.
func startServer(ctx context.Context) (*framework.EdgeWatcher, string, error) {
	if err := framework.SeedKubeEdge(ctx, cp.Client()); err != nil {
		return nil, "", err
	}
	for _, manifest := range []string{"user-roles.yaml", "server-rbac.yaml", "flowschema.yaml"} {
		if err := applyManifest(ctx, manifest); err != nil {
			return nil, "", err
		}
	}
	kubeconfig, err := serviceAccountKubeconfig(ctx, "kubeedge", "edgewatcher-apiserver")
	if err != nil {
		return nil, "", err
	}
	port, err := framework.FreePort()
	if err != nil {
		return nil, "", err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	srv, err := cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{ExtraArgs: []string{
		"--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig,
		"--legacy-listen-address=" + addr,
		"--watch-history-size=" + strconv.Itoa(watchHistorySize),
		"-v=0",
	}})
	return srv, addr, err
}

// applyManifest applies artifacts/deploy/<name> with kubectl as admin.
func applyManifest(ctx context.Context, name string) error {
	root, err := framework.RepoRoot()
	if err != nil {
		return err
	}
	manifest, err := os.ReadFile(filepath.Join(root, "artifacts", "deploy", name))
	if err != nil {
		return err
	}
	if _, _, err := cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: string(manifest)}, "apply", "-f", "-"); err != nil {
		return fmt.Errorf("apply %s: %w", name, err)
	}
	return nil
}

// serviceAccountToken returns a one-hour token of ServiceAccount namespace/name.
func serviceAccountToken(ctx context.Context, namespace, name string) (string, error) {
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}
	tr, err := cp.Client().CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, req, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("token for serviceaccount %s/%s: %w", namespace, name, err)
	}
	return tr.Status.Token, nil
}

// serviceAccountKubeconfig writes a kubeconfig that authenticates as ServiceAccount namespace/name.
func serviceAccountKubeconfig(ctx context.Context, namespace, name string) (string, error) {
	token, err := serviceAccountToken(ctx, namespace, name)
	if err != nil {
		return "", err
	}
	return cp.KubeconfigForToken(namespace+"-"+name, token)
}
