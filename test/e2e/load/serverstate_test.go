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

package load

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

const (
	// settleTimeout bounds the wait for the server to close every watch and end the goroutines of the clients
	// that left.
	settleTimeout = 30 * time.Second
	// After a forced GC the Go runtime returns the freed heap pages to the kernel in bursts over several
	// seconds. RSS is read once the heap pages it holds free (heap idle minus released) are at most
	// maxUnreleased, for at most rssTimeout.
	maxUnreleased = 2 << 20
	rssTimeout    = 30 * time.Second
	// idleRSSTimeout is shorter: the idle figure is only reported.
	idleRSSTimeout = 10 * time.Second
)

// serverState is what the test reads from edgewatcher-apiserver between phases.
type serverState struct {
	// rss is VmRSS once the runtime has returned its free heap pages after the forced GCs.
	rss int64
	// rssSettled is how long that took; unreleased is how much free heap the runtime still held then.
	rssSettled time.Duration
	unreleased int64
	// goroutines is go_goroutines once every watch has closed.
	goroutines int
	// heapAlloc and heapInuse are the live heap and the heap spans holding it after the forced GCs.
	heapAlloc, heapInuse int64
}

// adminClient talks straight to the server's secure port with the admin's client certificate, verifying the
// server's own certificate: the path to /metrics and /debug/pprof.
func adminClient() (*http.Client, error) {
	cfg, err := ew.TLSConfig(cp.PKI.Admin)
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}, nil
}

// fetch GETs path on the server and returns the body of a 200.
func fetch(c *http.Client, path string) (string, error) {
	resp, err := c.Get(ew.URL() + path)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d %.200s", path, resp.StatusCode, body)
	}
	return string(body), nil
}

// metrics returns the values of the named series (name and labels exactly as exposed) on /metrics.
func metrics(c *http.Client, series ...string) ([]float64, error) {
	text, err := fetch(c, "/metrics")
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(series))
	for i, s := range series {
		out[i] = math.NaN()
		for line := range strings.Lines(text) {
			if rest, ok := strings.CutPrefix(line, s+" "); ok {
				out[i], err = strconv.ParseFloat(strings.TrimSpace(rest), 64)
				if err != nil {
					return nil, fmt.Errorf("/metrics %s: %w", s, err)
				}
			}
		}
		if math.IsNaN(out[i]) {
			return nil, fmt.Errorf("/metrics has no %s", s)
		}
	}
	return out, nil
}

// settle waits until the server has no open watch and at most maxGoroutines goroutines, and returns the
// goroutine count; after settleTimeout it returns the count it has, for the caller to judge.
func settle(ctx context.Context, c *http.Client, maxGoroutines int) (int, error) {
	deadline := time.Now().Add(settleTimeout)
	for {
		v, err := metrics(c, "edgewatcher_edgenode_view_watchers", "go_goroutines")
		if err != nil {
			return 0, err
		}
		g := int(v[1])
		if (v[0] == 0 && g <= maxGoroutines) || time.Now().After(deadline) {
			return g, ctx.Err()
		}
		pause(ctx, 500*time.Millisecond)
	}
}

// measureServer settles the server (see settle), forces two garbage collections through
// /debug/pprof/heap?gc=1 (the second frees what sync.Pools kept through the first) and reads RSS once the
// runtime has returned its free heap pages to the kernel, or timeout has passed.
func measureServer(ctx context.Context, c *http.Client, maxGoroutines int, timeout time.Duration) (serverState, error) {
	var st serverState
	var err error
	if st.goroutines, err = settle(ctx, c, maxGoroutines); err != nil {
		return st, err
	}
	for range 2 {
		if _, err := fetch(c, "/debug/pprof/heap?gc=1"); err != nil {
			return st, fmt.Errorf("forcing a GC: %w", err)
		}
	}
	start := time.Now()
	pid := ew.Process().Pid()
	for gcs := 0; ; {
		v, err := metrics(c, "go_memstats_heap_alloc_bytes", "go_memstats_heap_inuse_bytes", "go_memstats_heap_idle_bytes", "go_memstats_heap_released_bytes")
		if err != nil {
			return st, err
		}
		rss, err := framework.ResidentSetSize(pid)
		if err != nil {
			return st, err
		}
		if st.rss == 0 {
			st.heapAlloc, st.heapInuse = int64(v[0]), int64(v[1])
		}
		st.rss, st.unreleased, st.rssSettled = rss, int64(v[2]-v[3]), time.Since(start)
		if st.unreleased <= maxUnreleased || st.rssSettled > timeout || ctx.Err() != nil {
			return st, ctx.Err()
		}
		pause(ctx, 500*time.Millisecond)
		// Each collection wakes the runtime's scavenger, which returns free pages in bursts.
		if gcs++; gcs%4 == 0 {
			if _, err := fetch(c, "/debug/pprof/heap?gc=1"); err != nil {
				return st, fmt.Errorf("forcing a GC: %w", err)
			}
		}
	}
}

// mib renders bytes in MiB with one decimal.
func mib(b int64) string {
	return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MiB"
}
