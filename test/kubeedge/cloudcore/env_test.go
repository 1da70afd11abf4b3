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
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// env is one control-plane host with two real cloudcores beside it.
type env struct {
	top        *framework.CloudTopology
	cp         *framework.ControlPlane
	cloudcores []*framework.CloudCore
}

// streamCertName is the common name of the i-th cloudcore's stream certificate: a TLS handshake through the
// syncer's DNAT tells by it which cloudcore answered.
func streamCertName(i int) string { return fmt.Sprintf("cloudcore-%d-stream", i+1) }

// newEnv starts the control plane in the host namespace, listening on the host IP as well so that the cloudcores
// reach it, applies the release's CRDs, and starts the cloudcores one after the other (cloudcore writes the
// tunnelport record without retrying on a conflict, and the first must own the first port).
func newEnv(t *testing.T, ctx context.Context) *env {
	t.Helper()
	e := &env{top: framework.NewCloudTopology(t, 2)}
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
	if err := framework.InstallKubeEdgeCRDs(ctx, e.cp, framework.KubeEdgeCoreTag); err != nil {
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
	advertise := []net.IP{net.ParseIP(framework.CloudcoreIP(0)), net.ParseIP(framework.CloudcoreIP(1))}
	for i, ns := range e.top.Cloudcores {
		ip := advertise[i]
		stream, err := streamCA.IssueServing(streamCertName(i), nil, []net.IP{ip})
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "kubeedge")
		started := time.Now()
		cc, err := framework.StartCloudCore(ctx, e.cp, fmt.Sprintf("cloudcore-%d", i+1), framework.CloudCoreOptions{
			Netns: ns, IP: ip, AdvertiseAddresses: advertise, Kubeconfig: kubeconfig,
			Stream: stream, StreamCA: streamCA, Dir: dir,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s ready in %v", cc.Name, time.Since(started).Round(time.Millisecond))
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("----- %s log tail -----\n%s", cc.Name, cc.Process.LogTail(40))
			}
			_ = cc.Process.Stop(framework.DefaultStopTimeout)
		})
		e.cloudcores = append(e.cloudcores, cc)
	}
	// What the Helm chart does: cloudcore's configuration in kubeedge/cloudcore, where EdgeWatcher reads it.
	if err := e.cloudcores[0].PublishConfigMap(ctx, e.cp); err != nil {
		t.Fatal(err)
	}
	return e
}
