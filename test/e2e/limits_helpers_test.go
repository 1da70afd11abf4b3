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

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// The server's default limits (--max-request-body-bytes, --max-request-uri-bytes); the shared server runs with them.
const (
	bodyLimit = 256 << 10
	uriLimit  = 64 << 10
	// hugeBody is the size of the bodies nobody may buffer.
	hugeBody = 10 << 20
)

// limitRoute is one way to reach edgewatcher-apiserver's secure port.
type limitRoute struct {
	name   string
	base   string
	client *http.Client
	// header carries the front proxy's identity on direct routes, as kube-apiserver sends it.
	header http.Header
	// proto is the protocol every answer must come over, so that each route tests what it says.
	proto string
}

// limitRoutes returns kube-apiserver's aggregated path and the server's own port, each over HTTP/1.1 and HTTP/2.
func limitRoutes(t *testing.T) []limitRoute {
	t.Helper()
	tlsConfig, err := rest.TLSConfigFor(cp.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	viaKubeAPIServer := func(h2 bool) *http.Client {
		tr := &http.Transport{TLSClientConfig: tlsConfig.Clone(), ForceAttemptHTTP2: h2}
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Timeout: 30 * time.Second, Transport: tr}
	}
	proxy := frontProxyClientCert(t)
	direct := func(h2 bool) *http.Client {
		c := directClient(t, proxy)
		tr := c.Transport.(*http.Transport)
		tr.ForceAttemptHTTP2 = h2
		t.Cleanup(tr.CloseIdleConnections)
		c.Timeout = 30 * time.Second
		return c
	}
	admin := http.Header{"X-Remote-User": {"admin"}, "X-Remote-Group": {"system:masters"}}
	return []limitRoute{
		{name: "kube-apiserver HTTP/1.1", base: cp.RestConfig().Host, client: viaKubeAPIServer(false), proto: "HTTP/1.1"},
		{name: "kube-apiserver HTTP/2", base: cp.RestConfig().Host, client: viaKubeAPIServer(true), proto: "HTTP/2.0"},
		{name: "direct HTTP/1.1", base: ew.URL(), client: direct(false), header: admin, proto: "HTTP/1.1"},
		{name: "direct HTTP/2", base: ew.URL(), client: direct(true), header: admin, proto: "HTTP/2.0"},
	}
}

// frontProxyClientCert is kube-apiserver's proxy client certificate, which the server trusts for X-Remote-* headers.
func frontProxyClientCert(t *testing.T) *framework.KeyPair {
	t.Helper()
	certPEM, err := os.ReadFile(cp.PKI.ProxyClientCertFile)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := os.ReadFile(cp.PKI.ProxyClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return &framework.KeyPair{CertPEM: certPEM, KeyPEM: keyPEM}
}

// send sends method to path over r with body of size bytes (nil for none) and returns the status and answer.
func (r limitRoute) send(t *testing.T, method, path string, body io.Reader, size int64) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, r.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("%s: %s %d-byte URI with a %d-byte body: %v", r.name, method, len(path), size, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.Proto != r.proto {
		t.Fatalf("%s: answered over %s", r.name, resp.Proto)
	}
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading the answer: %v", r.name, err)
	}
	return resp.StatusCode, answer
}

// post sends body in full.
func (r limitRoute) post(t *testing.T, path string, body []byte) (int, []byte) {
	t.Helper()
	return r.send(t, http.MethodPost, path, bytes.NewReader(body), int64(len(body)))
}

// wantStatus checks that answer is a Status with code, reason and a message containing message.
func wantStatus(t *testing.T, what string, code int, answer []byte, wantCode int, reason metav1.StatusReason, message string) {
	t.Helper()
	var st metav1.Status
	if code != wantCode || json.Unmarshal(answer, &st) != nil || st.Kind != "Status" || int(st.Code) != wantCode ||
		st.Reason != reason || !strings.Contains(st.Message, message) {
		t.Errorf("%s: %d %.300s; want a %d Status %s containing %q", what, code, answer, wantCode, reason, message)
	}
}

// padJSON pads the JSON object obj with spaces after its opening brace to exactly size bytes.
func padJSON(obj string, size int) []byte {
	if size < len(obj) {
		panic(fmt.Sprintf("padJSON: %d bytes do not fit in %d", len(obj), size))
	}
	return []byte("{" + strings.Repeat(" ", size-len(obj)) + obj[1:])
}

// uriOfLength returns path with a query that the server ignores, making the URI exactly n bytes.
func uriOfLength(path string, n int) string {
	prefix := path + "?limits-pad="
	return prefix + strings.Repeat("a", n-len(prefix))
}

// stalledBody is a body of size bytes of spaces that stalls after head bytes until release is closed:
// an answer that arrives while it stalls came without the rest of the body.
type stalledBody struct {
	head, size, sent int
	release          chan struct{}
}

// newStalledBody returns a body of size bytes that stalls after head bytes; release it with the returned function.
func newStalledBody(head, size int) (*stalledBody, func()) {
	b := &stalledBody{head: head, size: size, release: make(chan struct{})}
	var once sync.Once
	return b, func() { once.Do(func() { close(b.release) }) }
}

// Read implements io.Reader.
func (b *stalledBody) Read(p []byte) (int, error) {
	if b.sent == b.head {
		<-b.release
	}
	end := b.size
	if b.sent < b.head {
		end = b.head
	}
	n := min(len(p), end-b.sent)
	if n == 0 {
		return 0, io.EOF
	}
	for i := range p[:n] {
		p[i] = ' '
	}
	b.sent += n
	return n, nil
}

// residentSet reads VmRSS and VmHWM (the peak since the last resetPeakRSS) of pid in bytes.
func residentSet(t *testing.T, pid int) (rss, peak int64) {
	t.Helper()
	rss, peak, err := framework.Memory(pid)
	if err != nil {
		t.Fatal(err)
	}
	return rss, peak
}

// resetPeakRSS sets pid's VmHWM to its current VmRSS.
func resetPeakRSS(t *testing.T, pid int) {
	t.Helper()
	if err := framework.ResetPeakMemory(pid); err != nil {
		t.Fatalf("resetting the peak RSS of the server: %v", err)
	}
}

// wantHealthy checks that the server process is the same one and still answers /readyz.
func wantHealthy(t *testing.T, server *framework.EdgeWatcher, proc *framework.Process) {
	t.Helper()
	if server.Process() != proc || proc.Exited() {
		t.Fatalf("the server process %d exited or was replaced", proc.Pid())
	}
	if code, body := get(t, replicaClient(t, server, nil), server.URL()+"/readyz", nil); code != http.StatusOK || body != "ok" {
		t.Fatalf("/readyz = %d %q", code, body)
	}
}

// deleteEdgeNodesAtCleanup releases the test's reservations.
func deleteEdgeNodesAtCleanup(t *testing.T, names ...string) {
	t.Cleanup(func() {
		args := append([]string{"delete", "edgenode", "--ignore-not-found"}, names...)
		if _, stderr, err := cp.Kubectl(context.Background(), args...); err != nil {
			t.Errorf("deleting %v: %v %s", names, err, stderr)
		}
	})
}
