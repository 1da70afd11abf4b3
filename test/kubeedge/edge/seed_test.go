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

package edge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// The workload: busybox in the edge device's network (the edge host's CNI is loopback only), printing a line
// to its log and then waiting.
const (
	podNS     = "default"
	podName   = "hello"
	podLine   = "hello from the edge"
	container = "hello"
)

// TestSeedScenario is issue 14's seed scenario with nothing stood in, step by step; a failed step stops the
// test, since later steps build on its state.
func TestSeedScenario(t *testing.T) {
	edgecoreBin := requireSeedTools(t)
	ctx := t.Context()
	e := newEnv(t, ctx)
	c := e.cp.Client()
	step := func(name string, fn func(t *testing.T)) {
		if !t.Failed() {
			t.Run(name, fn)
		}
	}
	tunnelPort, _, err := e.cloudcore.TunnelPort(ctx, e.cp)
	if err != nil {
		t.Fatal(err)
	}

	var joinArgs []string
	step("EdgeWatcher generates the join command for the reserved node", func(t *testing.T) {
		if err := e.cp.ReserveEdgeNode(ctx, edgeNode, edgeIP); err != nil {
			t.Fatal(err)
		}
		var command string
		jc, err := e.cp.JoinCommand(ctx, edgeNode, kubeEdgeTag)
		if err != nil {
			t.Fatal(err)
		}
		command, joinArgs = jc.Command, jc.Args
		t.Logf("join command: %s", redactToken(command))
		if !slices.Contains(joinArgs, "--cloudcore-ipport="+framework.CloudcoreIP(0)+":10000") {
			t.Errorf("the command does not dial cloudcore's websocket port at %s: %q", framework.CloudcoreIP(0), redactToken(command))
		}
	})

	if t.Failed() {
		return
	}
	// The device and edgecore live as long as the whole test, not one step.
	edgecore := startEdgeCore(t, edgecoreBin, startEdgeDevice(t, e.edge), joinArgs)
	step("edgecore configured from the command joins cloudcore and its node becomes Ready", func(t *testing.T) {
		waitForEdgeNode(t, ctx, c, edgecore, int32(tunnelPort))
	})

	step("a pod bound to the edge node runs on the edge device", func(t *testing.T) {
		createPod(t, ctx, c)
		framework.Eventually(t, "pod "+podName+" Running", 3*time.Minute, func() (bool, string) {
			if edgecore.Proc.Exited() {
				t.Fatalf("edgecore exited: %v\n%s", edgecore.Proc.ExitError(), edgecore.Proc.LogTail(40))
			}
			p, err := c.CoreV1().Pods(podNS).Get(ctx, podName, metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			return p.Status.Phase == corev1.PodRunning, fmt.Sprintf("phase %s, conditions %v, containers %v", p.Status.Phase, p.Status.Conditions, p.Status.ContainerStatuses)
		})
	})

	framework.CreateNode(t, ctx, c, framework.NodeSpec{Name: controlPlaneNode, IP: framework.TopologyHostIP})
	step("without the syncer kubectl logs cannot reach the edge node", func(t *testing.T) {
		out, stderr, err := e.cp.Kubectl(ctx, "logs", podName, "-n", podNS, "--request-timeout=20s")
		if err == nil {
			t.Fatalf("kubectl logs succeeded without the syncer: %q", out)
		}
		t.Logf("kubectl logs without the syncer: %s", strings.TrimSpace(stderr))
	})
	if t.Failed() {
		return
	}

	framework.StartMetricsServerIn(t, ctx, e.cp, e.top.Host)
	syncer := framework.StartSyncerIn(t, e.cp, e.top.Host, syncerBinary(t), "--node-name="+controlPlaneNode, "--resync-period=2s")

	step("kubectl logs prints the edge container's log", func(t *testing.T) {
		framework.Eventually(t, "kubectl logs "+podName, 30*time.Second, func() (bool, string) {
			out, stderr, err := e.cp.Kubectl(ctx, "logs", podName, "-n", podNS, "--request-timeout=10s")
			if err != nil {
				return false, stderr
			}
			if strings.HasPrefix(out, "unable to retrieve container logs") {
				// edged answers so, with status 200, until the runtime has the container's log file.
				return false, out
			}
			if !strings.Contains(out, podLine) {
				t.Fatalf("kubectl logs %s printed %q, want %q", podName, out, podLine)
			}
			t.Logf("$ kubectl logs %s\n%s", podName, strings.TrimSpace(out))
			return true, ""
		})
	})

	step("kubectl exec runs a command in the edge container", func(t *testing.T) {
		out, stderr, err := e.cp.Kubectl(ctx, "exec", podName, "-n", podNS, "--request-timeout=20s", "--", "echo", "hi")
		if err != nil {
			t.Fatalf("kubectl exec: %v: %s", err, stderr)
		}
		if strings.TrimSpace(out) != "hi" {
			t.Fatalf("kubectl exec -- echo hi printed %q", out)
		}
		t.Logf("$ kubectl exec %s -- echo hi\n%s", podName, strings.TrimSpace(out))
	})

	step("kubectl top node shows the edge node's usage from metrics-server", func(t *testing.T) {
		framework.Eventually(t, "kubectl top node "+edgeNode, 8*framework.MetricsResolution, func() (bool, string) {
			out, stderr, err := e.cp.Kubectl(ctx, "top", "node", edgeNode)
			if err != nil {
				return false, stderr
			}
			if !strings.Contains(out, edgeNode) {
				return false, out
			}
			t.Logf("$ kubectl top node %s\n%s", edgeNode, strings.TrimSpace(out))
			return true, ""
		})
	})

	step("after edgewatcher-syncer cleanup logs, exec and top fail", func(t *testing.T) {
		framework.StopSyncer(t, syncer)
		framework.CleanupSyncerIn(t, e.top.Host, syncerBinary(t))
		for _, args := range [][]string{
			{"logs", podName, "-n", podNS, "--request-timeout=10s"},
			{"exec", podName, "-n", podNS, "--request-timeout=10s", "--", "echo", "hi"},
		} {
			out, stderr, err := e.cp.Kubectl(ctx, args...)
			if err == nil {
				t.Errorf("kubectl %s succeeded after cleanup: %q", args[0], out)
				continue
			}
			t.Logf("$ kubectl %s (after cleanup)\n%s", strings.Join(args, " "), strings.TrimSpace(stderr))
		}
		framework.Eventually(t, "kubectl top node "+edgeNode+" to fail", 4*framework.MetricsResolution, func() (bool, string) {
			out, stderr, err := e.cp.Kubectl(ctx, "top", "node", edgeNode)
			if err == nil {
				return false, "still shows " + strings.TrimSpace(out)
			}
			t.Logf("$ kubectl top node %s (after cleanup)\n%s", edgeNode, strings.TrimSpace(stderr))
			return true, ""
		})
	})
}

// waitForEdgeNode waits until edged registered the node through cloudcore with the device's InternalIP and,
// once edgestream connected, cloudcore's tunnel port as kubelet endpoint port; then until it is Ready.
func waitForEdgeNode(t *testing.T, ctx context.Context, c kubernetes.Interface, edgecore *framework.EdgeCore, port int32) {
	t.Helper()
	var node *corev1.Node
	framework.Eventually(t, "node "+edgeNode+" registered with its tunnel port", 3*time.Minute, func() (bool, string) {
		if edgecore.Proc.Exited() {
			t.Fatalf("edgecore exited: %v\n%s", edgecore.Proc.ExitError(), edgecore.Proc.LogTail(40))
		}
		n, err := c.CoreV1().Nodes().Get(ctx, edgeNode, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		node = n
		got := n.Status.DaemonEndpoints.KubeletEndpoint.Port
		return got == port && internalIP(n) == edgeIP, fmt.Sprintf("kubelet endpoint port %d (want %d), InternalIP %q", got, port, internalIP(n))
	})
	framework.Eventually(t, "node "+edgeNode+" Ready", 2*time.Minute, func() (bool, string) {
		n, err := c.CoreV1().Nodes().Get(ctx, edgeNode, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady {
				return cond.Status == corev1.ConditionTrue, fmt.Sprintf("Ready=%s: %s", cond.Status, cond.Message)
			}
		}
		return false, "no Ready condition"
	})
	t.Logf("node %s: InternalIP %s, kubelet endpoint port %d, labels %v", edgeNode, internalIP(node),
		node.Status.DaemonEndpoints.KubeletEndpoint.Port, node.Labels)
}

// internalIP returns the node's InternalIP address, or "".
func internalIP(n *corev1.Node) string {
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}

// createPod creates the busybox pod bound to the edge node; no scheduler runs, so spec.nodeName is set. It
// uses the host network (the edge host's CNI is loopback only), never pulls, and mounts no token (no
// controller-manager creates one; the ServiceAccount admission plugin's "default" account is created here).
func createPod(t *testing.T, ctx context.Context, c kubernetes.Interface) {
	t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: podNS}}
	if _, err := c.CoreV1().ServiceAccounts(podNS).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	noToken, grace := false, int64(1)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: podName, Namespace: podNS},
		Spec: corev1.PodSpec{
			NodeName:                      edgeNode,
			HostNetwork:                   true,
			AutomountServiceAccountToken:  &noToken,
			TerminationGracePeriodSeconds: &grace,
			Containers: []corev1.Container{{
				Name:            container,
				Image:           framework.BusyboxImageName,
				ImagePullPolicy: corev1.PullNever,
				Command:         []string{"/bin/sh", "-c", "echo " + podLine + "; while true; do sleep 5; done"},
			}},
		},
	}
	if _, err := c.CoreV1().Pods(podNS).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// redactToken replaces the JWT of a join token in s, so logs do not carry a credential.
func redactToken(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		if strings.HasPrefix(f, "--token=") {
			fields[i] = "--token=<redacted>"
		}
	}
	return strings.Join(fields, " ")
}
