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
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/test/fixtures"
	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// rssTarget100kMB is the stated bound on the syncer's RSS with 100k edge Nodes, in MB (10^6 bytes).
const rssTarget100kMB = 150

// enforceRSSTarget makes the benchmark fail when RSS at 100k exceeds rssTarget100kMB. The first measurement
// was 511 MB (trimmed *corev1.Node objects and GOGC=100); the slim Node cache, GOGC=50 and returning the
// initial list's pages brought it to about 118 MB.
const enforceRSSTarget = true

// bytesPerMB converts bytes to the MB (10^6 bytes) the benchmarks report.
const bytesPerMB = 1e6

// Addresses of the syncer's network namespace and of the two cloudcores the tunnelport record names. They are
// outside 10.64.0.0/10, where the generated edge nodes' InternalIPs are.
const (
	benchHostIP = "10.99.0.1"
	benchCC1    = "10.98.1.2"
	benchCC2    = "10.98.2.2"
)

// benchTunnelRecord says cloudcore 1 owns tunnel port 10351 and cloudcore 2 owns 10352, the kubelet endpoint
// ports the generated nodes alternate between, so every node has a target.
const benchTunnelRecord = `{"ipTunnelPort":{"` + benchCC1 + `":10351,"` + benchCC2 + `":10352},"port":{"10351":true,"10352":true}}`

// createWorkers is how many goroutines create Nodes in parallel.
const createWorkers = 32

// syncerSteadyWindow is how long RSS is sampled after the first sync: two of the syncer's default resync
// periods (10 s), so the window includes the periodic re-apply and kernel verification.
const syncerSteadyWindow = 20 * time.Second

// syncerMemory is what one syncer run measured.
type syncerMemory struct {
	ready    time.Duration // from start to /readyz 200 and every node programmed
	rss      int64         // highest VmRSS sampled during syncerSteadyWindow after the first sync, in bytes
	rssReady int64         // VmRSS when the first sync was seen, in bytes
	peak     int64         // the peak over the whole run, initial list included: VmHWM, or a higher sampled VmRSS
	heap     string        // the Go runtime's view at the end, from /metrics, for the log
}

// BenchmarkSyncerMemory measures the real edgewatcher-syncer process's memory with 1k, 10k and 100k edge
// Nodes in a real kube-apiserver. Nodes are created as edged reports them (fixtures.RealisticNode: labels,
// annotations, a taint, conditions, capacity, nodeInfo, ten images), the count growing in one control plane. For each size a fresh syncer programs a fresh network namespace (--netns); once /readyz
// answers and edgewatcher_syncer_rules_programmed{family="ipv4"} equals the node count, VmRSS is sampled for
// syncerSteadyWindow and VmHWM read from /proc/<pid>/status.
//
// It reports MB-rss and MB-peak per size, the per-node cost (RSS(100k) - RSS(1k)) / 99k measured against the
// 1k run as the baseline, and x-target, RSS(100k) over rssTarget100kMB; with enforceRSSTarget it fails when
// RSS at 100k exceeds the target. Creating the 100k Nodes takes about 4 minutes on 2 cores. It needs root,
// etcd, kube-apiserver and kubectl (`make testbins`), ip, ipset and iptables-nft, and skips without them
// unless $CI is set.
func BenchmarkSyncerMemory(b *testing.B) {
	netns.RequireRoot(b)
	framework.RequireBinaries(b)
	netns.RequireCommands(b, "ip", "ipset", "iptables-nft", "ip6tables-nft")
	bin := syncerBinary(b)

	ctx := context.Background()
	cp, client := startBenchControlPlane(b, ctx)

	sizes := []int{1_000, 10_000, 100_000}
	results := map[int]syncerMemory{}
	created := 0
	for _, n := range sizes {
		start := time.Now()
		statusWrites, err := createEdgeNodes(ctx, client, created, n)
		if err != nil {
			b.Fatalf("creating nodes %d to %d: %v", created, n, err)
		}
		took := time.Since(start)

		m := measureSyncer(b, cp, bin, n)
		results[n] = m
		// Benchmark logs are cut after 10 lines: one line per size.
		b.Logf("N=%-6d created nodes %d..%d in %v (%.0f/s, %d separate status writes); syncer ready in %v; "+
			"RSS at first sync %.1f MB, steady %.1f MB, peak %.1f MB; %s",
			n, created, n-1, took.Round(time.Millisecond), float64(n-created)/took.Seconds(), statusWrites,
			m.ready.Round(time.Millisecond), float64(m.rssReady)/bytesPerMB, float64(m.rss)/bytesPerMB, float64(m.peak)/bytesPerMB, m.heap)
		created = n
		b.ReportMetric(float64(m.rss)/bytesPerMB, "MB-rss@"+sizeName(n))
		b.ReportMetric(float64(m.peak)/bytesPerMB, "MB-peak@"+sizeName(n))
	}

	small, large := results[sizes[0]], results[sizes[len(sizes)-1]]
	perNode := float64(large.rss-small.rss) / float64(sizes[len(sizes)-1]-sizes[0])
	xTarget := float64(large.rss) / bytesPerMB / rssTarget100kMB
	b.ReportMetric(perNode, "B/node")
	b.ReportMetric(xTarget, "x-target")
	b.Logf("per node: %.0f B ((RSS@%s - RSS@%s) / %d nodes); RSS@%s is %.2f× the %d MB target", perNode,
		sizeName(sizes[len(sizes)-1]), sizeName(sizes[0]), sizes[len(sizes)-1]-sizes[0], sizeName(sizes[len(sizes)-1]), xTarget, rssTarget100kMB)
	if float64(large.rss)/bytesPerMB > rssTarget100kMB {
		msg := fmt.Sprintf("edgewatcher-syncer RSS with %s edge nodes is %.1f MB (peak %.1f MB); the target is at most %d MB",
			sizeName(sizes[len(sizes)-1]), float64(large.rss)/bytesPerMB, float64(large.peak)/bytesPerMB, rssTarget100kMB)
		if enforceRSSTarget {
			b.Fatal(msg)
		}
		b.Log("OVER TARGET (not enforced yet, see enforceRSSTarget): " + msg)
	}
	for range b.N {
		// The figures above are the result; b.N iterations add nothing.
	}
}

