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

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// apiServerRSSTarget100kMB is the stated bound on edgewatcher-apiserver's steady RSS with 100k edge Nodes, in MB.
const apiServerRSSTarget100kMB = 150

// enforceAPIServerRSSTarget makes the benchmark fail when the steady RSS at 100k exceeds the target. Off until
// the server meets it: the benchmark logs OVER TARGET instead.
const enforceAPIServerRSSTarget = false

// benchReservations is how many names and IPs are reserved beside the Nodes, in 10.128.0.0/16, outside the
// generated Nodes' 10.64.0.0/10.
const benchReservations = 1000

// apiServerSteadyWindow is how long RSS is sampled once the server is ready: the GC and the informers' resync
// settle within it.
const apiServerSteadyWindow = 20 * time.Second

// apiServerMemory is what one edgewatcher-apiserver run measured.
type apiServerMemory struct {
	ready          time.Duration // from start until ready, its APIService Available and every Node in the view
	rss            int64         // highest VmRSS sampled during apiServerSteadyWindow once ready
	peak           int64         // VmHWM at the end of that window: the initial list and sync included
	restartRSS     int64         // highest VmRSS sampled during apiServerSteadyWindow after kube-apiserver restarted
	restartPeak    int64         // VmHWM from the restart to the end of that window
	restartCatchUp time.Duration // from kube-apiserver ready again until the view showed a Node created after it
	rssAnon        int64         // RssAnon at the end of the steady window: heap, stacks and runtime memory
	rssFile        int64         // RssFile then: the pages of the binary that were read
}

// rssSplit returns the anonymous and file-backed parts of pid's resident memory.
func rssSplit(b *testing.B, pid int) (anon, file int64) {
	b.Helper()
	anon, file, err := framework.ResidentSplit(pid)
	if err != nil {
		b.Fatal(err)
	}
	return anon, file
}

// BenchmarkAPIServerMemory measures the real edgewatcher-apiserver process's memory with 1k, 10k and 100k
// edge Nodes (as edged reports them, fixtures.RealisticNode) and benchReservations reservations in a real
// kube-apiserver, the count growing in one control plane. For each size a fresh server starts, registered with
// the aggregator; once it is ready and lists every Node, VmRSS is sampled for apiServerSteadyWindow and VmHWM
// read. Then kube-apiserver is killed and started again, which ends the server's watches: the Node informer
// resumes (or relists), and the same is measured after it (the peak since the restart).
//
// It reports MB-rss, MB-peak, MB-restart-rss, MB-restart-peak and s-ready per size, the per-node cost against
// the 1k run (the baseline), x-target, RSS(100k) over apiServerRSSTarget100kMB, and the steady RSS at 100k of
// two more runs, with GOGC=100 (Go's default) and GOGC=25, for comparison with the server's own default. It needs etcd,
// kube-apiserver and kubectl (`make testbins`); creating the 100k Nodes takes about 4 minutes on 2 cores.
func BenchmarkAPIServerMemory(b *testing.B) {
	framework.RequireBinaries(b)
	ctx := context.Background()
	cp, client := startBenchControlPlane(b, ctx)
	// The aggregated API is called as kubectl does, in JSON.
	jsonCfg := cp.RestConfig()
	jsonCfg.QPS, jsonCfg.Burst = -1, 0
	jsonClient, err := kubernetes.NewForConfig(jsonCfg)
	if err != nil {
		b.Fatal(err)
	}

	sizes := []int{1_000, 10_000, 100_000}
	if os.Getenv(smallOnlyEnv) != "" {
		sizes = sizes[:1]
	}
	results := map[int]apiServerMemory{}
	created := 0
	for _, n := range sizes {
		start := time.Now()
		if _, err := createEdgeNodes(ctx, client, created, n); err != nil {
			b.Fatalf("creating nodes %d to %d: %v", created, n, err)
		}
		took := time.Since(start)
		m := measureAPIServer(b, ctx, cp, client, jsonClient, n, created == 0)
		results[n] = m
		b.Logf("N=%-6d created nodes %d..%d in %v; server ready in %v, RSS steady %.1f MB (anonymous %.1f, binary %.1f), peak %.1f MB; "+
			"after a kube-apiserver restart: caught up in %v, RSS %.1f MB, peak %.1f MB",
			n, created, n-1, took.Round(time.Millisecond), m.ready.Round(time.Millisecond), mbOf(m.rss), mbOf(m.rssAnon), mbOf(m.rssFile), mbOf(m.peak),
			m.restartCatchUp.Round(time.Millisecond), mbOf(m.restartRSS), mbOf(m.restartPeak))
		created = n
		b.ReportMetric(mbOf(m.rss), "MB-rss@"+sizeName(n))
		b.ReportMetric(mbOf(m.peak), "MB-peak@"+sizeName(n))
		b.ReportMetric(mbOf(m.restartRSS), "MB-restart-rss@"+sizeName(n))
		b.ReportMetric(mbOf(m.restartPeak), "MB-restart-peak@"+sizeName(n))
		b.ReportMetric(m.ready.Seconds(), "s-ready@"+sizeName(n))
	}

	// The same 100k with Go's default GC target and a tighter one, against the server's own default.
	for _, gogc := range []string{"100", "25"} {
		b.Setenv("GOGC", gogc)
		m := measureAPIServer(b, ctx, cp, client, jsonClient, sizes[len(sizes)-1], false)
		b.Logf("N=100k with GOGC=%s: server ready in %v, RSS steady %.1f MB, peak %.1f MB; after a kube-apiserver restart: RSS %.1f MB, peak %.1f MB",
			gogc, m.ready.Round(time.Millisecond), mbOf(m.rss), mbOf(m.peak), mbOf(m.restartRSS), mbOf(m.restartPeak))
		b.ReportMetric(mbOf(m.rss), "MB-rss@100k-GOGC"+gogc)
	}

	if len(sizes) == 1 {
		return // profiling the base: there is no 100k figure to judge
	}
	small, large := results[sizes[0]], results[sizes[len(sizes)-1]]
	perNode := float64(large.rss-small.rss) / float64(sizes[len(sizes)-1]-sizes[0])
	xTarget := mbOf(large.rss) / apiServerRSSTarget100kMB
	b.ReportMetric(perNode, "B/node")
	b.ReportMetric(xTarget, "x-target")
	b.Logf("per node: %.0f B over the 1k run; RSS@100k is %.2fx the %d MB target", perNode, xTarget, apiServerRSSTarget100kMB)
	if mbOf(large.rss) > apiServerRSSTarget100kMB {
		msg := fmt.Sprintf("edgewatcher-apiserver RSS with 100k edge nodes is %.1f MB (peak %.1f MB); the target is at most %d MB",
			mbOf(large.rss), mbOf(large.peak), apiServerRSSTarget100kMB)
		if enforceAPIServerRSSTarget {
			b.Fatal(msg)
		}
		b.Log("OVER TARGET (not enforced yet, see enforceAPIServerRSSTarget): " + msg)
	}
	for range b.N {
		// The figures above are the result; b.N iterations add nothing.
	}
}

