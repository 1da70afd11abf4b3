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

package faults

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// edgeRoleLabel marks a Node as a KubeEdge edge node.
const edgeRoleLabel = "node-role.kubernetes.io/edge"

// edgeNode is a Node registered as edged registers one.
type edgeNode struct {
	name, ip string
	port     int32
}

// applyEdgeNode creates the Node, or updates it, and sets its addresses, kubelet port and Ready condition through
// the status subresource. It returns the last error when that does not succeed within timeout. The Node is
// deleted when the test ends.
func applyEdgeNode(t *testing.T, n edgeNode, timeout time.Duration) error {
	t.Helper()
	nodes := cp.Client().CoreV1().Nodes()
	deadline := time.Now().Add(timeout)
	cleanup := true
	for {
		err := func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got, err := nodes.Get(ctx, n.name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				got, err = nodes.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.name, Labels: map[string]string{edgeRoleLabel: ""}}}, metav1.CreateOptions{})
			}
			if err != nil {
				return err
			}
			if cleanup {
				cleanup = false
				t.Cleanup(func() { _ = nodes.Delete(context.Background(), n.name, metav1.DeleteOptions{}) })
			}
			now := metav1.Now()
			got.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: n.ip}, {Type: corev1.NodeHostName, Address: n.name}}
			got.Status.DaemonEndpoints.KubeletEndpoint.Port = n.port
			got.Status.NodeInfo.KubeletVersion = "v1.31.5-kubeedge-v1.23.1"
			got.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "EdgeReady", LastHeartbeatTime: now, LastTransitionTime: now}}
			_, err = nodes.UpdateStatus(ctx, got, metav1.UpdateOptions{})
			return err
		}()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}
