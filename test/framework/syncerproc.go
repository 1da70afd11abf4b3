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

package framework

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

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// StartSyncerIn runs edgewatcher-syncer bin inside ns, as it runs with hostNetwork on a control-plane host, and waits
// until /readyz reports a successful sync. The process is stopped when tb ends.
func StartSyncerIn(tb testing.TB, cp *ControlPlane, ns *netns.Namespace, bin string, args ...string) *Process {
	tb.Helper()
	port, err := FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	argv := append([]string{"--kubeconfig=" + cp.AdminKubeconfig, "--metrics-bind-address=" + addr, "--healthz-bind-address=" + addr, "-v=2"}, args...)
	name, argv := commandIn(ns, bin, argv)
	proc, err := StartProcess("edgewatcher-syncer", filepath.Join(cp.Dir, "edgewatcher-syncer.log"), name, argv...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("----- edgewatcher-syncer log tail -----\n%s", proc.LogTail(60))
		}
		_ = proc.Stop(5 * time.Second)
	})
	client := HTTPClientIn(ns)
	Eventually(tb, "edgewatcher-syncer /readyz", 30*time.Second, func() (bool, string) {
		if proc.Exited() {
			tb.Fatalf("edgewatcher-syncer exited: %v\n%s", proc.ExitError(), proc.LogTail(40))
		}
		code, body, err := HTTPGetIn(client, "http://"+addr+"/readyz")
		return err == nil && code == http.StatusOK, fmt.Sprintf("%d %s %v", code, body, err)
	})
	return proc
}

// HTTPGetIn fetches url with client, with a short timeout, and returns the status code and body.
func HTTPGetIn(client *http.Client, url string) (int, string, error) {
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

// StopSyncer stops the syncer with SIGTERM and fails tb unless it exited cleanly.
func StopSyncer(tb testing.TB, proc *Process) {
	tb.Helper()
	if err := proc.Stop(10 * time.Second); err != nil {
		tb.Fatal(err)
	}
	if err := proc.ExitError(); err == nil || err.Error() != "edgewatcher-syncer exited with status 0" {
		tb.Fatalf("edgewatcher-syncer did not exit cleanly on SIGTERM: %v\n%s", err, proc.LogTail(20))
	}
}

// CleanupSyncerIn runs `edgewatcher-syncer cleanup` inside ns.
func CleanupSyncerIn(tb testing.TB, ns *netns.Namespace, bin string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, argv := commandIn(ns, bin, []string{"cleanup"})
	if out, err := exec.CommandContext(ctx, name, argv...).CombinedOutput(); err != nil {
		tb.Fatalf("edgewatcher-syncer cleanup: %v\n%s", err, out)
	}
}