func mbOf(bytes int64) float64 { return float64(bytes) / bytesPerMB }

// measureAPIServer starts edgewatcher-apiserver against cp holding n edge Nodes, reserves benchReservations
// names when reserve is set, measures it, restarts kube-apiserver, measures again and stops the server. client
// writes Nodes, api calls the aggregated API.
func measureAPIServer(b *testing.B, ctx context.Context, cp *framework.ControlPlane, client, api kubernetes.Interface, n int, reserve bool) apiServerMemory {
	b.Helper()
	start := time.Now()
	ew, err := cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{ReadyTimeout: 10 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := ew.Stop(); err != nil {
			b.Error(err)
		}
	}()
	fail := func(format string, args ...any) {
		b.Helper()
		b.Fatalf("%s\n----- edgewatcher-apiserver log tail (%s) -----\n%s", fmt.Sprintf(format, args...), ew.LogPath, ew.LogTail(40))
	}
	reserved := benchReservations
	if reserve {
		reserved = 0
	}
	if err := waitForEdgeNodeCount(ctx, api, n+reserved, 10*time.Minute); err != nil {
		fail("%v", err)
	}
	m := apiServerMemory{ready: time.Since(start)}
	if reserve {
		if err := reserveBenchNames(ctx, api); err != nil {
			fail("%v", err)
		}
		if err := waitForEdgeNodeCount(ctx, api, n+benchReservations, time.Minute); err != nil {
			fail("%v", err)
		}
	}
	pid := ew.Process().Pid()
	m.rss, m.peak = sampleRSS(b, pid)
	m.rssAnon, m.rssFile = rssSplit(b, pid)
	if dir := os.Getenv(profileDirEnv); dir != "" {
		saveHeapProfile(b, cp, ew, filepath.Join(dir, fmt.Sprintf("apiserver-heap-%s-gogc%s.pprof", sizeName(n), os.Getenv("GOGC"))))
	}

	// A write after the server's last event, so that the restarted kube-apiserver starts past the informer's
	// resourceVersion. (In the runs so far the informer resumed its watch within milliseconds, without a relist.)
	marker := benchEdgeNode(n + benchReservations)
	marker.Name = "restart-marker-" + sizeName(n)
	if _, err := client.CoreV1().Nodes().Create(ctx, marker, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := framework.ResetPeakMemory(pid); err != nil {
		b.Fatal(err)
	}
	if err := cp.KillKubeAPIServer(); err != nil {
		b.Fatal(err)
	}
	if err := cp.StartKubeAPIServerAgain(ctx); err != nil {
		b.Fatal(err)
	}
	restarted := time.Now()
	after := benchEdgeNode(n + benchReservations + 1)
	after.Name = "after-restart-" + sizeName(n)
	if _, err := client.CoreV1().Nodes().Create(ctx, after, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := waitForEdgeNode(ctx, api, after.Name, 10*time.Minute); err != nil {
		fail("%v", err)
	}
	m.restartCatchUp = time.Since(restarted)
	m.restartRSS, m.restartPeak = sampleRSS(b, pid)
	for _, name := range []string{marker.Name, after.Name} {
		if err := client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if ew.Process().Exited() {
		fail("edgewatcher-apiserver exited during the measurement: %v", ew.Process().ExitError())
	}
	return m
}

// smallOnlyEnv, when set, limits BenchmarkAPIServerMemory to its smallest size, for profiling the server's base.
const smallOnlyEnv = "EDGEWATCHER_BENCH_SMALL_ONLY"

// profileDirEnv names a directory where BenchmarkAPIServerMemory saves the server's heap profile for each run.
const profileDirEnv = "EDGEWATCHER_BENCH_PROFILE_DIR"

// saveHeapProfile saves the server's heap profile, after a collection, to path, and the same as text with the
// runtime's memory statistics to path.txt.
func saveHeapProfile(b *testing.B, cp *framework.ControlPlane, ew *framework.EdgeWatcher, path string) {
	b.Helper()
	cfg, err := ew.TLSConfig(cp.PKI.Admin)
	if err != nil {
		b.Fatal(err)
	}
	c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: cfg}}
	for query, file := range map[string]string{"gc=1": path, "debug=1": path + ".txt"} {
		resp, err := c.Get(ew.URL() + "/debug/pprof/heap?" + query)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("heap profile: %d %v", resp.StatusCode, err)
		}
		if err := os.WriteFile(file, body, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("heap profile saved to %s", path)
}

// sampleRSS samples VmRSS of pid every second for apiServerSteadyWindow and returns the highest sample and the
// peak (VmHWM, or the highest sample if the kernel's lazily updated VmHWM trails it).
func sampleRSS(b *testing.B, pid int) (rss, peak int64) {
	b.Helper()
	for end := time.Now().Add(apiServerSteadyWindow); time.Now().Before(end); time.Sleep(time.Second) {
		r, _, err := framework.Memory(pid)
		if err != nil {
			b.Fatal(err)
		}
		rss = max(rss, r)
	}
	_, peak, err := framework.Memory(pid)
	if err != nil {
		b.Fatal(err)
	}
	return rss, max(peak, rss)
}

// edgeNodesAPIPath is the edgenodes collection through kube-apiserver's aggregator.
const edgeNodesAPIPath = "/apis/" + framework.EdgeWatcherGroup + "/" + framework.EdgeWatcherVersion + "/edgenodes"

// reserveBenchNames reserves benchReservations names and IPs through the aggregated API, as an administrator's
// `kubectl create -f` does.
func reserveBenchNames(ctx context.Context, client kubernetes.Interface) error {
	for i := range benchReservations {
		body := fmt.Sprintf(`{"apiVersion":"%s/%s","kind":"EdgeNode","metadata":{"name":"reserved-%d"},"spec":{"internalIP":"10.128.%d.%d"}}`,
			framework.EdgeWatcherGroup, framework.EdgeWatcherVersion, i, i/250, i%250+1)
		err := client.CoreV1().RESTClient().Post().AbsPath(edgeNodesAPIPath).
			SetHeader("Content-Type", "application/json").Body([]byte(body)).Do(ctx).Error()
		if err != nil {
			return fmt.Errorf("reserving reserved-%d: %w", i, err)
		}
	}
	return nil
}

// waitForEdgeNodeCount waits until a one-item page of edgenodes says want items exist in all.
func waitForEdgeNodeCount(ctx context.Context, client kubernetes.Interface, want int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		raw, err := client.CoreV1().RESTClient().Get().AbsPath(edgeNodesAPIPath).Param("limit", "1").
			SetHeader("Accept", "application/json").DoRaw(ctx)
		if err != nil {
			last = err.Error()
		} else {
			var page struct {
				Metadata metav1.ListMeta   `json:"metadata"`
				Items    []json.RawMessage `json:"items"`
			}
			if err := json.Unmarshal(raw, &page); err != nil {
				return fmt.Errorf("decoding a page of edgenodes: %w", err)
			}
			got := len(page.Items)
			if page.Metadata.RemainingItemCount != nil {
				got += int(*page.Metadata.RemainingItemCount)
			}
			if got == want {
				return nil
			}
			last = strconv.Itoa(got) + " edgenodes"
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("edgenodes did not reach %d within %v: %s", want, timeout, last)
}

// waitForEdgeNode waits until the aggregated API serves edgenode name.
func waitForEdgeNode(ctx context.Context, client kubernetes.Interface, name string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = client.CoreV1().RESTClient().Get().AbsPath(edgeNodesAPIPath, name).Do(ctx).Error(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("edgenode %s not served within %v: %w", name, timeout, err)
}
