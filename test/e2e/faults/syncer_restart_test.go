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
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/kernelstate"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// Addresses of the syncer test: the namespace standing for the control-plane host has hostIP on a silent link;
// edge nodes are in its subnet and are forwarded to the default target's stream port.
const (
	syncHostIP  = "10.99.0.1"
	syncTarget  = "10.98.1.2"
	streamPort  = "10003"
	resync      = time.Second
	heldOutages = 3 * resync
)

// tunnelOwners are the cloudcores owning tunnel ports in the kubeedge/tunnelport record framework.SeedKubeEdge
// writes; other ports go to the default target.
var tunnelOwners = map[int32]string{10351: "192.0.2.10", 10352: "192.0.2.11"}

// TestSyncerForwardingSurvivesControlPlaneRestarts runs edgewatcher-syncer against the control plane, programming
// a network namespace the test creates, and kills kube-apiserver, then etcd. It proves that the kernel state
// (ipset entries and DNAT rules) stays exactly as it was and /healthz stays 200 through each outage, that the
// syncer noticed the kube-apiserver outage (failed heartbeats), and that a Node changed after the kube-apiserver
// restart, and one changed during the etcd outage, are forwarded as they are now once the API is back.
func TestSyncerForwardingSurvivesControlPlaneRestarts(t *testing.T) {
	if err := framework.CheckNetnsTools(); err != nil {
		netns.SkipOrFail(t, "%v", err)
	}
	hostBefore, err := framework.HostForwardingTrace()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if after, err := framework.HostForwardingTrace(); err != nil || after != hostBefore {
			t.Errorf("the host's own namespace changed (%v):\nbefore: %q\nafter:  %q", err, hostBefore, after)
		}
	})
	host := netns.New(t, netip.MustParsePrefix(syncHostIP+"/24"))
	nodes := []edgeNode{{"sync-a", "10.99.0.50", 10351}, {"sync-b", "10.99.0.51", 10352}, {"sync-c", "10.99.0.52", 10350}}
	for _, n := range nodes {
		if err := applyEdgeNode(t, n, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	s := startSyncer(t, host, syncHostIP, syncTarget)
	want := forwardedTo(nodes)
	t.Logf("first sync exact %v after /readyz", ms(waitKernel(t, host, want, time.Now())))

	// kube-apiserver: down until the syncer has failed heartbeats and 3 resync periods passed.
	heartbeatErrors := s.metric("edgewatcher_syncer_heartbeat_errors_total")
	m := startMonitor(host, s, want)
	killed := time.Now()
	if err := cp.KillKubeAPIServer(); err != nil {
		t.Fatal(err)
	}
	deadline := killed.Add(20 * time.Second)
	for (!m.enough(killed) || s.metric("edgewatcher_syncer_heartbeat_errors_total") <= heartbeatErrors) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if err := cp.StartKubeAPIServerAgain(t.Context()); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	m.stop(t, "kube-apiserver", up.Sub(killed))
	if got := s.metric("edgewatcher_syncer_heartbeat_errors_total"); got <= heartbeatErrors {
		t.Errorf("heartbeat errors %v, want more than %v: the syncer did not notice the outage", got, heartbeatErrors)
	}
	nodes[0].port = 10353
	if err := applyEdgeNode(t, nodes[0], time.Minute); err != nil {
		t.Fatal(err)
	}
	want = forwardedTo(nodes)
	t.Logf("kube-apiserver: sync-a moved to port 10353 after the restart; forwarded exactly %v after kube-apiserver was ready", ms(waitKernel(t, host, want, up)))

	// etcd: a Node changed while etcd is down. kube-apiserver holds the write until etcd is back, unless the
	// kill cuts it in flight (etcd's client does not retry a write that may have been applied): then it fails
	// with a clear error and is sent again, as a kubelet would.
	nodes[1].port = 10354
	m = startMonitor(host, s, want)
	killed = time.Now()
	if err := cp.KillEtcd(); err != nil {
		t.Fatal(err)
	}
	written := make(chan error, 1)
	var attempts []error
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		failed, err := setKubeletPort(ctx, nodes[1].name, nodes[1].port)
		attempts = failed // read after written is received
		written <- err
	}()
	deadline = killed.Add(20 * time.Second)
	for !m.enough(killed) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	m.stop(t, "etcd", time.Since(killed))
	if err := cp.StartEtcdAgain(t.Context()); err != nil {
		t.Fatal(err)
	}
	up = time.Now()
	if err := <-written; err != nil {
		t.Fatalf("moving %s to port %d during the etcd outage: %v (earlier attempts: %v)", nodes[1].name, nodes[1].port, err, attempts)
	}
	t.Logf("etcd: the status update of %s sent during the outage succeeded %v after etcd was healthy, after %d failed attempts %v",
		nodes[1].name, ms(time.Since(up)), len(attempts), attempts)
	want = forwardedTo(nodes)
	t.Logf("etcd: %s moved to port %d during the outage; forwarded exactly %v after etcd was healthy", nodes[1].name, nodes[1].port, ms(waitKernel(t, host, want, up)))
	if code, body := s.get("/healthz"); code != http.StatusOK {
		t.Errorf("syncer /healthz after the outages: %d %s", code, body)
	}
}

