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
	"bufio"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/pkg/generated/clientset/versioned"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// watchLine is one line kubectl printed, with the time it arrived.
type watchLine struct {
	fields []string
	at     time.Time
}

// startKubectlWatch runs `kubectl get edgenodes -w --output-watch-events` and streams its lines.
func startKubectlWatch(t *testing.T, ctx context.Context, args ...string) <-chan watchLine {
	t.Helper()
	bin, err := framework.BinPath("kubectl")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	cmdArgs := append([]string{"--kubeconfig=" + cp.AdminKubeconfig, "get", "edgenodes", "-w", "--output-watch-events", "--no-headers"}, args...)
	cmd := exec.CommandContext(ctx, bin, cmdArgs...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan watchLine, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- watchLine{fields: strings.Fields(sc.Text()), at: time.Now()}
		}
	}()
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("kubectl -w stderr: %s", stderr.String())
		}
	})
	return lines
}

// expectWatchLine waits for kubectl to print event for name within limit of since.
func expectWatchLine(t *testing.T, lines <-chan watchLine, since time.Time, limit time.Duration, event, name string, more ...string) {
	t.Helper()
	timeout := time.After(limit + 5*time.Second) // report late lines as late rather than missing
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("kubectl -w exited while waiting for %s %s", event, name)
			}
			if len(l.fields) < 2 || l.fields[0] != event || l.fields[1] != name {
				t.Fatalf("kubectl -w printed %v, want %s %s", l.fields, event, name)
			}
			for i, m := range more {
				if len(l.fields) < 3+i || l.fields[2+i] != m {
					t.Errorf("kubectl -w printed %v, want %s %s %v", l.fields, event, name, more)
				}
			}
			if took := l.at.Sub(since); took > limit {
				t.Errorf("%s %s arrived after %v, want within %v", event, name, took, limit)
			}
			return
		case <-timeout:
			t.Fatalf("kubectl -w did not print %s %s", event, name)
		}
	}
}

func TestKubectlWatchSeesAddUpdateDelete(t *testing.T) {
	ctx := context.Background()
	const limit = 2 * time.Second
	createNode(t, ctx, nodeSpec{name: "watch-sentinel", labels: edgeLabels("watch"), ip: "198.51.100.30", port: 10351, ready: corev1.ConditionTrue})
	lines := startKubectlWatch(t, ctx, "-l", "e2e-test=watch")
	expectWatchLine(t, lines, time.Now(), 30*time.Second, "ADDED", "watch-sentinel", "Ready")

	// A Node is registered in two writes, as kubelet does: the object, then its status.

	start := time.Now()
	createNode(t, ctx, nodeSpec{name: "watch-edge", labels: edgeLabels("watch"), ip: "198.51.100.31", port: 10351, ready: corev1.ConditionTrue})
	expectWatchLine(t, lines, start, limit, "ADDED", "watch-edge")
	expectWatchLine(t, lines, start, limit, "MODIFIED", "watch-edge", "Ready", "198.51.100.31", "10351")

	start = time.Now()
	updateNode(t, ctx, "watch-edge", func(n *corev1.Node) { n.Status.Conditions[0].Status = corev1.ConditionFalse }, true)
	expectWatchLine(t, lines, start, limit, "MODIFIED", "watch-edge", "NotReady")

	start = time.Now()
	updateNode(t, ctx, "watch-edge", func(n *corev1.Node) { n.Status.DaemonEndpoints.KubeletEndpoint.Port = 10355 }, true)
	expectWatchLine(t, lines, start, limit, "MODIFIED", "watch-edge", "NotReady", "198.51.100.31", "10355")

	start = time.Now()
	updateNode(t, ctx, "watch-edge", func(n *corev1.Node) { delete(n.Labels, edgeLabel) }, false)
	expectWatchLine(t, lines, start, limit, "DELETED", "watch-edge")
	if out := kubectl(t, ctx, "get", "edgenodes", "-l", "e2e-test=watch", "-o", "name"); strings.Contains(out, "watch-edge") {
		t.Errorf("a node without the edge label is still listed:\n%s", out)
	}

	start = time.Now()
	updateNode(t, ctx, "watch-edge", func(n *corev1.Node) { n.Labels[edgeLabel] = "" }, false)
	expectWatchLine(t, lines, start, limit, "ADDED", "watch-edge")
	if out := kubectl(t, ctx, "get", "edgenodes", "-l", "e2e-test=watch", "-o", "name"); !strings.Contains(out, "edgenode.kubeedge.kubesphere.io/watch-edge") {
		t.Errorf("a node that gained the edge label is not listed:\n%s", out)
	}

	start = time.Now()
	if err := cp.Client().CoreV1().Nodes().Delete(ctx, "watch-edge", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expectWatchLine(t, lines, start, limit, "DELETED", "watch-edge")

	// A node that never had the edge label produces no event.
	createNode(t, ctx, nodeSpec{name: "watch-cloud", labels: map[string]string{"e2e-test": "watch"}, ip: "192.0.2.31", port: 10250, ready: corev1.ConditionTrue})
	select {
	case l := <-lines:
		t.Errorf("unexpected line for a cloud node: %v", l.fields)
	case <-time.After(time.Second):
	}
}

func TestWatchResourceVersionSemantics(t *testing.T) {
	ctx := context.Background()
	client := versioned.NewForConfigOrDie(cp.RestConfig()).KubeedgeV1alpha1().EdgeNodes()
	createNode(t, ctx, nodeSpec{name: "rv-edge", labels: edgeLabels("rv"), ip: "198.51.100.40", port: 10351, ready: corev1.ConditionTrue})
	var list *v1alpha1.EdgeNodeList
	framework.Eventually(t, "1 rv edge node listed", 10*time.Second, framework.Succeeds(func() error {
		l, err := client.List(ctx, metav1.ListOptions{LabelSelector: "e2e-test=rv"})
		if err == nil && len(l.Items) != 1 {
			return errorf("want 1 item, got %d", len(l.Items))
		}
		list = l
		return err
	}))

	t.Run("resume from the list version sees later changes only", func(t *testing.T) {
		w, err := client.Watch(ctx, metav1.ListOptions{LabelSelector: "e2e-test=rv", ResourceVersion: list.ResourceVersion})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		updateNode(t, ctx, "rv-edge", func(n *corev1.Node) { n.Status.Conditions[0].Status = corev1.ConditionFalse }, true)
		select {
		case ev := <-w.ResultChan():
			if ev.Type != "MODIFIED" {
				t.Fatalf("first event = %s, want MODIFIED (no replay when resuming)", ev.Type)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
	})
	t.Run("resourceVersion 0 replays current items", func(t *testing.T) {
		w, err := client.Watch(ctx, metav1.ListOptions{LabelSelector: "e2e-test=rv", ResourceVersion: "0"})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		select {
		case ev := <-w.ResultChan():
			if ev.Type != "ADDED" {
				t.Fatalf("first event = %s, want ADDED", ev.Type)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no replayed event")
		}
	})
	t.Run("too old resourceVersion is 410 Gone", func(t *testing.T) {
		w, err := client.Watch(ctx, metav1.ListOptions{ResourceVersion: "1"})
		if err == nil {
			ev := <-w.ResultChan()
			w.Stop()
			t.Fatalf("watch from resourceVersion 1 succeeded; first event %v", ev)
		}
		if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
			t.Fatalf("err = %v, want 410 Gone", err)
		}
	})
}
