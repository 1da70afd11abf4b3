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

package cloudcore_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// controlPlaneNode is the Node of the control-plane host, whose name the syncer is given.
const controlPlaneNode = "control-plane"

// edgeEndpoint is an edge node as the tests register it, with its pod and the cloudcore owning its tunnel.
type edgeEndpoint struct {
	node, ip, pod string
	port          int
	owner         int
}

func (ep edgeEndpoint) addr() string { return net.JoinHostPort(ep.ip, strconv.Itoa(ep.port)) }

// checkForwarding registers two edge nodes, one per cloudcore, and follows kube-apiserver's requests for them
// through the syncer's DNAT to the owning cloudcore's real stream server.
func checkForwarding(t *testing.T, ctx context.Context, e *env, ports [2]int) {
	c := e.cp.Client()
	edges := []edgeEndpoint{
		{node: edgeA, ip: edgeAIP, pod: "app-a", port: ports[0], owner: 0},
		{node: edgeB, ip: edgeBIP, pod: "app-b", port: ports[1], owner: 1},
	}
	framework.CreateNode(t, ctx, c, framework.NodeSpec{Name: controlPlaneNode, IP: framework.TopologyHostIP})
	for _, ep := range edges {
		framework.CreateNode(t, ctx, c, framework.NodeSpec{Name: ep.node, Edge: true, IP: ep.ip, Port: int32(ep.port)})
		framework.CreateRunningPod(t, ctx, c, podNS, ep.pod, "app", ep.node)
	}
	step := func(name string, fn func(t *testing.T)) {
		if !t.Failed() {
			t.Run(name, fn)
		}
	}
	step("without the syncer no edge endpoint answers", func(t *testing.T) {
		for _, ep := range edges {
			if st, err := framework.TLSHandshakeIn(ctx, e.top.Host, ep.addr()); err == nil {
				t.Errorf("%s answered without the syncer: %s", ep.addr(), st.PeerCertificates[0].Subject.CommonName)
			}
		}
	})
	syncer := framework.StartSyncerIn(t, e.cp, e.top.Host, syncerBin, "--node-name="+controlPlaneNode, "--resync-period=2s")
	step("each edge endpoint reaches the stream server of the cloudcore owning its tunnel port", func(t *testing.T) {
		for _, ep := range edges {
			st, err := framework.TLSHandshakeIn(ctx, e.top.Host, ep.addr())
			if err != nil {
				t.Fatalf("TLS to %s through the syncer: %v", ep.addr(), err)
			}
			if got, want := st.PeerCertificates[0].Subject.CommonName, streamCertName(ep.owner); got != want {
				t.Errorf("%s was answered by %q, want %q", ep.addr(), got, want)
			}
		}
	})
	step("kubectl logs reaches the owning cloudcore, which looks the pod's node up", func(t *testing.T) {
		for _, ep := range edges {
			expectStreamRequest(t, e, ep, "can not find "+ep.node+" session", func() {
				out, stderr, err := e.cp.Kubectl(ctx, "logs", ep.pod, "-n", podNS, "--request-timeout=20s")
				if err == nil {
					t.Errorf("kubectl logs %s succeeded with no edgecore connected: %q", ep.pod, out)
				}
				t.Logf("kubectl logs %s (no edgecore connected): %s", ep.pod, stderr)
			})
		}
	})
	step("a metrics scrape reaches the owning cloudcore with the edge IP as Host", func(t *testing.T) {
		for _, ep := range edges {
			expectStreamRequest(t, e, ep, "can not find "+ep.ip+" session", func() {
				code, body, err := scrape(e, ep)
				if err != nil || code != http.StatusInternalServerError {
					t.Errorf("GET https://%s/stats/summary = %d %q %v, want cloudcore's 500 for an unconnected node", ep.addr(), code, body, err)
				}
			})
		}
	})
	step("after edgewatcher-syncer cleanup no edge endpoint answers", func(t *testing.T) {
		framework.StopSyncer(t, syncer)
		framework.CleanupSyncerIn(t, e.top.Host, syncerBin)
		for _, ep := range edges {
			if st, err := framework.TLSHandshakeIn(ctx, e.top.Host, ep.addr()); err == nil {
				t.Errorf("%s still answered after cleanup: %s", ep.addr(), st.PeerCertificates[0].Subject.CommonName)
			}
		}
		ep := edges[0]
		want := "can not find " + ep.node + " session"
		before := e.cloudcores[ep.owner].LogCount(want)
		if _, _, err := e.cp.Kubectl(ctx, "logs", ep.pod, "-n", podNS, "--request-timeout=5s"); err == nil {
			t.Errorf("kubectl logs %s succeeded after cleanup", ep.pod)
		}
		if after := e.cloudcores[ep.owner].LogCount(want); after != before {
			t.Errorf("%s saw kubectl logs after cleanup (%d log lines, %d before)", e.cloudcores[ep.owner].Name, after, before)
		}
	})
}

// expectStreamRequest runs send and checks that the owning cloudcore, and only it, logged want for it.
func expectStreamRequest(t *testing.T, e *env, ep edgeEndpoint, want string, send func()) {
	t.Helper()
	before := make([]int, len(e.cloudcores))
	for i, cc := range e.cloudcores {
		before[i] = cc.LogCount(want)
	}
	send()
	owner := e.cloudcores[ep.owner]
	framework.Eventually(t, fmt.Sprintf("%s to log %q", owner.Name, want), 10*time.Second, func() (bool, string) {
		n := owner.LogCount(want)
		return n > before[ep.owner], fmt.Sprintf("%d lines, %d before", n, before[ep.owner])
	})
	for i, cc := range e.cloudcores {
		if i != ep.owner && cc.LogCount(want) != before[i] {
			t.Errorf("%s, which does not own %s's tunnel, logged %q", cc.Name, ep.node, want)
		}
	}
}

// scrape GETs /stats/summary from ep's endpoint as metrics-server does, from the control-plane host, without
// verifying the stream certificate (it has no edge-IP SANs; metrics-server runs with --kubelet-insecure-tls).
func scrape(e *env, ep edgeEndpoint) (int, string, error) {
	client := &http.Client{Transport: &http.Transport{
		DialContext:       framework.DialContextIn(e.top.Host),
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as metrics-server --kubelet-insecure-tls
		DisableKeepAlives: true,
	}}
	return framework.HTTPGetIn(client, "https://"+ep.addr()+"/stats/summary")
}
