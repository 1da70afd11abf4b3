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

package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// The edge nodes: edge-a's tunnel is on cloudcore-1 (port 10351), edge-b's on cloudcore-2 (10352). Their
// InternalIPs are documentation addresses that no interface has.
const (
	edgeAIP  = "192.0.2.10"
	edgeBIP  = "192.0.2.11"
	edgeAEnd = edgeAIP + ":10351"
	edgeBEnd = edgeBIP + ":10352"
	// controlPlaneNode is the Node of the control-plane host, whose name the syncer is given.
	controlPlaneNode = "control-plane"
)

// tunnelRecord is cloudcore's kubeedge/tunnelport record for the two stand-ins.
var tunnelRecord = `{"ipTunnelPort":{"` + cloudcore1 + `":10351,"` + cloudcore2 + `":10352},"port":{"10351":true,"10352":true}}`

// What the stand-ins serve, and what `kubectl top` must print for it.
var (
	edgeA = edgeUsage{node: "edge-a", cpuCores: 0.25, memoryBytes: 300 << 20,
		podNamespace: "default", pod: "app-a", container: "app", containerCPUCores: 0.05, containerMemoryBytes: 20 << 20}
	edgeB = edgeUsage{node: "edge-b", cpuCores: 0.5, memoryBytes: 700 << 20,
		podNamespace: "default", pod: "app-b", container: "app", containerCPUCores: 0.125, containerMemoryBytes: 40 << 20}
)

