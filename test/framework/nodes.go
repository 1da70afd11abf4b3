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

package framework

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
)

// NodeSpec is a Node a test registers, with the status edged would report after its tunnel connected.
type NodeSpec struct {
	Name string
	// Edge adds the labels KubeEdge gives edge nodes.
	Edge bool
	// IP is the InternalIP; Port the kubelet endpoint port (the owning cloudcore's tunnel port on an edge node).
	IP   string
	Port int32
}

// CreateNode creates the Node and sets its status (Ready, addresses, kubelet endpoint port, capacity) through
// the status subresource, as kubelet or edged do.
func CreateNode(t testing.TB, ctx context.Context, c kubernetes.Interface, n NodeSpec) {
	t.Helper()
	labels := map[string]string{"kubernetes.io/hostname": n.Name}
	if n.Edge {
		labels[EdgeRoleLabel] = ""
		labels["node-role.kubernetes.io/agent"] = ""
	}
	got, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: labels}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating node %s: %v", n.Name, err)
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("2"),
		corev1.ResourceMemory: resource.MustParse("4Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	now := metav1.Now()
	got.Status = corev1.NodeStatus{
		Capacity:        capacity,
		Allocatable:     capacity,
		Addresses:       []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: n.IP}, {Type: corev1.NodeHostName, Address: n.Name}},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: n.Port}},
		Conditions: []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			LastHeartbeatTime: now, LastTransitionTime: now,
		}},
	}
	if _, err := c.CoreV1().Nodes().UpdateStatus(ctx, got, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("setting the status of node %s: %v", n.Name, err)
	}
}

// CreateTunnelPort creates namespace kubeedge and its tunnelport record.
func CreateTunnelPort(t testing.TB, ctx context.Context, c kubernetes.Interface, record string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: cloudcore.Namespace}}
	if _, err := c.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: cloudcore.TunnelPortConfigMapName, Namespace: cloudcore.Namespace,
		Annotations: map[string]string{cloudcore.TunnelPortAnnotation: record},
	}}
	if _, err := c.CoreV1().ConfigMaps(cloudcore.Namespace).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating the tunnelport record: %v", err)
	}
}

// CreateRunningPod creates a one-container pod bound to nodeName and reports it Running, as edged would.
func CreateRunningPod(t testing.TB, ctx context.Context, c kubernetes.Interface, namespace, name, container, nodeName string) {
	t.Helper()
	// No controller-manager runs, so the ServiceAccount admission plugin's "default" account is created here.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: namespace}}
	if _, err := c.CoreV1().ServiceAccounts(namespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	noToken := false
	pod, err := c.CoreV1().Pods(namespace).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: corev1.PodSpec{
			NodeName:                     nodeName,
			AutomountServiceAccountToken: &noToken,
			Containers:                   []corev1.Container{{Name: container, Image: "registry.invalid/edge-app:1"}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating pod %s/%s: %v", namespace, name, err)
	}
	started := metav1.NewTime(time.Now().Add(-time.Minute))
	pod.Status = corev1.PodStatus{
		Phase:      corev1.PodRunning,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
		StartTime:  &started,
		ContainerStatuses: []corev1.ContainerStatus{{
			Name: container, Image: "registry.invalid/edge-app:1", Ready: true,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}},
		}},
	}
	if _, err := c.CoreV1().Pods(namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("reporting pod %s/%s Running: %v", namespace, name, err)
	}
}
