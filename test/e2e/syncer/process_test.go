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
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// syncerProc is a running edgewatcher-syncer binary.
type syncerProc struct {
	t           *testing.T
	args        []string
	logPath     string
	metricsAddr string
	proc        *framework.Process
}

// startAttempts is how often start tries new ports when another process took the one FreePort returned.
const startAttempts = 3

// startSyncer starts the binary with the kubeconfig, --netns and the other args, and waits until /readyz
// reports a successful sync.
func startSyncer(t *testing.T, kubeconfig, netnsName string, args ...string) *syncerProc {
	t.Helper()
	p := &syncerProc{
		t:       t,
		logPath: filepath.Join(t.TempDir(), "edgewatcher-syncer.log"),
		args: append([]string{
			"--kubeconfig=" + kubeconfig,
			"--netns=" + netnsName,
			"-v=2",
		}, args...),
	}
	t.Cleanup(func() {
		if p.proc != nil {
			_ = p.proc.Stop(5 * time.Second)
		}
		if t.Failed() {
			t.Logf("----- edgewatcher-syncer log tail -----\n%s", p.tail(80))
		}
	})
	p.start()
	return p
}

// start launches the process and waits for /readyz. The metrics and health server gets a free port the first
// time, and a new one when another process took it meanwhile; a restart keeps the port.
func (p *syncerProc) start() {
	p.t.Helper()
	for attempt := 1; ; attempt++ {
		if p.metricsAddr == "" {
			port, err := framework.FreePort()
			if err != nil {
				p.t.Fatal(err)
			}
			p.metricsAddr = "127.0.0.1:" + strconv.Itoa(port)
		}
		argv := append([]string{"--metrics-bind-address=" + p.metricsAddr, "--healthz-bind-address=" + p.metricsAddr}, p.args...)
		var proc *framework.Process
		var err error
		spawn(func() { proc, err = framework.StartProcess("edgewatcher-syncer", p.logPath, syncerBin, argv...) })
		if err != nil {
			p.t.Fatal(err)
		}
		p.proc = proc
		err = p.waitReady(30 * time.Second)
		if err == nil {
			return
		}
		if attempt < startAttempts && proc.Exited() && strings.Contains(p.tail(5), "address already in use") {
			p.metricsAddr = ""
			continue
		}
		p.t.Fatal(err)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *syncerProc) stop() {
	p.t.Helper()
	if err := p.proc.Stop(10 * time.Second); err != nil {
		p.t.Fatal(err)
	}
	if err := p.proc.ExitError(); err == nil || !strings.Contains(err.Error(), "status 0") {
		p.t.Errorf("edgewatcher-syncer did not exit cleanly on SIGTERM: %v", err)
	}
	p.proc = nil
}

// waitReady polls /readyz until it answers 200.
func (p *syncerProc) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if p.proc.Exited() {
			return fmt.Errorf("edgewatcher-syncer exited before it became ready: %w\n%s", p.proc.ExitError(), p.tail(40))
		}
		code, body, err := p.get("/readyz")
		if err == nil && code == http.StatusOK {
			return nil
		}
		last = fmt.Sprintf("%d %s %v", code, body, err)
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("edgewatcher-syncer not ready after %v: %s\n%s", timeout, last, p.tail(40))
}

// get fetches a path of the metrics and health server.
func (p *syncerProc) get(path string) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.metricsAddr+path, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// tail returns the last n lines of the log.
func (p *syncerProc) tail(n int) string {
	lines := strings.Split(strings.TrimRight(p.log(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// log returns the whole log so far.
func (p *syncerProc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// runCleanup runs `edgewatcher-syncer cleanup` with args and returns its combined output.
func runCleanup(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, syncerBin, append([]string{"cleanup"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("edgewatcher-syncer cleanup %v: %v\n%s", args, err, out)
	}
	return string(out)
}
