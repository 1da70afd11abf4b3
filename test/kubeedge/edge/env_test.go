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
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// The edge device's network: a link to the cloudcore host only. The device's address is in the cloud topology's
// edge range, which the control-plane host routes into a silent link, so only the syncer's DNAT reaches it there.
const (
	edgeNode     = "edge-1"
	edgeIP       = "192.0.2.10"
	edgeGateway  = "192.0.2.1"
	edgePrefix   = 24
	cloudcoreTag = framework.KubeEdgeCoreTag
	// controlPlaneNode is the Node of the control-plane host, whose name the syncer is given.
	controlPlaneNode = "control-plane"
)

// env is the seed scenario's cloud: a control-plane host running etcd, kube-apiserver and edgewatcher-apiserver,
// one real cloudcore with cloudStream beside it, and the edge device's namespace linked to the cloudcore host.
type env struct {
	top       *framework.CloudTopology
	cp        *framework.ControlPlane
	cloudcore *framework.CloudCore
	edge      *netns.Namespace
}

// requireSeedTools skips or fails (with $CI set) the test when any piece of the scenario is missing here.
func requireSeedTools(t *testing.T) (edgecore string) {
	t.Helper()
	edgecore = framework.RequireKubeEdgeBinary(t, kubeEdgeTag, "edgecore")
	framework.RequireKubeEdgeBinary(t, kubeEdgeTag, "cloudcore")
	framework.RequireBinaries(t)
	if _, err := framework.BinPath("metrics-server"); err != nil {
		netns.SkipOrFail(t, "%v", err)
	}
	if _, err := framework.KubeEdgeCRDDir(kubeEdgeTag); err != nil {
		netns.SkipOrFail(t, "%v", err)
	}
	if err := framework.CheckNetnsTools(); err != nil {
		netns.SkipOrFail(t, "%v", err)
	}
	requireEdgeTools(t)
	return edgecore
}

// newEnv builds the topology, starts the control plane (listening on the host IP too, for the cloudcore), the
// KubeEdge CRDs, cloudcore with its configuration published in kubeedge/cloudcore, and edgewatcher-apiserver.
func newEnv(t *testing.T, ctx context.Context) *env {
	t.Helper()
	e := &env{top: framework.NewCloudTopology(t, 1)}
	e.edge = netns.New(t)
	ccNS := e.top.Cloudcores[0]
	netns.Connect(t, ccNS, e.edge, netip.PrefixFrom(netip.MustParseAddr(edgeGateway), edgePrefix), netip.PrefixFrom(netip.MustParseAddr(edgeIP), edgePrefix))
	e.edge.MustRun(t, "ip", "route", "add", "default", "via", edgeGateway)

	hostIP := net.ParseIP(framework.TopologyHostIP)
	var err error
	e.cp, err = framework.StartControlPlane(ctx, framework.ControlPlaneOptions{
		Netns:      e.top.Host,
		ServingIPs: []net.IP{hostIP},
		Logf:       t.Logf,
		// As kubeadm sets it: the InternalIP, not the host name, is how the control plane reaches a node.
		ExtraAPIServerArgs: []string{"--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(e.cp.LogTail(40))
		}
		if err := e.cp.Stop(); err != nil {
			t.Errorf("stopping the control plane: %v", err)
		}
	})
	if err := framework.InstallKubeEdgeCRDs(ctx, e.cp, cloudcoreTag); err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := e.cp.KubeconfigVia(hostIP)
	if err != nil {
		t.Fatal(err)
	}
	streamCA, err := framework.NewCA("kubeedge-stream-ca")
	if err != nil {
		t.Fatal(err)
	}
	ccIP := net.ParseIP(framework.CloudcoreIP(0))
	stream, err := streamCA.IssueServing("cloudcore-stream", nil, []net.IP{ccIP})
	if err != nil {
		t.Fatal(err)
	}
	ccDir := filepath.Join(t.TempDir(), "kubeedge")
	if err := os.MkdirAll(ccDir, 0o700); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	e.cloudcore, err = framework.StartCloudCore(ctx, e.cp, "cloudcore", framework.CloudCoreOptions{
		Netns: ccNS, IP: ccIP, Kubeconfig: kubeconfig, Stream: stream, StreamCA: streamCA, Dir: ccDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cloudcore ready in %v", time.Since(started).Round(time.Millisecond))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("----- cloudcore log tail -----\n%s", e.cloudcore.Process.LogTail(40))
		}
		_ = e.cloudcore.Process.Stop(framework.DefaultStopTimeout)
	})
	if err := e.cloudcore.PublishConfigMap(ctx, e.cp); err != nil {
		t.Fatal(err)
	}
	ew, err := e.cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("----- edgewatcher-apiserver log tail -----\n%s", ew.LogTail(40))
		}
	})
	return e
}
