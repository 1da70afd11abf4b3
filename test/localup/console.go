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

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// demoEdgeIPPool is the --edge-ip-pool of `make run`: reservations without an IP get one from it.
const demoEdgeIPPool = "203.0.113.0/24"

// consoleAccount is the ServiceAccount whose token stands in for a KubeSphere console user.
const consoleAccount = "console-admin"

// seedConsoleAccess applies the user ClusterRoles and returns a token of a ServiceAccount
// bound to edgewatcher-admin, as ks-apiserver would forward for a console user.
func seedConsoleAccess(ctx context.Context, cp *framework.ControlPlane, root string) (string, error) {
	manifest, err := os.ReadFile(filepath.Join(root, "artifacts", "deploy", "user-roles.yaml"))
	if err != nil {
		return "", err
	}
	if _, _, err := cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: string(manifest)}, "apply", "-f", "-"); err != nil {
		return "", err
	}
	client := cp.Client()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: consoleAccount, Namespace: framework.KubeEdgeNamespace}}
	if _, err := client.CoreV1().ServiceAccounts(sa.Namespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "localup-" + consoleAccount},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edgewatcher-admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: consoleAccount, Namespace: sa.Namespace}},
	}
	if _, err := client.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", err
	}
	tr, err := client.CoreV1().ServiceAccounts(sa.Namespace).CreateToken(ctx, consoleAccount, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](24 * 3600)},
	}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("token for %s: %w", consoleAccount, err)
	}
	return tr.Status.Token, nil
}
