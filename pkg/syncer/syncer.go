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
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/component-base/metrics"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// syncKey is the only workqueue key: every change leads to one full sync, which coalesces bursts.
const syncKey = "forwarding"

// minRetryDelay is the first backoff after a failed sync; it doubles up to the resync period.
const minRetryDelay = 100 * time.Millisecond

// Syncer keeps the kernel's forwarding equal to the desired state computed from the cluster.
type Syncer struct {
	cfg         Config
	podSelector labels.Selector
	watched     *watched
	queue       workqueue.TypedRateLimitingInterface[string]
	metrics     *syncerMetrics
	gatherer    metrics.Gatherer
	reporter    *conflictReporter
	broadcaster record.EventBroadcaster

	// changed collects the Nodes changed since the last sync; fullDue asks the next sync to verify the kernel;
	// nodesChanged asks for a catch-up, so the heartbeat soon reports the change as observed.
	changed      changedNodes
	fullDue      atomic.Bool
	nodesChanged atomic.Bool

	// The rest up to lease is touched only by the sync worker. tracker holds the desired state; nodesLoaded says
	// the first sync loaded every Node into it; needFull says the kernel must get a full Apply, because none
	// succeeded yet or an incremental change failed.
	last        lastGood
	tracker     *forwarding.Tracker
	nodesLoaded bool
	needFull    bool
	// conflictsChanged tells finish to refresh the status's conflict list.
	conflictsChanged bool
	// observed is the Node resource version of the last catch-up, which finish publishes when its sync
	// succeeds; lastCatchUp is when that catch-up ran.
	observed    string
	lastCatchUp time.Time
	// lease is the last heartbeat Lease written; touched only by the heartbeat loop.
	lease *coordinationv1.Lease
	// beat asks the heartbeat loop to renew now.
	beat chan struct{}

	mu     sync.Mutex
	status status
}

// New returns a Syncer for cfg. Nothing runs until Run.
func New(cfg Config) (*Syncer, error) {
	cfg, selector, err := cfg.complete()
	if err != nil {
		return nil, err
	}
	s := &Syncer{
		cfg:         cfg,
		podSelector: selector,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](minRetryDelay, max(cfg.ResyncPeriod, minRetryDelay)),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: ComponentName}),
		beat:     make(chan struct{}, 1),
		tracker:  forwarding.NewTracker(),
		needFull: true,
	}
	registry := cfg.Registry
	if registry == nil {
		kr := metrics.NewKubeRegistry()
		registry, s.gatherer = kr, kr
	}
	s.metrics = newMetrics(registry)
	s.last = newLastGood(cfg.Namespace, s.metrics)
	recorder := cfg.Recorder
	if recorder == nil {
		s.broadcaster = record.NewBroadcaster()
		recorder = s.broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: ComponentName, Host: cfg.NodeName})
	}
	s.reporter = newConflictReporter(recorder, cfg.NodeName)
	onNode := func(obj any) {
		s.changed.add(obj)
		s.nodesChanged.Store(true)
	}
	if s.watched, err = newWatched(cfg, selector, func() { s.queue.Add(syncKey) }, onNode); err != nil {
		return nil, err
	}
	return s, nil
}

// Gatherer returns the private metrics registry when Config.Registry was nil, else nil.
func (s *Syncer) Gatherer() metrics.Gatherer { return s.gatherer }

// Run starts the informers, waits for them to sync, then syncs on every change and every resync period until
// ctx ends. It never removes the kernel state: a restarted syncer takes over without a gap. It returns nil when
// ctx ends, or an error when the informers could not sync.
func (s *Syncer) Run(ctx context.Context) error {
	defer utilruntime.HandleCrash()
	s.mu.Lock()
	s.status.started = s.cfg.Clock.Now()
	s.mu.Unlock()
	if s.broadcaster != nil {
		s.broadcaster.StartStructuredLogging(3)
		s.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: s.cfg.Client.CoreV1().Events("")})
		defer s.broadcaster.Shutdown()
	}
	informerCtx, stopInformers := context.WithCancel(ctx)
	defer func() {
		stopInformers()
		s.watched.shutdown()
	}()
	s.watched.start(informerCtx)
	klog.InfoS("Waiting for the informer caches to sync before applying anything", "node", s.cfg.NodeName)
	if !s.watched.waitForSync(ctx) {
		s.queue.ShutDown()
		if ctx.Err() != nil {
			return nil
		}
		return errors.New("informer caches did not sync")
	}
	klog.InfoS("Informer caches synced; starting the sync loop", "resyncPeriod", s.cfg.ResyncPeriod)
	s.queue.Add(syncKey)

	var wg sync.WaitGroup
	wg.Go(func() {
		for s.processNext(ctx) {
		}
	})
	wg.Go(func() { s.resyncLoop(ctx) })
	wg.Go(func() { s.heartbeatLoop(ctx) })
	<-ctx.Done()
	s.queue.ShutDown()
	wg.Wait()
	klog.InfoS("Sync loop stopped; the kernel state stays in place for the next syncer")
	return nil
}

