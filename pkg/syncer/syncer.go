package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
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

	// last and seen are touched only by the sync worker; seen is countNodes' reusable set.
	last lastGood
	seen map[string]struct{}
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
		beat: make(chan struct{}, 1),
	}
	registry := cfg.Registry
	if registry == nil {
		kr := metrics.NewKubeRegistry()
		registry, s.gatherer = kr, kr
	}
	s.metrics = newMetrics(registry)
	recorder := cfg.Recorder
	if recorder == nil {
		s.broadcaster = record.NewBroadcaster()
		recorder = s.broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: ComponentName, Host: cfg.NodeName})
	}
	s.reporter = newConflictReporter(recorder, cfg.NodeName)
	if s.watched, err = newWatched(cfg, selector, func() { s.queue.Add(syncKey) }); err != nil {
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
			s.queue.Add(syncKey)
		}
	}
}

// heartbeatLoop renews the heartbeat Lease after the first successful sync and every resync period.
func (s *Syncer) heartbeatLoop(ctx context.Context) {
	t := s.cfg.Clock.NewTicker(s.cfg.ResyncPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
		case <-s.beat:
		}
		if err := s.heartbeat(ctx); err != nil && ctx.Err() == nil {
			s.metrics.heartbeatErrors.Inc()
			klog.ErrorS(err, "Heartbeat failed")
		}
	}
}

// sync computes the desired state from the caches and applies it. The Apply is not cancelled with ctx, so
// stopping never leaves a half-applied kernel state.
func (s *Syncer) sync(ctx context.Context) error {
	start := s.cfg.Clock.Now()
	in, err := s.input()
	if err != nil {
		s.finish(start, nil, nil, nil, err)
		return err
	}
	set := forwarding.Compute(in.Input)
	rules, disabled := s.enabledRules(set.Rules)
	s.reporter.report(set.Conflicts, s.cachedNode)

	applyCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ApplyTimeout)
	err = s.cfg.Dataplane.Apply(applyCtx, rules)
	cancel()
	if err != nil {
		s.metrics.syncErrors.WithLabelValues(StageApply).Inc()
		err = fmt.Errorf("applying %d forwarding entries: %w", len(rules), err)
	}
	s.metrics.familyDisabled.Set(float64(disabled))
	s.metrics.edgeNodes.Set(float64(len(in.EdgeNodes)))
	s.metrics.setConflicts(set.Conflicts)
	s.finish(start, in, &set, rules, err)
	return err
}

// finish records a sync's outcome in metrics, status and logs, and triggers the first heartbeat.
func (s *Syncer) finish(start time.Time, in *inputs, set *forwarding.Set, rules []forwarding.Rule, err error) {
	elapsed := s.cfg.Clock.Since(start)
	s.metrics.syncDuration.Observe(elapsed.Seconds())
	forwarded := 0
	if err == nil {
		forwarded = s.countNodes(rules)
	}
	s.mu.Lock()
	first := s.status.lastSuccess.IsZero() && err == nil
	changed := err == nil && (len(rules) != s.status.entries || set != nil && len(set.Conflicts) != s.status.conflicts)
	s.mu.Unlock()
	s.recordSync(in, set, len(rules), forwarded, err)
	if err != nil {
		s.metrics.syncs.WithLabelValues("error").Inc()
		return
	}
	s.metrics.syncs.WithLabelValues("success").Inc()
	s.metrics.lastSuccess.Set(float64(s.cfg.Clock.Now().UnixNano()) / 1e9)
	s.metrics.setProgrammed(rules, s.cfg.Families)
	s.metrics.forwardedNodes.Set(float64(forwarded))
	level := klog.Level(4)
	if first || changed {
		level = 2
	}
	kv := []any{"entries", len(rules), "edgeNodes", len(in.EdgeNodes), "conflicts", len(set.Conflicts),
		"defaultTarget", in.DefaultTarget, "defaultTargetSource", in.targetSource, "duration", elapsed}
	if st, ok := s.cfg.Dataplane.(interface{ LastStats() dataplane.Stats }); ok {
		stats := st.LastStats()
		if stats.Changed() && level > 2 {
			level = 2
		}
		kv = append(kv, "kernelChanged", stats.Changed(), "verified", stats.Verified, "setsRebuilt", stats.SetsRebuilt,
			"entriesAdded", stats.EntriesAdded, "entriesRemoved", stats.EntriesRemoved, "chainsWritten", stats.ChainsWritten,
			"jumpsInserted", stats.JumpsInserted, "applyDuration", stats.Duration)
	}
	klog.V(level).InfoS("Synced forwarding", kv...)
	if first {
		select {
		case s.beat <- struct{}{}:
		default:
		}
	}
}

// countNodes counts the distinct nodes of rules, reusing one set across syncs.
func (s *Syncer) countNodes(rules []forwarding.Rule) int {
	if s.seen == nil {
		s.seen = make(map[string]struct{}, len(rules))
	}
	clear(s.seen)
	for _, r := range rules {
		s.seen[r.Node] = struct{}{}
	}
	return len(s.seen)
}

// cachedNode returns the cached Node of that name, or nil.
func (s *Syncer) cachedNode(name string) *corev1.Node {
	n, err := s.watched.nodes.Get(name)
	if err != nil {
		return nil
	}
	return n
}

// enabledRules returns the rules of the enabled families and how many others were dropped.
func (s *Syncer) enabledRules(rules []forwarding.Rule) ([]forwarding.Rule, int) {
	if len(s.cfg.Families) == 2 {
		return rules, 0
	}
	out := make([]forwarding.Rule, 0, len(rules))
	for _, r := range rules {
		if slices.Contains(s.cfg.Families, r.Family()) {
			out = append(out, r)
		}
	}
	return out, len(rules) - len(out)
}