// sizeName renders a node count as 1k, 10k or 100k.
func sizeName(n int) string {
	if n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// syncerBinary returns $EDGEWATCHER_SYNCER_BIN, or builds ./cmd/edgewatcher-syncer so it is never stale.
func syncerBinary(b *testing.B) string {
	b.Helper()
	netns.RequireCommands(b, "go")
	bin, err := framework.SyncerBinary(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

// startBenchControlPlane starts etcd and kube-apiserver, stopped when the benchmark ends, with the kubeedge
// namespace and its tunnelport record, and returns it with a bulk client.
func startBenchControlPlane(b *testing.B, ctx context.Context) (*framework.ControlPlane, kubernetes.Interface) {
	b.Helper()
	cp, err := framework.StartControlPlane(ctx, framework.ControlPlaneOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cp.Stop() })
	client := bulkClient(b, cp)
	applyBenchTunnelPort(b, ctx, client)
	return cp, client
}

// bulkClient returns an admin clientset for creating many Nodes: protobuf, and no client-side rate limit.
func bulkClient(b *testing.B, cp *framework.ControlPlane) kubernetes.Interface {
	b.Helper()
	cfg := cp.RestConfig()
	cfg.QPS, cfg.Burst = -1, 0
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// applyBenchTunnelPort creates the kubeedge namespace and its tunnelport record.
func applyBenchTunnelPort(b *testing.B, ctx context.Context, c kubernetes.Interface) {
	b.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: cloudcore.Namespace}}
	if _, err := c.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		b.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: cloudcore.TunnelPortConfigMapName, Namespace: cloudcore.Namespace,
		Annotations: map[string]string{cloudcore.TunnelPortAnnotation: benchTunnelRecord},
	}}
	if _, err := c.CoreV1().ConfigMaps(cloudcore.Namespace).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
}

// benchEdgeNode is generated edge Node i as edged registers it, without the fields the server sets: about
// 14 labels (node-role.kubernetes.io/edge among them), annotations, a taint, capacity, five conditions, an
// InternalIP in 10.64.0.0/10 unique to i and the hostname, nodeInfo and ten images. The kubelet endpoint port
// alternates between the two cloudcores' tunnel ports.
func benchEdgeNode(i int) *corev1.Node {
	n := fixtures.RealisticNode(i, true, 1, fixtures.Ready)
	n.UID, n.ResourceVersion, n.CreationTimestamp, n.ManagedFields = "", "", metav1.Time{}, nil
	n.Status.DaemonEndpoints.KubeletEndpoint.Port = 10351 + int32(i%2)
	return n
}

// createEdgeNodes creates edge Nodes from to to-1 with createWorkers goroutines. kube-apiserver keeps a Node's
// status on create (kubelet registers that way); should it not, the status is written through the status
// subresource as well, and the count of such writes is returned.
func createEdgeNodes(ctx context.Context, c kubernetes.Interface, from, to int) (int64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	nodes := c.CoreV1().Nodes()
	var next, statusWrites atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	for range createWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= to || ctx.Err() != nil {
					return
				}
				want := benchEdgeNode(i)
				got, err := nodes.Create(ctx, want, metav1.CreateOptions{})
				if err == nil && len(got.Status.Addresses) == 0 {
					statusWrites.Add(1)
					got.Status = want.Status
					_, err = nodes.UpdateStatus(ctx, got, metav1.UpdateOptions{})
				}
				if err != nil {
					cancel(fmt.Errorf("node %s: %w", want.Name, err))
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return statusWrites.Load(), err
	}
	return statusWrites.Load(), ctx.Err()
}