// processNext runs one sync from the queue; false when the queue is shut down.
func (s *Syncer) processNext(ctx context.Context) bool {
	key, shutdown := s.queue.Get()
	if shutdown {
		return false
	}
	defer s.queue.Done(key)
	if err := s.sync(ctx); err != nil {
		klog.ErrorS(err, "Sync failed; retrying", "retries", s.queue.NumRequeues(key))
		s.queue.AddRateLimited(key)
		return true
	}
	s.queue.Forget(key)
	return true
}

// resyncLoop enqueues a sync every resync period, or every half period with a verify interval, which repairs
// drift within one period. With a verify interval V ≤ period/2 = P: a tick that skips verification does so
// because a verification ran within V before it; if that ran after the drift it repaired it, and otherwise the
// next tick, P later, is more than V after it and verifies. Either way the repair comes within 2P.
func (s *Syncer) resyncLoop(ctx context.Context) {
	period := s.cfg.ResyncPeriod
	if s.cfg.VerifyInterval > 0 {
		period /= 2
	}
	t := s.cfg.Clock.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			s.fullDue.Store(true)
			s.queue.Add(syncKey)
		}
	}
}

// heartbeatLoop renews the heartbeat Lease after the first successful sync, one resync period after each renewal,
// and when a sync has observed newer Nodes, but never sooner than minObserveInterval after the last renewal.
func (s *Syncer) heartbeatLoop(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-s.beat: // no Lease before the first success: it would report a host that forwards nothing yet
	}
	for {
		if err := s.heartbeat(ctx); err != nil && ctx.Err() == nil {
			s.metrics.heartbeatErrors.Inc()
			klog.ErrorS(err, "Heartbeat failed")
		}
		renewed := s.cfg.Clock.Now()
		t := s.cfg.Clock.NewTimer(s.cfg.ResyncPeriod)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		case <-s.beat:
			t.Stop()
			if wait := minObserveInterval - s.cfg.Clock.Since(renewed); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-s.cfg.Clock.After(wait):
				}
			}
		}
	}
}

// sync brings the desired state up to date with the changes since the last sync and programs the difference.
// The kernel work is proportional to the change; a resync tick also verifies the kernel, and the first sync, or
// the first after a failure, applies everything. The Apply is not cancelled with ctx, so stopping never leaves a
// half-applied kernel state.
func (s *Syncer) sync(ctx context.Context) error {
	start := s.cfg.Clock.Now()
	in, err := s.input()
	switch {
	case err != nil:
		in = nil
	case !s.nodesLoaded:
		err = s.firstSync(ctx, in)
	default:
		err = s.syncChanges(ctx, in)
	}
	if err != nil && in != nil {
		s.metrics.syncErrors.WithLabelValues(StageApply).Inc()
	}
	s.finish(start, in, err)
	return err
}

