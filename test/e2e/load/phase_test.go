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
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// releaseGrace is how long the server's caches may take to show a reservation just made.
const releaseGrace = 5 * time.Second

// deliveryMargin is how long a Node status change may take to reach every watch, including a watch being
// reopened on a busy machine: the changes written earlier than this before the end of a phase must all
// have been delivered.
const deliveryMargin = 20 * time.Second

// phase is what one period of load produced.
type phase struct {
	results []result
	// watchEvents are the object events each watch client received.
	watchEvents []int
	// churnWrites and churnFailures count the Node status changes written during the phase.
	churnWrites, churnFailures int64
	// churnDue counts the changes written at least deliveryMargin before the end, which every watch must have got.
	churnDue int64
	// churnErr is the last failed write, if any.
	churnErr any
	// cpu says how much CPU each process used.
	cpu string
}

// run puts the 200 clients and the churn on the server for d, then stops them and closes their connections.
func (f *fixture) run(t *testing.T, ctx context.Context, d time.Duration) phase {
	t.Helper()
	routes := []*routeStats{
		newRouteStats("joincommand", joinClients),
		newRouteStats("console", consoleClients),
		newRouteStats("release", consoleClients),
		newRouteStats("list", listClients),
		newRouteStats("watch", watchClients),
	}
	join, console, release, list, watch := routes[0], routes[1], routes[2], routes[3], routes[4]
	viewer := newClient(f.ids.viewer)
	rv, err := currentResourceVersion(ctx, viewer)
	viewer.CloseIdleConnections()
	if err != nil {
		t.Fatalf("resourceVersion to watch from: %v", err)
	}
	bearer, err := tokenTLS()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var clients []*http.Client
	client := func(cfg *tls.Config) *http.Client {
		c := newClient(cfg)
		clients = append(clients, c)
		return c
	}
	p := phase{watchEvents: make([]int, watchClients)}
	held := make([]string, consoleClients)
	for i := range joinClients {
		c := client(f.ids.joiner)
		wg.Go(func() { joinClient(ctx, c, join, i) })
	}
	for i := range consoleClients {
		plain, api := client(nil), client(bearer)
		wg.Go(func() {
			held[i] = consoleClient(ctx, plain, api, console, release, i, f.ids.consoleTokens[i%consoleUsers])
		})
	}
	for i := range listClients {
		c := client(f.ids.viewer)
		wg.Go(func() { listClient(ctx, c, list, i) })
	}
	for i := range watchClients {
		c := client(f.ids.viewer)
		wg.Go(func() { p.watchEvents[i] = watchClient(ctx, c, watch, i, rv) })
	}
	failures, begin := f.churn.failures.Load(), time.Now()
	wg.Go(func() { f.churn.run(ctx, f.bulk) })
	procs := cpuProcesses()
	cpuBefore := cpuTimes(procs)
	pause(ctx, d)
	p.cpu = cpuReport(procs, cpuBefore, cpuTimes(procs), d)
	end := time.Now()
	cancel()
	wg.Wait()
	for _, c := range clients {
		c.CloseIdleConnections()
	}
	f.release(t, held)
	p.churnWrites = int64(f.churn.writtenBetween(begin, time.Now()))
	p.churnDue = int64(f.churn.writtenBetween(begin, end.Add(-deliveryMargin)))
	p.churnFailures = f.churn.failures.Load() - failures
	p.churnErr = f.churn.lastErr.Load()
	for _, r := range routes {
		p.results = append(p.results, r.result(d))
	}
	return p
}

// release releases the nodes the console clients may still hold, so that every phase ends with the
// reservations it started with. A node still unknown after releaseGrace is not held: the request that
// would have reserved it, or that released it, was cut off when the phase ended.
func (f *fixture) release(t *testing.T, held []string) {
	t.Helper()
	cfg, err := tokenTLS()
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(cfg)
	defer c.CloseIdleConnections()
	errs := make([]error, len(held))
	var wg sync.WaitGroup
	for i, name := range held {
		if name == "" {
			continue
		}
		token := f.ids.consoleTokens[i%consoleUsers]
		wg.Go(func() {
			for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
				resp, err := c.Do(releaseRequest(token, name))
				if err != nil {
					errs[i] = err
					return
				}
				_ = resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusOK:
					return
				case resp.StatusCode != http.StatusNotFound:
					errs[i] = fmt.Errorf("releasing %s: %s", name, resp.Status)
					return
				case time.Since(start) > releaseGrace:
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// totals renders the phase's churn and watch figures for the report.
func (p phase) totals() string {
	lo, hi, sum := -1, 0, 0
	for _, n := range p.watchEvents {
		if lo < 0 || n < lo {
			lo = n
		}
		hi, sum = max(hi, n), sum+n
	}
	return fmt.Sprintf("churn: %d Node status changes (%d failed, %d due at every watch); watch events per client: min %d, max %d, total %d\n%s",
		p.churnWrites, p.churnFailures, p.churnDue, lo, hi, sum, p.cpu)
}
