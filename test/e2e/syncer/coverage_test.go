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
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/generated/clientset/versioned"
	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
	"github.com/edgewatcher/edgewatcher/pkg/syncer"
	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// Bounds of the coverage test: a new node is reported on within about a second (the syncer's catch-up and
// heartbeat are rate-limited to one a second), well inside the default 10s resync period the syncer runs with.
const (
	coverageBound = 4 * time.Second
	pollEvery     = 50 * time.Millisecond
)

// TestCoverageOfNewNodes runs edgewatcher-apiserver and the real syncer against one control plane. A new edge
// node whose IP another node already has is never shown as forwarded, from its creation on: it is pending until
// the syncer's heartbeat covers it, then 0/1 Conflict. A new unique node reaches 1/1. Node churn renews the
// heartbeat Lease at most about once a second.
func TestCoverageOfNewNodes(t *testing.T) {
	ctx := t.Context()
	host := netns.New(t, netip.MustParsePrefix(hostIPv4+"/24"))
	kubeconfig := grantSyncerRBAC(t, ctx)
	applyTunnelPort(t, ctx, tunnelRecord)
	applyNode(t, ctx, node{name: "cloud-1", ip: hostIPv4})
	applyNode(t, ctx, node{name: "cov-a", edge: true, ip: "10.99.0.80", port: 10351})
	ew, err := cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{})
	if err != nil {
		t.Fatalf("starting edgewatcher-apiserver: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("----- edgewatcher-apiserver log tail -----\n%s", ew.LogTail(60))
		}
	})
	edgeNodes := versioned.NewForConfigOrDie(cp.RestConfig()).KubeedgeV1alpha1().EdgeNodes()
	// The default resync period: only the prompt heartbeat can meet the bounds below.
	startSyncer(t, kubeconfig, host.Name, "--node-name=cloud-1", "--default-target="+cloudcore1)
	forwarding := func(name string) string {
		en, err := edgeNodes.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		return describeCoverage(en)
	}
	framework.Eventually(t, "cov-a forwarded", 30*time.Second, func() (bool, string) {
		got := forwarding("cov-a")
		return got == "Joined 1/1", got
	})

	t.Run("a new node with a duplicate IP is never shown forwarded", func(t *testing.T) {
		obs := startObserving(t, ctx, edgeNodes, "cov-dup")
		created := time.Now()
		createEdgeNode(t, ctx, "cov-dup", "10.99.0.80", 10352)
		conflict := obs.waitFor(t, "Conflict 0/1", created, coverageBound)
		obs.stop()
		t.Logf("cov-dup: %s after creation; observations: %s", conflict.Round(time.Millisecond), obs.summary())
		for _, o := range obs.all() {
			if o.forwarding > 0 {
				t.Errorf("cov-dup shown forwarded by %d host(s) %v after its creation: %s", o.forwarding, o.at.Sub(created).Round(time.Millisecond), o.text)
			}
		}
	})

	t.Run("a new unique node reaches 1/1", func(t *testing.T) {
		obs := startObserving(t, ctx, edgeNodes, "cov-b")
		created := time.Now()
		createEdgeNode(t, ctx, "cov-b", "10.99.0.81", 10351)
		forwarded := obs.waitFor(t, "Joined 1/1", created, coverageBound)
		obs.stop()
		t.Logf("cov-b: 1/1 %s after creation; observations: %s", forwarded.Round(time.Millisecond), obs.summary())
	})

	t.Run("node churn renews the Lease at most once a second", func(t *testing.T) {
		leases := cp.Client().CoordinationV1().Leases(cloudcore.Namespace)
		w, err := leases.Watch(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", heartbeat.LeaseName("cloud-1")).String()})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		var writes int
		done := make(chan struct{})
		go func() {
			defer close(done)
			for ev := range w.ResultChan() {
				if ev.Type == watch.Modified {
					writes++
				}
			}
		}()
		start := time.Now()
		const churn = 5 * time.Second
		for i := 0; time.Since(start) < churn; i++ {
			applyNode(t, ctx, node{name: "cov-b", edge: true, ip: fmt.Sprintf("10.99.0.%d", 100+i%100), port: 10351})
			time.Sleep(20 * time.Millisecond) // deliberate: paces the churn
		}
		time.Sleep(1500 * time.Millisecond) // deliberate: waits out minObserveInterval so the last renewal is counted
		w.Stop()
		<-done
		elapsed := time.Since(start)
		t.Logf("%d Lease writes in %v with a Node change every 20ms for %v (%.2f/s)", writes, elapsed.Round(time.Millisecond), churn, float64(writes)/elapsed.Seconds())
		if limit := int(elapsed.Seconds()) + 2; writes > limit || writes == 0 {
			t.Errorf("%d Lease writes in %v, want 1 to %d", writes, elapsed, limit)
		}
		framework.Eventually(t, "cov-b forwarded at its last address", coverageBound, func() (bool, string) {
			got := forwarding("cov-b")
			return got == "Joined 1/1", got
		})
	})
}