// forwardedTo is what the syncer should forward for nodes: each node's kubelet port to the stream port of the
// cloudcore owning that tunnel port, or of the default target.
func forwardedTo(nodes []edgeNode) map[string]string {
	want := map[string]string{}
	for _, n := range nodes {
		target, ok := tunnelOwners[n.port]
		if !ok {
			target = syncTarget
		}
		want[fmt.Sprintf("%s:%d", n.ip, n.port)] = target + ":" + streamPort
	}
	return want
}

// waitKernel polls the namespace until it forwards exactly want, and returns how long that took from since.
func waitKernel(t *testing.T, ns *netns.Namespace, want map[string]string, since time.Time) time.Duration {
	t.Helper()
	var last []string
	var raw string
	return poll(t, since, "kernel state", func() string {
		st, err := kernelstate.Read(ns)
		if err != nil {
			t.Fatal(err)
		}
		if last, raw = st.EnabledProblems(want, "ipv4"), st.Raw; len(last) == 0 {
			return ""
		}
		return strings.Join(last, "; ") + "\nkernel state:\n" + raw
	})
}

// minSamples is how many samples a monitor takes at least during an outage.
const minSamples = 5

// monitor samples the kernel state and the syncer's /healthz until stopped.
type monitor struct {
	done     chan struct{}
	wg       sync.WaitGroup
	samples  atomic.Int64
	failures []string
}

// enough reports whether the outage that began at killed has lasted heldOutages and minSamples were taken.
func (m *monitor) enough(killed time.Time) bool {
	return time.Since(killed) >= heldOutages && m.samples.Load() >= minSamples
}

// startMonitor samples every 100ms that ns forwards exactly want and that the syncer's /healthz is 200.
func startMonitor(ns *netns.Namespace, s *syncerProc, want map[string]string) *monitor {
	m := &monitor{done: make(chan struct{})}
	m.wg.Go(func() {
		for {
			select {
			case <-m.done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			st, err := kernelstate.Read(ns)
			switch {
			case err != nil:
				m.failures = append(m.failures, err.Error())
			case len(st.EnabledProblems(want, "ipv4")) > 0:
				m.failures = append(m.failures, strings.Join(st.EnabledProblems(want, "ipv4"), "; "))
			}
			if code, body := s.get("/healthz"); code != http.StatusOK {
				m.failures = append(m.failures, fmt.Sprintf("/healthz %d %s", code, body))
			}
			m.samples.Add(1)
		}
	})
	return m
}

// stop ends the sampling and fails the test for any sample that differed.
func (m *monitor) stop(t *testing.T, outage string, down time.Duration) {
	t.Helper()
	close(m.done)
	m.wg.Wait()
	for _, f := range m.failures {
		t.Errorf("during the %s outage: %s", outage, f)
	}
	t.Logf("%s outage: down %v; %d samples of the kernel state and /healthz, %d differed", outage, ms(down), m.samples.Load(), len(m.failures))
	if m.samples.Load() < minSamples {
		t.Errorf("only %d samples during the %s outage, want %d", m.samples.Load(), outage, minSamples)
	}
}

// setKubeletPort sets a Node's kubelet endpoint port, sending the update again while it fails, and returns the
// errors of the failed attempts. Each attempt must fail quickly and clearly or succeed: the caller's deadline
// bounds them all.
func setKubeletPort(ctx context.Context, name string, port int32) ([]error, error) {
	var failed []error
	for {
		node, err := cp.Client().CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			node.Status.DaemonEndpoints.KubeletEndpoint.Port = port
			if _, err = cp.Client().CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err == nil {
				return failed, nil
			}
		}
		if ctx.Err() != nil {
			return failed, err
		}
		failed = append(failed, err)
		time.Sleep(250 * time.Millisecond)
	}
}
