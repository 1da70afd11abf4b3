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
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const edgeLabel = "node-role.kubernetes.io/edge"

// nodeSpec describes a Node the test registers, as kubelet or edged would.
type nodeSpec struct {
	name    string
	labels  map[string]string
	ip      string
	port    int32
	ready   corev1.ConditionStatus
	kubelet string
}

// createNode registers a Node and sets its status through the status subresource.
func createNode(t *testing.T, ctx context.Context, s nodeSpec) *corev1.Node {
	t.Helper()
	client := cp.Client()
	n, err := client.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: s.name, Labels: s.labels}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating node %s: %v", s.name, err)
	}
	t.Cleanup(func() {
		_ = client.CoreV1().Nodes().Delete(context.Background(), s.name, metav1.DeleteOptions{})
	})
	setNodeStatus(n, s)
	n, err = client.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("setting status of node %s: %v", s.name, err)
	}
	return n
}

func setNodeStatus(n *corev1.Node, s nodeSpec) {
	kubelet := s.kubelet
	if kubelet == "" {
		kubelet = "v1.31.5-kubeedge-v1.23.1"
	}
	n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: s.ip}, {Type: corev1.NodeHostName, Address: s.name}}
	n.Status.DaemonEndpoints.KubeletEndpoint.Port = s.port
	n.Status.NodeInfo.KubeletVersion = kubelet
	n.Status.Conditions = []corev1.NodeCondition{{
		Type: corev1.NodeReady, Status: s.ready, Reason: "KubeletReady", Message: "edged is posting ready status",
		LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now(),
	}}
}

// updateNode applies mutate to the latest Node, retrying on conflicts.
func updateNode(t *testing.T, ctx context.Context, name string, mutate func(*corev1.Node), status bool) {
	t.Helper()
	nodes := cp.Client().CoreV1().Nodes()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := nodes.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("reading node %s: %v", name, err)
		}
		mutate(n)
		if status {
			_, err = nodes.UpdateStatus(ctx, n, metav1.UpdateOptions{})
		} else {
			_, err = nodes.Update(ctx, n, metav1.UpdateOptions{})
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("updating node %s: %v", name, err)
		}
	}
}

func edgeLabels(test string, extra ...string) map[string]string {
	l := map[string]string{edgeLabel: "", "node-role.kubernetes.io/agent": "", "e2e-test": test}
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}