// measureSyncer runs edgewatcher-syncer against cp with a fresh network namespace until its first sync has
// programmed all n nodes, samples its memory for syncerSteadyWindow, and stops it.
func measureSyncer(b *testing.B, cp *framework.ControlPlane, bin string, n int) syncerMemory {
	b.Helper()
	ns := netns.New(b, netip.MustParsePrefix(benchHostIP+"/24"))
	start := time.Now()
	proc, addr := startBenchSyncer(b, cp, bin, ns, sizeName(n))
	defer func() {
		if err := proc.Stop(30 * time.Second); err != nil {
			b.Error(err)
		}
	}()
	fail := func(format string, args ...any) {
		b.Helper()
		b.Fatalf("%s\n----- edgewatcher-syncer log tail (%s) -----\n%s", fmt.Sprintf(format, args...), proc.LogPath, proc.LogTail(40))
	}
	waitProgrammed(b, proc, addr, n, 10*time.Minute)
	m := syncerMemory{ready: time.Since(start)}
	var err error
	if m.rssReady, _, err = framework.Memory(proc.Pid()); err != nil {
		b.Fatal(err)
	}
	for end := time.Now().Add(syncerSteadyWindow); time.Now().Before(end); time.Sleep(time.Second) {
		rss, _, err := framework.Memory(proc.Pid())
		if err != nil {
			b.Fatal(err)
		}
		m.rss = max(m.rss, rss)
	}
	if proc.Exited() {
		fail("edgewatcher-syncer exited during the measurement: %v", proc.ExitError())
	}
	if _, m.peak, err = framework.Memory(proc.Pid()); err != nil {
		b.Fatal(err)
	}
	// The kernel updates VmHWM lazily, so it can trail the last VmRSS sample by a few hundred kB.
	m.peak = max(m.peak, m.rss)
	anon, file := rssSplit(b, proc.Pid())
	if _, body, err := httpGet(addr, "/metrics"); err == nil {
		m.heap = fmt.Sprintf("RSS anonymous %.1f MB, binary %.1f MB; Go heap in use %s MB, heap objects %s, runtime sys %s MB, syncs %s",
			mbOf(anon), mbOf(file), mb(metricValue(body, "go_memstats_heap_inuse_bytes")),
			metricValue(body, "go_memstats_heap_objects"), mb(metricValue(body, "go_memstats_sys_bytes")),
			metricValue(body, `edgewatcher_syncer_syncs_total{result="success"}`))
	}
	return m
}

// startBenchSyncer starts edgewatcher-syncer against cp, programming ns; it returns the process and the address
// of its metrics and health server.
func startBenchSyncer(b *testing.B, cp *framework.ControlPlane, bin string, ns *netns.Namespace, run string) (*framework.Process, string) {
	b.Helper()
	port, err := framework.FreePort()
	if err != nil {
		b.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logPath := filepath.Join(b.TempDir(), "edgewatcher-syncer-"+run+".log")
	// StartProcess forks from the framework's never-exiting locked thread, so Pdeathsig only fires with us.
	proc, err := framework.StartProcess("edgewatcher-syncer", logPath, bin,
		"--kubeconfig="+cp.AdminKubeconfig,
		"--netns="+ns.Name,
		"--node-name=bench-host",
		"--metrics-bind-address="+addr,
		"--healthz-bind-address="+addr,
	)
	if err != nil {
		b.Fatal(err)
	}
	return proc, addr
}

// waitProgrammed waits until the syncer at addr is ready and has programmed n IPv4 destinations.
func waitProgrammed(b *testing.B, proc *framework.Process, addr string, n int, timeout time.Duration) {
	b.Helper()
	fail := func(format string, args ...any) {
		b.Helper()
		b.Fatalf("%s\n----- edgewatcher-syncer log tail (%s) -----\n%s", fmt.Sprintf(format, args...), proc.LogPath, proc.LogTail(40))
	}
	deadline := time.Now().Add(timeout)
	var last string
	for {
		if proc.Exited() {
			fail("edgewatcher-syncer exited before it programmed %d nodes: %v", n, proc.ExitError())
		}
		if time.Now().After(deadline) {
			fail("edgewatcher-syncer did not program %d nodes within %v: %s", n, timeout, last)
		}
		code, _, err := httpGet(addr, "/readyz")
		if err == nil && code == http.StatusOK {
			var programmed string
			if _, body, err := httpGet(addr, "/metrics"); err == nil {
				programmed = metricValue(body, `edgewatcher_syncer_rules_programmed{family="ipv4"}`)
			}
			if v, err := strconv.ParseFloat(programmed, 64); err == nil && int(v) == n {
				return
			}
			last = "rules_programmed{family=ipv4} " + programmed
		} else {
			last = fmt.Sprintf("/readyz %d %v", code, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mb renders a byte count from the metrics text in MB, or returns it unchanged when it is not a number.
func mb(s string) string {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(v/bytesPerMB, 'f', 1, 64)
}

// httpGet fetches path from the syncer's metrics and health server.
func httpGet(addr, path string) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// metricValue returns the value of the sample named series (name and labels exactly as exposed) in a
// Prometheus text exposition, or "" when it is absent.
func metricValue(text, series string) string {
	for line := range strings.Lines(text) {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}