// createEdgeNode creates an edge Node with its address and kubelet port in one request, as the API allows for
// Nodes, so no version of it lacks them.
func createEdgeNode(t *testing.T, ctx context.Context, name, ip string, port int32) {
	t.Helper()
	nodes := cp.Client().CoreV1().Nodes()
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name, syncer.EdgeRoleLabel: ""}},
		Status: corev1.NodeStatus{
			Addresses:       []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}, {Type: corev1.NodeHostName, Address: name}},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: port}},
		},
	}
	created, err := nodes.Create(ctx, n, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nodes.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	if len(created.Status.Addresses) == 0 {
		t.Fatalf("the API dropped the status of the created Node %s", name)
	}
}

// describeCoverage renders an edge node's phase and FORWARDING cell, as "Joined 1/1" or "Joined 0/1 (1 pending)".
func describeCoverage(en *v1alpha1.EdgeNode) string {
	f := en.Status.Forwarding
	if f == nil {
		return string(en.Status.Phase) + " <none>"
	}
	s := fmt.Sprintf("%s %d/%d", en.Status.Phase, f.ForwardingHosts, f.Hosts)
	if f.PendingHosts > 0 {
		s += fmt.Sprintf(" (%d pending)", f.PendingHosts)
	}
	return s
}

// observation is one read of an edge node.
type observation struct {
	at         time.Time
	text       string
	forwarding int32
}

// observer reads one edge node every pollEvery until stopped.
type observer struct {
	mu     sync.Mutex
	obs    []observation
	cancel context.CancelFunc
	done   chan struct{}
}

// startObserving polls the edge node called name, which need not exist yet.
func startObserving(t *testing.T, ctx context.Context, edgeNodes interface {
	Get(context.Context, string, metav1.GetOptions) (*v1alpha1.EdgeNode, error)
}, name string) *observer {
	ctx, cancel := context.WithCancel(ctx)
	o := &observer{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(o.done)
		for ctx.Err() == nil {
			en, err := edgeNodes.Get(ctx, name, metav1.GetOptions{})
			ob := observation{at: time.Now()}
			switch {
			case err != nil:
				ob.text = "error: " + err.Error()
			default:
				ob.text = describeCoverage(en)
				if en.Status.Forwarding != nil {
					ob.forwarding = en.Status.Forwarding.ForwardingHosts
				}
			}
			o.mu.Lock()
			o.obs = append(o.obs, ob)
			o.mu.Unlock()
			time.Sleep(pollEvery)
		}
	}()
	t.Cleanup(o.stop)
	return o
}

// waitFor returns how long after since the node was first observed as want, failing after bound.
func (o *observer) waitFor(t *testing.T, want string, since time.Time, bound time.Duration) time.Duration {
	t.Helper()
	for deadline := since.Add(bound); time.Now().Before(deadline); time.Sleep(pollEvery) {
		for _, ob := range o.all() {
			if ob.text == want {
				return ob.at.Sub(since)
			}
		}
	}
	t.Fatalf("not %q within %v; observations: %s", want, bound, o.summary())
	return 0
}

func (o *observer) stop() {
	o.cancel()
	<-o.done
}

func (o *observer) all() []observation {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]observation(nil), o.obs...)
}

// summary lists each distinct run of observations with its count.
func (o *observer) summary() string {
	var parts []string
	var last string
	n := 0
	for _, ob := range o.all() {
		if ob.text == last {
			n++
			continue
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%dx %q", n, last))
		}
		last, n = ob.text, 1
	}
	if n > 0 {
		parts = append(parts, fmt.Sprintf("%dx %q", n, last))
	}
	return strings.Join(parts, ", ")
}
