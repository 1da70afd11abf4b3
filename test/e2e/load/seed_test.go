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
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/edgewatcher/edgewatcher/test/fixtures"
)

const (
	// edgeNodes and cloudNodes are the Nodes the cluster has: list responses carry every edge node.
	edgeNodes  = 1000
	cloudNodes = 50
	// cloudNodeBase numbers the cloud Nodes so that their fixture addresses (10.65.x.y) differ from the edge nodes'.
	cloudNodeBase = 1 << 16
	// consoleUsers is how many console users (ServiceAccounts, as ks-apiserver forwards their tokens) share the console clients.
	consoleUsers = 5
	seedWorkers  = 8
)

// identities are the users the clients act as: bound to the ClusterRoles of artifacts/deploy/user-roles.yaml,
// none of them in system:masters, so kube-apiserver's priority and fairness applies to all of them.
type identities struct {
	// joiner (edgewatcher-admin) asks for join commands; viewer (edgewatcher-viewer) lists and watches.
	joiner, viewer *tls.Config
	// consoleTokens are the bearer tokens of the console users (edgewatcher-admin).
	consoleTokens []string
}

// bulkClient is an admin clientset without a client-side rate limit, speaking protobuf, for seeding and churn.
func bulkClient() (kubernetes.Interface, error) {
	cfg := cp.RestConfig()
	cfg.QPS, cfg.Burst = -1, 0
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	return kubernetes.NewForConfig(cfg)
}

// seedNodes registers the edge and cloud Nodes, with status, as edged and kubelet do.
func seedNodes(ctx context.Context, c kubernetes.Interface) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range seedWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= edgeNodes+cloudNodes || ctx.Err() != nil {
					return
				}
				n := fixtures.RealisticNode(i, true, 1, fixtures.Ready)
				if i >= edgeNodes {
					n = fixtures.RealisticNode(cloudNodeBase+i-edgeNodes, false, 1, fixtures.Ready)
				}
				n.UID, n.ResourceVersion, n.CreationTimestamp, n.ManagedFields = "", "", metav1.Time{}, nil
				got, err := c.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
				if err == nil && len(got.Status.Addresses) == 0 {
					got.Status = n.Status
					_, err = c.CoreV1().Nodes().UpdateStatus(ctx, got, metav1.UpdateOptions{})
				}
				if err != nil {
					cancel(fmt.Errorf("node %s: %w", n.Name, err))
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// createIdentities binds the load's users and console ServiceAccounts and returns their credentials.
func createIdentities(ctx context.Context) (*identities, error) {
	var ids identities
	var err error
	if err = bindUser(ctx, rbacv1.UserKind, "", "load-joiner", "edgewatcher-admin"); err != nil {
		return nil, err
	}
	if ids.joiner, err = userTLS("load-joiner"); err != nil {
		return nil, err
	}
	if err = bindUser(ctx, rbacv1.UserKind, "", "load-viewer", "edgewatcher-viewer"); err != nil {
		return nil, err
	}
	if ids.viewer, err = userTLS("load-viewer"); err != nil {
		return nil, err
	}
	for i := range consoleUsers {
		name := fmt.Sprintf("load-console-%d", i)
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if _, err := cp.Client().CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
		if err := bindUser(ctx, rbacv1.ServiceAccountKind, "default", name, "edgewatcher-admin"); err != nil {
			return nil, err
		}
		token, err := serviceAccountToken(ctx, "default", name)
		if err != nil {
			return nil, err
		}
		ids.consoleTokens = append(ids.consoleTokens, token)
	}
	return &ids, nil
}

// bindUser binds the subject of kind to ClusterRole role.
func bindUser(ctx context.Context, kind, namespace, name, role string) error {
	subject := rbacv1.Subject{Kind: kind, Name: name, Namespace: namespace}
	if kind == rbacv1.UserKind {
		subject.APIGroup = rbacv1.GroupName
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "load-" + role + "-" + name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{subject},
	}
	_, err := cp.Client().RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{})
	return err
}
