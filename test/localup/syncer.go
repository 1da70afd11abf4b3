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

package main

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
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// syncerBinEnv names the environment variable that points at a prebuilt edgewatcher-syncer, as in test/e2e/syncer.
const syncerBinEnv = "EDGEWATCHER_SYNCER_BIN"

// syncerAccount is the ServiceAccount artifacts/deploy/syncer.yaml creates and binds.
const syncerAccount = "edgewatcher-syncer"

// syncerStartAttempts is how often the syncer is started on a new port when another process took the last one.
const syncerStartAttempts = 3

// syncerBinary returns $EDGEWATCHER_SYNCER_BIN, else <binDir>/edgewatcher-syncer (`make build`), building it there
// when it is missing.
func syncerBinary(root, binDir string) (string, error) {
	if p := os.Getenv(syncerBinEnv); p != "" {
		return filepath.Abs(p)
	}
	bin := filepath.Join(binDir, "edgewatcher-syncer")
	if fileExists(bin) {
		return bin, nil
	}
	logf("building %s", bin)
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/edgewatcher-syncer")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/edgewatcher-syncer: %w\n%s", err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

// syncerKubeconfig applies the syncer's least-privilege RBAC from artifacts/deploy/syncer.yaml (not its
// DaemonSet) and returns a kubeconfig with a token of its ServiceAccount.
func syncerKubeconfig(ctx context.Context, cp *framework.ControlPlane, root string) (string, error) {
	manifest, err := os.ReadFile(filepath.Join(root, "artifacts", "deploy", "syncer.yaml"))
	if err != nil {
		return "", err
	}
	if _, stderr, err := cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: withoutKind(string(manifest), "DaemonSet")}, "apply", "-f", "-"); err != nil {
		return "", fmt.Errorf("kubectl apply the syncer's RBAC: %w: %s", err, stderr)
	}
	tr, err := cp.Client().CoreV1().ServiceAccounts(cloudcore.Namespace).CreateToken(ctx, syncerAccount, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](24 * 3600)},
	}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("token for %s: %w", syncerAccount, err)
	}
	return cp.KubeconfigForToken(syncerAccount, tr.Status.Token)
}

// withoutKind drops the documents of kind from a multi-document YAML manifest.
func withoutKind(manifest, kind string) string {
	var keep []string
	for doc := range strings.SplitSeq(manifest, "\n---\n") {
		if !strings.Contains("\n"+doc+"\n", "\nkind: "+kind+"\n") {
			keep = append(keep, doc)
		}
	}
	return strings.Join(keep, "\n---\n")
}

// startSyncer starts edgewatcher-syncer, programming the kernel inside the control-plane host's namespace
// (--netns) while it reaches kube-apiserver on the host's loopback, and waits until its first sync is applied.
func (d *forwardingDemo) startSyncer(ctx context.Context, kubeconfig, logDir string) error {
	d.info.backend = iptablesBackend()
	logPath := filepath.Join(logDir, "edgewatcher-syncer.log")
	for attempt := 1; ; attempt++ {
		port, err := framework.FreePort()
		if err != nil {
			return err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		logf("starting edgewatcher-syncer in network namespace %s (logs: %s)", d.cpNS.Name, logPath)
		proc, err := framework.StartProcess("edgewatcher-syncer", logPath, d.syncerBin,
			"--kubeconfig="+kubeconfig,
			"--netns="+d.cpNS.Name,
			"--node-name="+syncerNodeName,
			"--default-target="+ccVeth.Addr().String(),
			"--iptables-backend="+d.info.backend,
			"--metrics-bind-address="+addr,
			"--healthz-bind-address="+addr,
		)
		if err != nil {
			return err
		}
		err = waitSyncerReady(ctx, proc, addr, 30*time.Second)
		if err == nil {
			d.syncer, d.info.syncerAddr = proc, addr
			return nil
		}
		exited := proc.Exited()
		_ = proc.Stop(5 * time.Second)
		if attempt < syncerStartAttempts && exited && strings.Contains(proc.LogTail(5), "address already in use") {
			continue
		}
		return err
	}
}

// iptablesBackend returns the variant the host's `iptables` command is, so that the commands the banner prints
// show what the syncer programmed; auto when it cannot tell.
func iptablesBackend() string {
	out, err := exec.Command("iptables", "--version").Output()
	switch {
	case err != nil:
		return "auto"
	case strings.Contains(string(out), "nf_tables"):
		return "nft"
	case strings.Contains(string(out), "legacy"):
		return "legacy"
	}
	return "auto"
}

// waitSyncerReady polls /readyz, which answers 200 once the first sync is applied.
func waitSyncerReady(ctx context.Context, proc *framework.Process, addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last string
	for {
		if proc.Exited() {
			return fmt.Errorf("edgewatcher-syncer exited before it became ready: %w\n%s", proc.ExitError(), proc.LogTail(logTailLines))
		}
		code, body, err := httpGet(ctx, http.DefaultClient, "http://"+addr+"/readyz")
		if err == nil && code == http.StatusOK {
			return nil
		}
		last = fmt.Sprintf("%d %s %v", code, strings.TrimSpace(body), err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("edgewatcher-syncer not ready after %v: %s\n%s", timeout, last, proc.LogTail(logTailLines))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// httpGet fetches url with client and returns the status code and body.
func httpGet(ctx context.Context, client *http.Client, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), err
}
