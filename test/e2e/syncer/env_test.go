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

package syncer

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/syncer"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// syncerUser is the identity the syncer authenticates as; RBAC grants it only what the syncer needs.
const syncerUser = "edgewatcher-syncer-e2e"

// grantSyncerRBAC gives syncerUser the least privilege the syncer needs and returns a kubeconfig for it:
// read Nodes; read only the tunnelport and cloudcore ConfigMaps and the cloudcore Service, and cloudcore's
// pods, in kubeedge; write Events; and get, create and update its Leases in kubeedge.
func grantSyncerRBAC(t *testing.T, ctx context.Context) string {
	t.Helper()
	c := cp.Client()
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: cloudcore.Namespace}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	read := []string{"get", "list", "watch"}
	cluster := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: syncerUser},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: read},
			{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch", "update"}},
		},
	}
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: syncerUser, Namespace: cloudcore.Namespace},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{cloudcore.TunnelPortConfigMapName, cloudcore.ConfigMapName}, Verbs: read},
			{APIGroups: []string{""}, Resources: []string{"services"}, ResourceNames: []string{cloudcore.ServiceName}, Verbs: read},
			{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: read},
			{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"get", "create", "update"}},
		},
	}
	subject := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: syncerUser}}
	mustCreate(t, func() error {
		_, err := c.RbacV1().ClusterRoles().Create(ctx, cluster, metav1.CreateOptions{})
		return err
	})
	mustCreate(t, func() error {
		_, err := c.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: syncerUser}, Subjects: subject,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: syncerUser},
		}, metav1.CreateOptions{})
		return err
	})
	mustCreate(t, func() error {
		_, err := c.RbacV1().Roles(cloudcore.Namespace).Create(ctx, role, metav1.CreateOptions{})
		return err
	})
	mustCreate(t, func() error {
		_, err := c.RbacV1().RoleBindings(cloudcore.Namespace).Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: syncerUser, Namespace: cloudcore.Namespace}, Subjects: subject,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: syncerUser},
		}, metav1.CreateOptions{})
		return err
	})
	kubeconfig, err := cp.KubeconfigFor(syncerUser)
	if err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// mustCreate runs create, tolerating AlreadyExists.
func mustCreate(t *testing.T, create func() error) {
	t.Helper()
	if err := create(); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// node describes a Node the test registers.
type node struct {
	name string
	edge bool
	ip   string
	port int32
}

// applyNode creates the Node, or updates its labels, then sets its addresses and kubelet endpoint port through
// the status subresource, as kubelet or edged do.
func applyNode(t *testing.T, ctx context.Context, n node) {
	t.Helper()
	nodes := cp.Client().CoreV1().Nodes()
	labels := map[string]string{"kubernetes.io/hostname": n.name}
	if n.edge {
		labels[syncer.EdgeRoleLabel] = ""
		labels["node-role.kubernetes.io/agent"] = ""
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		got, err := nodes.Get(ctx, n.name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			got, err = nodes.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.name, Labels: labels}}, metav1.CreateOptions{})
			if err == nil {
				t.Cleanup(func() { _ = nodes.Delete(context.Background(), n.name, metav1.DeleteOptions{}) })
			}
		} else if err == nil {
			got.Labels = labels
			got, err = nodes.Update(ctx, got, metav1.UpdateOptions{})
		}
		if err != nil {
			return err
		}
		got.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: n.ip}, {Type: corev1.NodeHostName, Address: n.name}}
		got.Status.DaemonEndpoints.KubeletEndpoint.Port = n.port
		_, err = nodes.UpdateStatus(ctx, got, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("applying node %s: %v", n.name, err)
	}
}

// applyTunnelPort creates or replaces the kubeedge/tunnelport record.
func applyTunnelPort(t *testing.T, ctx context.Context, record string) {
	t.Helper()
	cms := cp.Client().CoreV1().ConfigMaps(cloudcore.Namespace)
	want := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: cloudcore.TunnelPortConfigMapName, Namespace: cloudcore.Namespace,
		Annotations: map[string]string{cloudcore.TunnelPortAnnotation: record},
	}}
	_, err := cms.Create(ctx, want, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = cms.Update(ctx, want, metav1.UpdateOptions{})
	}
	if err != nil {
		t.Fatalf("applying the tunnelport record: %v", err)
	}
}

// standIn serves, inside ns on ap, what cloudcore's stream server would: an HTTP answer naming the stand-in,
// the Host header (the edge IP:port, which cloudcore uses to pick the session for metrics) and the path.
func standIn(t *testing.T, ns *netns.Namespace, name string, ap netip.AddrPort) {
	t.Helper()
	var l net.Listener
	if err := ns.Do(func() error {
		var err error
		l, err = net.Listen("tcp", ap.String())
		return err
	}); err != nil {
		t.Fatalf("listening on %s in %s: %v", ap, ns.Name, err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = fmt.Fprintf(w, "%s host=%s path=%s", name, r.Host, r.URL.Path)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// get sends GET path to ap from inside ns, and returns the body. A dial that is not forwarded goes to a silent
// link and times out, so failures are quick when expectReach is false.
func get(ns *netns.Namespace, ap, path string, expectReach bool) (string, error) {
	timeout := 300 * time.Millisecond
	if expectReach {
		timeout = 5 * time.Second
	}
	client := &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				var c net.Conn
				err := ns.Do(func() error {
					var d net.Dialer
					var err error
					c, err = d.DialContext(ctx, network, addr)
					return err
				})
				return c, err
			},
		},
	}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://" + ap + path)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// eventsFor lists the Events recorded on a Node with a reason.
func eventsFor(ctx context.Context, nodeName, reason string) ([]corev1.Event, error) {
	list, err := cp.Client().CoreV1().Events(metav1.NamespaceDefault).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=Node,involvedObject.name=" + nodeName + ",reason=" + reason,
	})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// eventSummary renders events for messages.
func eventSummary(events []corev1.Event) string {
	parts := make([]string, len(events))
	for i, e := range events {
		parts[i] = fmt.Sprintf("%s/%s %s %s x%d from %s@%s: %s", e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Type, e.Reason,
			e.Count, e.Source.Component, e.Source.Host, e.Message)
	}
	return strings.Join(parts, "\n")
}
