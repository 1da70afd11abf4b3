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
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// TestForwardingDemo runs the whole of `make run` in-process with a temporary run directory and its own namespace
// names (one left stale beforehand), fetches the example edge URL from inside the control-plane host's namespace as the banner's curl does,
// stops it as Ctrl-C would, and checks that both namespaces are gone and the host's nat tables and ipsets never
// changed.
func TestForwardingDemo(t *testing.T) {
	netns.RequireRoot(t)
	netns.RequireCommands(t, "ip", "iptables", "ipset", "iptables-nft-save", "ip6tables-nft-save", "go")
	if err := framework.CheckBinaries(); err != nil {
		netns.SkipOrFail(t, "%v", err)
	}
	useBuiltBinaries(t)
	before := hostState(t)

	var r [3]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatal(err)
	}
	prefix := "ew-test-localup-" + hex.EncodeToString(r[:])
	cpName, ccName := prefix+"-cp", prefix+"-cc"
	if stale, err := netns.Create(cpName); err != nil { // as a killed run leaves it; start must replace it
		t.Fatal(err)
	} else {
		t.Cleanup(func() {
			if stale.Exists() {
				_ = stale.Delete()
			}
		})
	}
	cfg := config{runDir: filepath.Join(t.TempDir(), "run"), netnsPrefix: prefix}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	started := time.Now()
	go func() { done <- run(ctx, cfg) }()
	vars := waitEnv(t, filepath.Join(cfg.runDir, "env"), done, 5*time.Minute)
	t.Logf("env file written %v after start", time.Since(started).Round(time.Millisecond))
	for _, name := range []string{"KUBECONFIG", "EDGEWATCHER_ADDR", "EDGEWATCHER_CONSOLE_TOKEN", "EDGEWATCHER_NETNS", "EDGEWATCHER_EDGE_URL", "EDGEWATCHER_SYNCER_ADDR"} {
		if vars[name] == "" {
			t.Errorf("env file lacks %s (was the forwarding demo off? see the localup lines above)", name)
		}
	}
	if t.Failed() {
		cancel()
		<-done
		t.FailNow()
	}
	if vars["EDGEWATCHER_NETNS"] != cpName {
		t.Errorf("EDGEWATCHER_NETNS = %q, want %q", vars["EDGEWATCHER_NETNS"], cpName)
	}

	url := vars["EDGEWATCHER_EDGE_URL"]
	want := fmt.Sprintf("cloudcore stand-in %s:10003 in netns %s: host=198.51.100.11:10351 path=/containerLogs/default/demo/demo\n",
		framework.DemoCloudCoreAddress, ccName)
	if got, err := getInside(&netns.Namespace{Name: cpName}, url); err != nil || got != want {
		t.Errorf("GET %s inside %s = %q, %v; want %q", url, cpName, got, err, want)
	}
	if _, err := exec.LookPath("curl"); err == nil {
		out, err := exec.Command("ip", "netns", "exec", cpName, "curl", "-s", "--max-time", "5", url).Output()
		if err != nil || string(out) != want {
			t.Errorf("ip netns exec %s curl -s %s = %q, %v; want %q", cpName, url, out, err, want)
		}
	}
	if during := hostState(t); during != before {
		t.Errorf("the host's nat tables or ipsets changed while the demo ran:\nbefore: %q\nduring: %q", before, during)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run returned %d after the interrupt, want 0", code)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("run did not return within 2 minutes of the interrupt")
	}
	t.Logf("whole run took %v", time.Since(started).Round(time.Millisecond))
	for _, name := range []string{cpName, ccName} {
		if ns := (&netns.Namespace{Name: name}); ns.Exists() {
			t.Errorf("network namespace %s still exists after the stop", name)
			_ = ns.Delete()
		}
	}
	if after := hostState(t); after != before {
		t.Errorf("the host's nat tables or ipsets changed:\nbefore: %q\nafter:  %q", before, after)
	}
}

// useBuiltBinaries points localup at the edgewatcher-apiserver and edgewatcher-syncer of `make build` when they
// exist, and builds the syncer into a temporary directory otherwise, so the test never writes to the bin dir.
func useBuiltBinaries(t *testing.T) {
	binDir, err := framework.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	if p := filepath.Join(binDir, "edgewatcher-apiserver"); os.Getenv(framework.EdgeWatcherBinEnv) == "" && fileExists(p) {
		t.Setenv(framework.EdgeWatcherBinEnv, p)
	}
	if os.Getenv(syncerBinEnv) != "" || fileExists(filepath.Join(binDir, "edgewatcher-syncer")) {
		return
	}
	root, err := framework.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "edgewatcher-syncer")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/edgewatcher-syncer")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/edgewatcher-syncer: %v\n%s", err, out)
	}
	t.Setenv(syncerBinEnv, bin)
}

// waitEnv waits for the env file (written in one rename when everything is ready) and returns its variables.
func waitEnv(t *testing.T, path string, done <-chan int, timeout time.Duration) map[string]string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if data, err := os.ReadFile(path); err == nil {
			return parseEnv(string(data))
		}
		select {
		case code := <-done:
			t.Fatalf("run returned %d before it wrote %s", code, path)
		case <-deadline:
			t.Fatalf("%s not written within %v", path, timeout)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// exportLine matches the env file's `export NAME='value'` lines.
var exportLine = regexp.MustCompile(`^export ([A-Z_]+)='(.*)'$`)

// parseEnv returns the single-quoted exports of an env file.
func parseEnv(data string) map[string]string {
	vars := map[string]string{}
	for line := range strings.Lines(data) {
		if m := exportLine.FindStringSubmatch(strings.TrimRight(line, "\n")); m != nil {
			vars[m[1]] = strings.ReplaceAll(m[2], `'\''`, `'`)
		}
	}
	return vars
}

// getInside fetches url with a connection dialled inside ns, and returns the body.
func getInside(ns *netns.Namespace, url string) (string, error) {
	client := &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				var c net.Conn
				err := ns.Do(func() error {
					d := net.Dialer{FallbackDelay: -1}
					var err error
					c, err = d.DialContext(ctx, network, addr)
					return err
				})
				return c, err
			},
		},
	}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// counters matches the packet and byte counters of iptables-save.
var counters = regexp.MustCompile(`\[\d+:\d+\]`)

// hostState returns the host's own nat tables (without comments and counters) and ipset names. It only reads.
func hostState(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, argv := range [][]string{{"iptables-nft-save", "-t", "nat"}, {"ip6tables-nft-save", "-t", "nat"}, {"ipset", "list", "-n"}} {
		out, err := exec.Command(argv[0], argv[1:]...).Output()
		if err != nil {
			t.Fatalf("%v: %v", argv, err)
		}
		for line := range strings.Lines(string(out)) {
			if !strings.HasPrefix(line, "#") {
				b.WriteString(argv[0] + ": " + counters.ReplaceAllString(line, "[]"))
			}
		}
	}
	return b.String()
}
