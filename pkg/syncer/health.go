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

package syncer

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"

	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
)

// staleAfter is how many resync periods may pass without a successful sync before the syncer is unhealthy; it is
// also the heartbeat Lease's duration in resync periods.
const staleAfter = 3

// status is what the last syncs did, for health checks and the heartbeat.
type status struct {
	started           time.Time
	lastSuccess       time.Time
	lastAttempt       time.Time
	lastError         string
	consecutiveErrors int
	totalErrors       int64
	entries           int
	edgeNodes         int
	forwardedNodes    int
	conflicts         int
	conflictNodes     []string
	defaultTarget     string
	targetSource      string
	// observed is the Node resource version the last successful sync is consistent with.
	observed string
}

// recordSync updates the status after a sync (in is nil when it failed before reading its input): entries
// destinations of forwarded nodes were applied, unless err. conflicts is the new conflict list, or nil when it
// did not change.
func (s *Syncer) recordSync(in *inputs, conflicts []forwarding.Conflict, entries, forwarded int, err error) {
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.status
	st.lastAttempt = now
	if in != nil {
		st.edgeNodes = s.tracker.EdgeNodes()
		st.defaultTarget, st.targetSource = "", in.targetSource
		if in.DefaultTarget.IsValid() {
			st.defaultTarget = in.DefaultTarget.String()
		}
	}
	if conflicts != nil {
		st.conflicts = len(conflicts)
		st.conflictNodes = st.conflictNodes[:0]
		for _, c := range conflicts {
			if len(st.conflictNodes) == 0 || st.conflictNodes[len(st.conflictNodes)-1] != c.Node {
				st.conflictNodes = append(st.conflictNodes, c.Node)
			}
		}
	}
	if err != nil {
		st.lastError = err.Error()
		st.consecutiveErrors++
		st.totalErrors++
		return
	}
	st.lastSuccess, st.lastError, st.consecutiveErrors = now, "", 0
	st.entries, st.forwardedNodes = entries, forwarded
	st.observed = s.observed
}

// heartbeatStatus returns the status to publish in the Lease.
func (s *Syncer) heartbeatStatus() heartbeat.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.status
	hb := heartbeat.Status{
		NodeName:            s.cfg.NodeName,
		Dataplane:           s.cfg.Description,
		ResyncPeriodSeconds: s.cfg.ResyncPeriod.Seconds(),
		Entries:             st.entries,
		EdgeNodes:           st.edgeNodes,
		ForwardedNodes:      st.forwardedNodes,
		Conflicts:           st.conflicts,
		DefaultTarget:       st.defaultTarget,
		DefaultTargetSource: st.targetSource,
		ConsecutiveErrors:   st.consecutiveErrors,
		TotalErrors:         st.totalErrors,
		LastError:           st.lastError,
		// The version a successful sync reached: an Apply that failed leaves it where the kernel was.
		ObservedNodeResourceVersion: st.observed,
	}
	if !st.lastSuccess.IsZero() {
		hb.LastSyncTime = &metav1.Time{Time: st.lastSuccess}
	}
	if !st.lastAttempt.IsZero() {
		hb.LastAttemptTime = &metav1.Time{Time: st.lastAttempt}
	}
	// conflictNodes is sorted: conflicts are sorted by node.
	hb.ConflictNodes = slices.Clone(st.conflictNodes[:min(len(st.conflictNodes), heartbeat.MaxConflictNodes)])
	hb.ConflictNodesTruncated = len(st.conflictNodes) > heartbeat.MaxConflictNodes
	return hb
}

// Healthy returns an error when the last successful sync (or the start, before the first) is older than three
// resync periods: the loop is stuck or every sync fails.
func (s *Syncer) Healthy() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	since := s.status.lastSuccess
	if since.IsZero() {
		since = s.status.started
	}
	if since.IsZero() {
		return errors.New("the sync loop has not started")
	}
	if age, limit := s.cfg.Clock.Since(since), staleAfter*s.cfg.ResyncPeriod; age > limit {
		what := "last successful sync"
		if s.status.lastSuccess.IsZero() {
			what = "start without a successful sync"
		}
		msg := fmt.Sprintf("%s was %s ago, more than %s (%d resync periods)", what, age.Round(time.Millisecond), limit, staleAfter)
		if s.status.lastError != "" {
			msg += "; last error: " + s.status.lastError
		}
		return errors.New(msg)
	}
	return nil
}

// Ready returns nil once a sync has succeeded, so the kernel holds the desired state.
func (s *Syncer) Ready() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status.lastSuccess.IsZero() {
		if s.status.lastError != "" {
			return fmt.Errorf("no successful sync yet; last error: %s", s.status.lastError)
		}
		return errors.New("no successful sync yet")
	}
	return nil
}

// HealthHandler serves /healthz and /livez (Healthy) and /readyz (Ready): 200 "ok", or 503 with the reason.
func HealthHandler(s *Syncer) http.Handler {
	mux := http.NewServeMux()
	check := func(fn func() error) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			if err := fn(); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = fmt.Fprintln(w, err.Error())
				return
			}
			_, _ = fmt.Fprint(w, "ok")
		}
	}
	mux.Handle("GET /healthz", check(s.Healthy))
	mux.Handle("GET /livez", check(s.Healthy))
	mux.Handle("GET /readyz", check(s.Ready))
	return mux
}