// TestLogsAndTopThroughSyncer reproduces the original bug (kube-apiserver and metrics-server dial an edge
// node's InternalIP:tunnel port and time out) and shows edgewatcher-syncer fixes it, step by step; a failed step
// stops the test, since later steps build on its state.
func TestLogsAndTopThroughSyncer(t *testing.T) {
	ctx := t.Context()
	top := framework.NewCloudTopology(t, 2)
	startStandIn(t, top.Cloudcores[0], "cloudcore-1", cloudcore1, map[string]edgeUsage{edgeAIP: edgeA})
	startStandIn(t, top.Cloudcores[1], "cloudcore-2", cloudcore2, map[string]edgeUsage{edgeBIP: edgeB})

	cp, err := framework.StartControlPlane(ctx, framework.ControlPlaneOptions{
		Netns: top.Host,
		Logf:  t.Logf,
		// As kubeadm sets it: the InternalIP, not the host name, is how the control plane reaches a node.
		ExtraAPIServerArgs: []string{"--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(cp.LogTail(40))
		}
		if err := cp.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	c := cp.Client()
	framework.CreateTunnelPort(t, ctx, c, tunnelRecord)
	framework.CreateNode(t, ctx, c, framework.NodeSpec{Name: controlPlaneNode, IP: hostIP})
	framework.CreateNode(t, ctx, c, framework.NodeSpec{Name: edgeA.node, Edge: true, IP: edgeAIP, Port: 10351})
	framework.CreateNode(t, ctx, c, framework.NodeSpec{Name: edgeB.node, Edge: true, IP: edgeBIP, Port: 10352})
	for _, e := range []edgeUsage{edgeA, edgeB} {
		framework.CreateRunningPod(t, ctx, c, e.podNamespace, e.pod, e.container, e.node)
	}
	metricsServer := framework.StartMetricsServerIn(t, ctx, cp, top.Host)

	step := func(name string, fn func(t *testing.T)) {
		if !t.Failed() {
			t.Run(name, fn)
		}
	}

	step("without the syncer kubectl logs times out dialing the edge node", func(t *testing.T) {
		expectLogsTimeout(t, ctx, cp)
	})

	step("without the syncer metrics-server cannot scrape the edge nodes", func(t *testing.T) {
		for _, e := range []struct{ node, endpoint string }{{edgeA.node, edgeAEnd}, {edgeB.node, edgeBEnd}} {
			framework.Eventually(t, "metrics-server's scrape failure for "+e.node, 3*framework.MetricsResolution, func() (bool, string) {
				return scrapeFailed(metricsServer.LogTail(400), e.node, e.endpoint), "no failed scrape of " + e.endpoint + " logged"
			})
		}
		if out, _, err := cp.Kubectl(ctx, "top", "node", edgeA.node); err == nil {
			t.Errorf("kubectl top node %s succeeded without the syncer:\n%s", edgeA.node, out)
		}
	})
	if t.Failed() {
		return
	}

	started := time.Now()
	syncer := framework.StartSyncerIn(t, cp, top.Host, syncerBin, "--node-name="+controlPlaneNode, "--default-target="+cloudcore1, "--resync-period=2s")
	t.Logf("edgewatcher-syncer ready (first sync applied) %v after start", time.Since(started).Round(time.Millisecond))

	step("kubectl logs reaches the cloudcore that owns the edge node's tunnel", func(t *testing.T) {
		expectLogs(t, ctx, cp, edgeA, "cloudcore-1", edgeAEnd)
		expectLogs(t, ctx, cp, edgeB, "cloudcore-2", edgeBEnd)
	})

	step("the node proxy reaches the owning cloudcore", func(t *testing.T) {
		for _, e := range []struct {
			edge    edgeUsage
			standIn string
		}{{edgeA, "cloudcore-1"}, {edgeB, "cloudcore-2"}} {
			out, _, err := cp.Kubectl(ctx, "get", "--raw", "/api/v1/nodes/"+e.edge.node+"/proxy/stats/summary")
			if err != nil {
				t.Fatal(err)
			}
			var summary struct {
				Node     struct{ NodeName string } `json:"node"`
				ServedBy string                    `json:"servedBy"`
			}
			if err := json.Unmarshal([]byte(out), &summary); err != nil {
				t.Fatalf("decoding /stats/summary of %s: %v\n%s", e.edge.node, err, out)
			}
			if summary.Node.NodeName != e.edge.node || summary.ServedBy != e.standIn {
				t.Errorf("/stats/summary of %s = node %q served by %q, want node %q served by %q",
					e.edge.node, summary.Node.NodeName, summary.ServedBy, e.edge.node, e.standIn)
			}
		}
	})

	step("kubectl top node prints what the owning cloudcore served", func(t *testing.T) {
		expectTop(t, ctx, cp, []string{"top", "node", edgeA.node}, edgeA.node, "250m", "300Mi")
		expectTop(t, ctx, cp, []string{"top", "node", edgeB.node}, edgeB.node, "500m", "700Mi")
	})

	step("kubectl top pod prints the edge containers' usage", func(t *testing.T) {
		expectTop(t, ctx, cp, []string{"top", "pod", edgeA.pod, "-n", edgeA.podNamespace}, edgeA.pod, "50m", "20Mi")
		expectTop(t, ctx, cp, []string{"top", "pod", edgeB.pod, "-n", edgeB.podNamespace}, edgeB.pod, "125m", "40Mi")
	})

	step("stopping the syncer keeps the forwarding", func(t *testing.T) {
		framework.StopSyncer(t, syncer)
		expectLogs(t, ctx, cp, edgeA, "cloudcore-1", edgeAEnd)
	})

	step("after edgewatcher-syncer cleanup kubectl logs times out again", func(t *testing.T) {
		framework.CleanupSyncerIn(t, top.Host, syncerBin)
		expectLogsTimeout(t, ctx, cp)
	})
}

// expectLogs checks that `kubectl logs` of e's pod prints the line the named stand-in serves for endpoint.
func expectLogs(t *testing.T, ctx context.Context, cp *framework.ControlPlane, e edgeUsage, standIn, endpoint string) {
	t.Helper()
	out, _, err := cp.Kubectl(ctx, "logs", e.pod, "-n", e.podNamespace)
	if err != nil {
		t.Fatal(err)
	}
	if want := logLine(standIn, e.podNamespace, e.pod, e.container, endpoint); strings.TrimSpace(out) != want {
		t.Errorf("kubectl logs %s printed %q, want %q", e.pod, out, want)
	}
}

// expectLogsTimeout checks that `kubectl logs` of edge-a's pod fails because kube-apiserver's dial of the edge
// node's InternalIP and tunnel port times out: the original bug.
func expectLogsTimeout(t *testing.T, ctx context.Context, cp *framework.ControlPlane) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	started := time.Now()
	out, stderr, err := cp.Kubectl(ctx, "logs", edgeA.pod, "-n", edgeA.podNamespace)
	if err == nil {
		t.Fatalf("kubectl logs %s succeeded:\n%s", edgeA.pod, out)
	}
	if !strings.Contains(stderr, "dial tcp "+edgeAEnd) || !strings.Contains(stderr, "timeout") {
		t.Fatalf("kubectl logs %s failed with %q, want a dial timeout to %s", edgeA.pod, stderr, edgeAEnd)
	}
	t.Logf("kubectl logs failed after %v: %s", time.Since(started).Round(time.Second), strings.TrimSpace(stderr))
}

// scrapeFailed reports whether metrics-server's log shows a failed scrape of node at endpoint.
func scrapeFailed(log, node, endpoint string) bool {
	for l := range strings.Lines(log) {
		if strings.Contains(l, "Failed to scrape node") && strings.Contains(l, `node="`+node+`"`) && strings.Contains(l, endpoint) {
			return true
		}
	}
	return false
}

// expectTop runs kubectl with args until the row named name shows cpu and memory, for up to six scrape periods:
// metrics-server needs two scrapes for a CPU rate.
func expectTop(t *testing.T, ctx context.Context, cp *framework.ControlPlane, args []string, name, cpu, memory string) {
	t.Helper()
	framework.Eventually(t, "kubectl "+strings.Join(args, " "), 6*framework.MetricsResolution, func() (bool, string) {
		out, _, err := cp.Kubectl(ctx, args...)
		if err != nil {
			return false, err.Error()
		}
		row, err := topRow(out, name)
		if err != nil {
			return false, err.Error()
		}
		if row["CPU(cores)"] != cpu || row["MEMORY(bytes)"] != memory {
			t.Fatalf("kubectl %s shows CPU %s and memory %s for %s, want %s and %s:\n%s",
				strings.Join(args, " "), row["CPU(cores)"], row["MEMORY(bytes)"], name, cpu, memory, out)
		}
		return true, ""
	})
}

// topRow returns the columns of the row named name in kubectl top's output, keyed by header.
func topRow(out, name string) (map[string]string, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	header := strings.Fields(lines[0])
	for _, l := range lines[1:] {
		fields := strings.Fields(l)
		if len(fields) != len(header) || fields[0] != name {
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			row[h] = fields[i]
		}
		return row, nil
	}
	return nil, fmt.Errorf("no row %s in:\n%s", name, out)
}