// firstSync programs every cached Node, then loads the same snapshot into the tracker. The kernel is programmed
// from a one-shot Compute, which is faster than loading the tracker, so forwarding starts sooner; both evaluate
// alike (the Tracker tests check it), so the tracker then holds exactly what was applied. A Prefiller dataplane
// starts loading the candidates before Compute, which then runs alongside. Changes from the moment of the
// listing on are recorded for the next sync.
func (s *Syncer) firstSync(ctx context.Context, in *inputs) error {
	s.changed.startRecording()
	s.nodesChanged.Store(false)
	s.lastCatchUp = s.cfg.Clock.Now()
	s.observed = s.watched.storeVersion() // before the listing: see catchUp
	nodes := s.watched.listNodes()
	snapshot := in.Input(make([]forwarding.EdgeNode, 0, len(nodes)), nil)
	for _, n := range nodes {
		if n.edge {
			snapshot.EdgeNodes = append(snapshot.EdgeNodes, n.edgeNode())
		} else {
			snapshot.OtherNodes = append(snapshot.OtherNodes, forwarding.Node{Name: n.name, Addresses: n.addresses})
		}
	}
	if p, ok := s.cfg.Dataplane.(dataplane.Prefiller); ok {
		prefillCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ApplyTimeout)
		defer cancel() // ends the prefill's restore if the Apply below did not
		if err := p.Prefill(prefillCtx, s.enabledRules(forwarding.Candidates(snapshot))); err != nil {
			klog.InfoS("Could not prefill the sets; the first sync fills them itself", "err", err)
		}
	}
	applyErr := s.applyAll(ctx, forwarding.Compute(snapshot).Rules)

	s.tracker.SetGlobals(in.Globals)
	s.tracker.Reserve(len(nodes))
	for _, n := range nodes {
		s.setNode(n)
	}
	s.tracker.Settle()
	s.nodesLoaded = true
	s.reportConflicts()
	// The initial list and the snapshot were the largest allocations the syncer makes; return their pages
	// now rather than over minutes, so RSS settles at the steady state.
	debug.FreeOSMemory()
	return applyErr
}

// syncChanges brings the tracker up to date with the changed Nodes and globals and programs the difference.
func (s *Syncer) syncChanges(ctx context.Context, in *inputs) error {
	s.tracker.SetGlobals(in.Globals)
	if s.catchUpDue() {
		if rv := s.catchUp(); rv != "" {
			s.observed = rv
		}
	} else if err := s.updateNodes(); err != nil {
		return err
	}
	var delta forwarding.Delta
	if s.needFull {
		delta.ConflictsChanged = s.tracker.Settle()
	} else {
		delta = s.tracker.Flush()
	}
	if delta.ConflictsChanged {
		s.reportConflicts()
	}
	return s.program(ctx, delta)
}

// reportConflicts records the tracker's conflicts as Events and metrics, and has finish refresh the status.
func (s *Syncer) reportConflicts() {
	conflicts := s.tracker.Conflicts()
	s.reporter.report(conflicts, s.cachedNode)
	s.metrics.setConflicts(conflicts)
	s.conflictsChanged = true
}

// program makes the kernel hold the tracker's rules: the delta alone when the dataplane can apply it and the
// kernel holds the previous state, plus a verification when one is due; otherwise a full Apply.
func (s *Syncer) program(ctx context.Context, d forwarding.Delta) error {
	verify := s.fullDue.Swap(false)
	if da, ok := s.cfg.Dataplane.(dataplane.DeltaApplier); ok && !s.needFull {
		applyCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ApplyTimeout)
		defer cancel()
		err := s.applyDelta(applyCtx, da, d)
		if err == nil && verify {
			if err = da.Verify(applyCtx); err == nil {
				s.metrics.kernelPasses.WithLabelValues("verify").Inc()
			}
		}
		if !errors.Is(err, dataplane.ErrFullApplyRequired) {
			s.needFull = err != nil
			if err != nil {
				return fmt.Errorf("applying %d added and %d removed forwarding entries: %w", len(d.Added), len(d.Removed), err)
			}
			return nil
		}
	} else if !ok && !s.needFull && d.Empty() && !verify {
		return nil
	}
	return s.applyAll(ctx, s.tracker.Rules())
}

// applyAll programs every rule of the enabled families; until it succeeds, every sync applies everything.
func (s *Syncer) applyAll(ctx context.Context, rules []forwarding.Rule) error {
	applyCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ApplyTimeout)
	defer cancel()
	rules = s.enabledRules(rules)
	err := s.cfg.Dataplane.Apply(applyCtx, rules)
	s.needFull = err != nil
	if err != nil {
		return fmt.Errorf("applying %d forwarding entries: %w", len(rules), err)
	}
	s.metrics.kernelPasses.WithLabelValues("full").Inc()
	return nil
}

