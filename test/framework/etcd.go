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
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// startAttempts is how often a server start is retried when a just-picked port turned out to be taken.
const startAttempts = 3

// startEtcd starts a single-member etcd on free loopback ports (of ns, if not nil) with its data under dir and waits
// until it is healthy. It returns the process and the client URL.
func startEtcd(ctx context.Context, dir string, ns *netns.Namespace, timeout time.Duration) (*Process, string, error) {
	bin, err := BinPath("etcd")
	if err != nil {
		return nil, "", err
	}
	logPath := filepath.Join(dir, "etcd.log")
	var lastErr error
	for range startAttempts {
		proc, url, err := startEtcdOnce(ctx, bin, dir, logPath, ns, timeout)
		if err == nil {
			return proc, url, nil
		}
		lastErr = err
		if !addressInUse(proc) {
			break
		}
	}
	return nil, "", fmt.Errorf("start etcd: %w\n%s", lastErr, formatTail("etcd log", logPath, 30))
}

// startEtcdOnce makes one attempt at starting etcd; on failure the returned process (if any) has been stopped.
func startEtcdOnce(ctx context.Context, bin, dir, logPath string, ns *netns.Namespace, timeout time.Duration) (*Process, string, error) {
	clientPort, err := FreePort()
	if err != nil {
		return nil, "", err
	}
	peerPort, err := FreePort()
	if err != nil {
		return nil, "", err
	}
	dataDir := filepath.Join(dir, "etcd-data")
	if err := os.RemoveAll(dataDir); err != nil {
		return nil, "", fmt.Errorf("clear etcd data dir: %w", err)
	}
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", clientPort)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	bin, args := commandIn(ns, bin, []string{
		"--name=edgewatcher-test",
		"--data-dir=" + dataDir,
		"--listen-client-urls=" + clientURL,
		"--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=edgewatcher-test=" + peerURL,
		"--initial-cluster-state=new",
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	})
	proc, err := StartProcess("etcd", logPath, bin, args...)
	if err != nil {
		return nil, "", err
	}
	healthy := func(ctx context.Context) (bool, error) {
		return etcdHealthy(ctx, HTTPClientIn(ns), clientURL)
	}
	if err := waitUntil(ctx, timeout, "etcd /health", healthy, proc); err != nil {
		_ = proc.Stop(time.Second)
		return proc, "", err
	}
	return proc, clientURL, nil
}

// etcdHealthy reports whether etcd's /health endpoint, asked through client, says the member is healthy.
func etcdHealthy(ctx context.Context, client *http.Client, clientURL string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, clientURL+"/health", nil)
	if err != nil {
		return false, fmt.Errorf("build etcd health request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, fmt.Errorf("etcd health: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"health":"true"`) {
		return false, fmt.Errorf("etcd health: %s: %s", resp.Status, body)
	}
	return true, nil
}

// addressInUse reports whether proc failed because a port was already taken, judged from its log.
func addressInUse(proc *Process) bool {
	return proc != nil && proc.Exited() && strings.Contains(proc.LogTail(50), "address already in use")
}
