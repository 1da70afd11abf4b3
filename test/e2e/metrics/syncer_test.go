package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// startSyncer runs edgewatcher-syncer inside ns, as it runs with hostNetwork on a control-plane host, and waits
// until /readyz reports a successful sync. It returns the process.
func startSyncer(t *testing.T, cp *framework.ControlPlane, ns *netns.Namespace, args ...string) *framework.Process {
	t.Helper()
	port, err := framework.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	argv := append([]string{"netns", "exec", ns.Name, syncerBin,
		"--kubeconfig=" + cp.AdminKubeconfig,
		"--metrics-bind-address=" + addr,
		"--healthz-bind-address=" + addr,
		"-v=2",
	}, args...)
	proc, err := framework.StartProcess("edgewatcher-syncer", filepath.Join(cp.Dir, "edgewatcher-syncer.log"), "ip", argv...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("----- edgewatcher-syncer log tail -----\n%s", proc.LogTail(60))
		}
		_ = proc.Stop(5 * time.Second)
	})
	client := framework.HTTPClientIn(ns)
	eventually(t, "edgewatcher-syncer /readyz", 30*time.Second, func() (bool, string) {
		if proc.Exited() {
			t.Fatalf("edgewatcher-syncer exited: %v\n%s", proc.ExitError(), proc.LogTail(40))
		}
		code, body, err := get(client, "http://"+addr+"/readyz")
		return err == nil && code == http.StatusOK, fmt.Sprintf("%d %s %v", code, body, err)
	})
	return proc
}

// get fetches url with client, with a short timeout.
func get(client *http.Client, url string) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// stopSyncer stops the syncer with SIGTERM and checks it exited cleanly.
func stopSyncer(t *testing.T, proc *framework.Process) {
	t.Helper()
	if err := proc.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := proc.ExitError(); err == nil || err.Error() != "edgewatcher-syncer exited with status 0" {
		t.Fatalf("edgewatcher-syncer did not exit cleanly on SIGTERM: %v\n%s", err, proc.LogTail(20))
	}
}

// cleanupSyncer runs `edgewatcher-syncer cleanup` inside ns.
func cleanupSyncer(t *testing.T, ns *netns.Namespace) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", ns.Name, syncerBin, "cleanup").CombinedOutput()
	if err != nil {
		t.Fatalf("edgewatcher-syncer cleanup: %v\n%s", err, out)
	}
}
