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

package metrics

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// cpuCounterBase keeps the served CPU counters well above zero, which metrics-server treats as missing.
const cpuCounterBase = 1000.0

// edgeUsage is what a stand-in reports for one edge node, and its one pod, through /metrics/resource.
type edgeUsage struct {
	node                 string
	cpuCores             float64 // rate of node_cpu_usage_seconds_total
	memoryBytes          uint64
	podNamespace, pod    string
	container            string
	containerCPUCores    float64
	containerMemoryBytes uint64
}

// standIn serves, inside ns on <ip>:10003 with a throw-away certificate, the kubelet paths cloudcore's stream
// server proxies to edge nodes. Like cloudcore, it picks the node for /metrics and /stats by the Host header's IP
// or X-Forwarded-Uri, and answers 404 for a node it has no session for. Keep-alives are off, so every request is
// a new connection through the DNAT as it is at that moment.
type standIn struct {
	name    string
	byIP    map[string]edgeUsage
	started time.Time
}

// startStandIn starts a stand-in named name serving edges (keyed by InternalIP) and stops it when the test ends.
func startStandIn(t *testing.T, ns *netns.Namespace, name, ip string, edges map[string]edgeUsage) {
	t.Helper()
	cert := standInCert(t, name, ip)
	var l net.Listener
	if err := ns.Do(func() error {
		var err error
		l, err = net.Listen("tcp", net.JoinHostPort(ip, streamPort))
		return err
	}); err != nil {
		t.Fatalf("listening on %s:%s in %s: %v", ip, streamPort, ns.Name, err)
	}
	s := &standIn{name: name, byIP: edges, started: time.Now()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", s.containerLogs)
	mux.HandleFunc("GET /metrics/resource", s.resourceMetrics)
	mux.HandleFunc("GET /stats/summary", s.summary)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	srv.SetKeepAlivesEnabled(false)
	tl := tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	go func() { _ = srv.Serve(tl) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// standInCert issues a serving certificate for ip from a throw-away CA, as cloudcore's stream certificate is:
// clients do not verify it (kube-apiserver without --kubelet-certificate-authority, metrics-server with
// --kubelet-insecure-tls).
func standInCert(t *testing.T, name, ip string) tls.Certificate {
	t.Helper()
	ca, err := framework.NewCA(name + "-stream-ca")
	if err != nil {
		t.Fatal(err)
	}
	kp, err := ca.IssueServing(name, []string{"cloudcore.kubeedge.svc"}, []net.IP{net.ParseIP(ip)})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(kp.CertPEM, kp.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// logLine is the log a stand-in returns for a container, naming itself and the Host header it was asked with.
func logLine(standIn, namespace, pod, container, host string) string {
	return fmt.Sprintf("log of %s/%s/%s served by %s for host %s", namespace, pod, container, standIn, host)
}

// containerLogs implements GET /containerLogs/<namespace>/<pod>/<container>.
func (s *standIn) containerLogs(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = fmt.Fprintln(w, logLine(s.name, r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container"), r.Host))
}

// edge returns the node the request is for, or answers 404. Like cloudcore, it takes the node name from
// X-Forwarded-Uri (/api/v1/nodes/<name>/proxy/..., set by kube-apiserver's node proxy, which keeps the client's
// Host), and otherwise the Host header's IP (metrics-server dials the InternalIP).
func (s *standIn) edge(w http.ResponseWriter, r *http.Request) (edgeUsage, bool) {
	if rest, ok := strings.CutPrefix(r.Header.Get("X-Forwarded-Uri"), "/api/v1/nodes/"); ok {
		name, _, _ := strings.Cut(rest, "/")
		for _, e := range s.byIP {
			if e.node == name {
				return e, true
			}
		}
	} else {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if e, ok := s.byIP[host]; ok {
			return e, true
		}
	}
	http.Error(w, fmt.Sprintf("%s: can not find session for %s %s", s.name, r.Host, r.Header.Get("X-Forwarded-Uri")), http.StatusNotFound)
	return edgeUsage{}, false
}

// resourceMetrics implements GET /metrics/resource: kubelet's resource metrics with explicit timestamps and CPU
// counters that grow at exactly the configured rates, so metrics-server's rate equals them.
func (s *standIn) resourceMetrics(w http.ResponseWriter, r *http.Request) {
	e, ok := s.edge(w, r)
	if !ok {
		return
	}
	nowMs := time.Now().UnixMilli()
	elapsed := float64(nowMs-s.started.UnixMilli()) / 1000
	ts := strconv.FormatInt(nowMs, 10)
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	labels := fmt.Sprintf(`{container=%q,namespace=%q,pod=%q}`, e.container, e.podNamespace, e.pod)
	var b strings.Builder
	for _, l := range []string{
		"# HELP node_cpu_usage_seconds_total [ALPHA] Cumulative cpu time consumed by the node in core-seconds",
		"# TYPE node_cpu_usage_seconds_total counter",
		"node_cpu_usage_seconds_total " + num(cpuCounterBase+e.cpuCores*elapsed) + " " + ts,
		"# HELP node_memory_working_set_bytes [ALPHA] Current working set of the node in bytes",
		"# TYPE node_memory_working_set_bytes gauge",
		"node_memory_working_set_bytes " + strconv.FormatUint(e.memoryBytes, 10) + " " + ts,
		"# HELP container_cpu_usage_seconds_total [ALPHA] Cumulative cpu time consumed by the container in core-seconds",
		"# TYPE container_cpu_usage_seconds_total counter",
		"container_cpu_usage_seconds_total" + labels + " " + num(cpuCounterBase+e.containerCPUCores*elapsed) + " " + ts,
		"# HELP container_memory_working_set_bytes [ALPHA] Current working set of the container in bytes",
		"# TYPE container_memory_working_set_bytes gauge",
		"container_memory_working_set_bytes" + labels + " " + strconv.FormatUint(e.containerMemoryBytes, 10) + " " + ts,
		"# HELP container_start_time_seconds [ALPHA] Start time of the container since unix epoch in seconds",
		"# TYPE container_start_time_seconds gauge",
		"container_start_time_seconds" + labels + " " + num(float64(s.started.Unix())) + " " + ts,
		"# HELP scrape_error [ALPHA] 1 if there was an error while getting container metrics, 0 otherwise",
		"# TYPE scrape_error gauge",
		"scrape_error 0",
	} {
		b.WriteString(l + "\n")
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = w.Write([]byte(b.String()))
}

// summary implements GET /stats/summary with the node's name, memory and the stand-in that answered.
func (s *standIn) summary(w http.ResponseWriter, r *http.Request) {
	e, ok := s.edge(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"node": map[string]any{
			"nodeName":  e.node,
			"startTime": s.started.UTC().Format(time.RFC3339),
			"memory":    map[string]any{"time": time.Now().UTC().Format(time.RFC3339), "workingSetBytes": e.memoryBytes},
		},
		"pods":     []any{},
		"servedBy": s.name,
	})
}
