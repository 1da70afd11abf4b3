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
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// kubeEdgeTag is the release whose edgecore (and cloudcore) the test runs.
const kubeEdgeTag = "v1.23.1"

// edgeDevice is an edge host with its containerd and the images imported.
type edgeDevice struct {
	host       *framework.EdgeHost
	containerd *framework.Containerd
}

// requireEdgeTools skips or fails (with $CI set) the test when the edge device cannot run here.
func requireEdgeTools(t *testing.T) {
	t.Helper()
	netns.RequireRoot(t)
	if err := framework.CheckContainerdTools(); err != nil {
		netns.SkipOrFail(t, "%v", err)
	}
}

// startEdgeDevice starts an edge host in ns, its containerd, and imports the pause and busybox images.
func startEdgeDevice(t *testing.T, ns *netns.Namespace) *edgeDevice {
	t.Helper()
	// Not t.TempDir: a subtest's name makes the path too long for containerd's unix socket.
	dir, err := os.MkdirTemp("", "ew-edge-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	host, err := framework.StartEdgeHost(dir, ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Stop() })
	c, err := framework.StartContainerd(t.Context(), host, filepath.Join(dir, "containerd"), framework.PauseImageName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("----- containerd log tail -----\n%s", c.LogTail(30))
		}
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	pause, err := framework.PauseImage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	busybox, err := framework.BusyboxImage(framework.BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	for name, archive := range map[string][]byte{framework.PauseImageName: pause, framework.BusyboxImageName: busybox} {
		if err := c.ImportImage(t.Context(), name, archive); err != nil {
			t.Fatal(err)
		}
	}
	return &edgeDevice{host: host, containerd: c}
}

// startEdgeCore starts edgecore on the device with the keadm join argv, stopping it when the test ends.
func startEdgeCore(t *testing.T, bin string, d *edgeDevice, joinArgs []string) *framework.EdgeCore {
	t.Helper()
	e, err := framework.StartEdgeCore(t.Context(), framework.EdgeCoreOptions{
		Bin: bin, Host: d.host, Containerd: d.containerd, JoinArgs: joinArgs, Dir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("----- edgecore log tail -----\n%s", e.Proc.LogTail(60))
		}
		if err := e.Stop(); err != nil {
			t.Error(err)
		}
	})
	return e
}

// TestEdgeCoreWithoutCloudCore starts the real edgecore on an edge device with a command generated for a
// cloudcore that is not there, and checks it gets as far as asking cloudcore for its CA and says why it failed.
func TestEdgeCoreWithoutCloudCore(t *testing.T) {
	bin := framework.RequireKubeEdgeBinary(t, kubeEdgeTag, "edgecore")
	requireEdgeTools(t)
	const edgeIP, absentCloudCore = "10.96.0.2", "10.96.0.3"
	ns := netns.New(t, netip.MustParsePrefix(edgeIP+"/24"))
	d := startEdgeDevice(t, ns)
	cmd, err := keadm.Build(keadm.Input{
		Version:    kubeEdgeTag,
		CloudCore:  keadm.CloudCore{Host: absentCloudCore},
		Token:      "3f6b8d0c1e2a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678.eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.x",
		NodeName:   "edge-nowhere",
		NodeIP:     edgeIP,
		EdgeStream: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := startEdgeCore(t, bin, d, cmd.Argv)
	// Edged, the kubelet inside edgecore, comes up on the private containerd before edgehub asks for
	// certificates; without a cloudcore that request fails and edgecore panics
	// (kubeedge/kubeedge@v1.23.1:edge/pkg/edgehub/certificate/certmanager.go, CertManager.Start).
	select {
	case <-e.Proc.Done():
	case <-time.After(2 * time.Minute):
		t.Fatalf("edgecore still runs 2 minutes after start without a cloudcore:\n%s", e.Proc.LogTail(20))
	}
	log := e.Proc.LogTail(2000)
	for _, want := range []string{
		`"Starting kubelet main sync loop"`,
		`failed to get CA certificate, err: Get "https://` + absentCloudCore + `:10002/ca.crt"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("edgecore's log lacks %s", want)
		}
	}
	for l := range strings.Lines(log) {
		if strings.Contains(l, "failed to get CA certificate") {
			t.Logf("edgecore exited (%v): %s", e.Proc.ExitError(), strings.TrimSpace(l))
		}
	}
}