// applyDelta applies a delta's rules of the enabled families; an empty delta costs nothing.
func (s *Syncer) applyDelta(ctx context.Context, da dataplane.DeltaApplier, d forwarding.Delta) error {
	if d.Empty() {
		return nil
	}
	err := da.ApplyDelta(ctx, s.enabledRules(d.Added), s.enabledRules(d.Removed))
	if err == nil {
		s.metrics.kernelPasses.WithLabelValues("delta").Inc()
	}
	return err
}

// finish records a sync's outcome in metrics, status and logs, and triggers the first heartbeat.
func (s *Syncer) finish(start time.Time, in *inputs, err error) {
	elapsed := s.cfg.Clock.Since(start)
	s.metrics.syncDuration.Observe(elapsed.Seconds())
	entries, forwarded := 0, 0
	for _, f := range s.cfg.Families {
		entries += s.tracker.Entries(f)
		forwarded += s.tracker.ForwardedNodes(f)
	}
	conflicts := s.tracker.ConflictCount()
	s.mu.Lock()
	first := s.status.lastSuccess.IsZero() && err == nil
	changed := err == nil && (entries != s.status.entries || conflicts != s.status.conflicts)
	s.mu.Unlock()
	var conflictList []forwarding.Conflict
	if s.conflictsChanged {
		conflictList, s.conflictsChanged = s.tracker.Conflicts(), false
	}
	s.mu.Lock()
	advanced := err == nil && s.observed != s.status.observed
	s.mu.Unlock()
	s.recordSync(in, conflictList, entries, forwarded, err)
	if err != nil {
		s.metrics.syncs.WithLabelValues("error").Inc()
		return
	}
	s.metrics.syncs.WithLabelValues("success").Inc()
	s.metrics.lastSuccess.Set(float64(s.cfg.Clock.Now().UnixNano()) / 1e9)
	s.metrics.setProgrammed(s.tracker.Entries, s.cfg.Families)
	s.metrics.forwardedNodes.Set(float64(forwarded))
	s.metrics.edgeNodes.Set(float64(s.tracker.EdgeNodes()))
	disabled := 0
	for _, f := range []forwarding.Family{forwarding.IPv4, forwarding.IPv6} {
		if !slices.Contains(s.cfg.Families, f) {
			disabled += s.tracker.Entries(f)
		}
	}
	s.metrics.familyDisabled.Set(float64(disabled))
	level := klog.Level(4)
	if first || changed {
		level = 2
	}
	kv := []any{"entries", entries, "edgeNodes", s.tracker.EdgeNodes(), "conflicts", conflicts,
		"defaultTarget", in.DefaultTarget, "defaultTargetSource", in.targetSource, "duration", elapsed}
	if st, ok := s.cfg.Dataplane.(interface{ LastStats() dataplane.Stats }); ok {
		stats := st.LastStats()
		if stats.Changed() && level > 2 {
			level = 2
		}
		kv = append(kv, "kernelChanged", stats.Changed(), "verified", stats.Verified, "setsRebuilt", stats.SetsRebuilt, "setsRead", stats.SetsRead,
			"entriesAdded", stats.EntriesAdded, "entriesRemoved", stats.EntriesRemoved, "chainsWritten", stats.ChainsWritten,
			"jumpsInserted", stats.JumpsInserted, "applyDuration", stats.Duration)
		if stats.SetsPrefilled > 0 {
			kv = append(kv, "setsPrefilled", stats.SetsPrefilled, "prefillCorrections", stats.PrefillCorrections,
				"fillOverlapped", stats.FillOverlapped)
		}
	}
	klog.V(level).InfoS("Synced forwarding", kv...)
	if first || advanced {
		select {
		case s.beat <- struct{}{}:
		default:
		}
	}
}

// cachedNode returns a core Node with what the cache keeps of the Node of that name, or nil.
func (s *Syncer) cachedNode(name string) *corev1.Node {
	if n := s.watched.node(name); n != nil {
		return n.node()
	}
	return nil
}

// enabledRules returns the rules of the enabled families.
func (s *Syncer) enabledRules(rules []forwarding.Rule) []forwarding.Rule {
	if len(s.cfg.Families) == 2 {
		return rules
	}
	out := make([]forwarding.Rule, 0, len(rules))
	for _, r := range rules {
		if slices.Contains(s.cfg.Families, r.Family()) {
			out = append(out, r)
		}
	}
	return out
}
