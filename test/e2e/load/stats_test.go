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
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxFailureSamples is how many failures per route are kept verbatim for the report.
const maxFailureSamples = 5

// routeStats counts what one route's requests ended in and keeps the latencies of the successful ones.
type routeStats struct {
	name    string
	clients int

	mu sync.Mutex
	// codes counts responses by HTTP status; for watch, by the status of the opening response.
	codes map[int]int
	// transport counts requests that got no response or whose body broke off.
	transport int
	// invalid counts 2xx responses whose body is not what the route promises.
	invalid int
	// streamErrors counts ERROR events inside watch streams, by the code of their Status.
	streamErrors map[int]int
	// noRetryAfter counts 429 responses without a Retry-After header.
	noRetryAfter int
	latencies    []time.Duration
	// events counts watch events by type.
	events   map[string]int
	failures []string
}

func newRouteStats(name string, clients int) *routeStats {
	return &routeStats{name: name, clients: clients, codes: map[int]int{}, streamErrors: map[int]int{}, events: map[string]int{}}
}

// success records a 2xx response whose body checked out.
func (s *routeStats) success(code int, took time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code]++
	s.latencies = append(s.latencies, took)
}

// failure records a non-2xx response.
func (s *routeStats) failure(code int, header http.Header, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code]++
	if code == http.StatusTooManyRequests {
		if header.Get("Retry-After") == "" {
			s.noRetryAfter++
		}
		return
	}
	s.sample(fmt.Sprintf("%d %s", code, body))
}

// invalidBody records a 2xx response with a body the route does not promise.
func (s *routeStats) invalidBody(code int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code]++
	s.invalid++
	s.sample(fmt.Sprintf("%d with an invalid body: %v", code, err))
}

// transportError records a request that got no response, or a body that broke off.
func (s *routeStats) transportError(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transport++
	s.sample("transport: " + err.Error())
}

// streamError records an ERROR event in a watch stream.
func (s *routeStats) streamError(code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streamErrors[code]++
	s.sample(fmt.Sprintf("watch ERROR event %d %s", code, message))
}

// event records a watch event of type typ.
func (s *routeStats) event(typ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events[typ]++
}

func (s *routeStats) sample(msg string) {
	if len(s.failures) < maxFailureSamples {
		s.failures = append(s.failures, msg)
	}
}

// result is a snapshot of routeStats with the figures the test reports and asserts.
type result struct {
	name                          string
	clients                       int
	successes, tooMany, errors    int
	transport, invalid, streamErr int
	noRetryAfter                  int
	codes                         map[int]int
	events                        map[string]int
	perSecond                     float64
	p50, p90, p99, max            time.Duration
	failures                      []string
}

// result summarizes the route over a run of duration d.
func (s *routeStats) result(d time.Duration) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := result{name: s.name, clients: s.clients, transport: s.transport, invalid: s.invalid, noRetryAfter: s.noRetryAfter,
		codes: maps.Clone(s.codes), events: maps.Clone(s.events), failures: slices.Clone(s.failures)}
	for code, n := range s.codes {
		switch {
		case code == http.StatusTooManyRequests:
			r.tooMany += n
		case code >= 200 && code < 300:
		default:
			r.errors += n
		}
	}
	for _, n := range s.streamErrors {
		r.streamErr += n
	}
	r.successes = len(s.latencies)
	r.errors += r.transport + r.invalid + r.streamErr
	r.perSecond = float64(r.successes) / d.Seconds()
	lat := slices.Clone(s.latencies)
	slices.Sort(lat)
	r.p50, r.p90, r.p99 = percentile(lat, 0.50), percentile(lat, 0.90), percentile(lat, 0.99)
	if len(lat) > 0 {
		r.max = lat[len(lat)-1]
	}
	return r
}

// percentile is the nearest-rank percentile p of sorted, or 0 when it is empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// table renders results as an aligned text table.
func table(results []result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %7s %8s %7s %5s %6s %9s %9s %9s %9s %9s  %s\n",
		"route", "clients", "ok", "ok/s", "429", "errors", "p50", "p90", "p99", "max", "transport", "status codes")
	for _, r := range results {
		fmt.Fprintf(&b, "%-12s %7d %8d %7.1f %5d %6d %9s %9s %9s %9s %9d  %s\n",
			r.name, r.clients, r.successes, r.perSecond, r.tooMany, r.errors,
			ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.transport, codes(r.codes))
	}
	return b.String()
}

// ms renders d in milliseconds with one decimal.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + "ms"
}

// codes renders status counts in ascending order, e.g. "200:1234 429:3".
func codes(m map[int]int) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d:%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// readSnippet reads at most 300 bytes of r for a failure message.
func readSnippet(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 300))
	return strings.TrimSpace(string(b))
}
