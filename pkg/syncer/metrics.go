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
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// metricsSubsystem prefixes every metric name: edgewatcher_syncer_*.
const (
	metricsNamespace = "edgewatcher"
	metricsSubsystem = "syncer"
)

// Error stages, the values of the stage label of edgewatcher_syncer_sync_errors_total.
const (
	// StageApply is a failed Dataplane.Apply.
	StageApply = "apply"
	// StageHostAddresses is a failure to learn this host's addresses; nothing is applied then.
	StageHostAddresses = "host_addresses"
	// StageTunnelPort is a deleted or malformed tunnelport record, once per version; the last good one stays in use.
	StageTunnelPort = "tunnelport"
	// StageCloudCoreConfig is a deleted or malformed cloudcore.yaml, once per version; the last good one stays in use.
	StageCloudCoreConfig = "cloudcore_config"
)

// LegacyRegisterer registers metrics in k8s.io/component-base/metrics/legacyregistry, which the process's
// /metrics serves together with the Go and process collectors.
type LegacyRegisterer struct{}

// MustRegister implements Registerer.
func (LegacyRegisterer) MustRegister(cs ...metrics.Registerable) { legacyregistry.MustRegister(cs...) }

// syncerMetrics are the loop's metrics. Unregistered component-base metrics are no-ops, so they are always
// registered somewhere, in a private registry at least.
type syncerMetrics struct {
	rulesProgrammed *metrics.GaugeVec
	familyDisabled  *metrics.Gauge
	edgeNodes       *metrics.Gauge
	forwardedNodes  *metrics.Gauge
	conflicts       *metrics.GaugeVec
	syncDuration    *metrics.Histogram
	syncs           *metrics.CounterVec
	kernelPasses    *metrics.CounterVec
	syncErrors      *metrics.CounterVec
	dependencyReady *metrics.GaugeVec
	heartbeatErrors *metrics.Counter
	lastSuccess     *metrics.Gauge
	mu              sync.Mutex
	reasonsSeen     map[forwarding.Reason]struct{}
}

// newMetrics creates the metrics and registers them with r.
func newMetrics(r Registerer) *syncerMetrics {
	m := &syncerMetrics{
		rulesProgrammed: metrics.NewGaugeVec(&metrics.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "rules_programmed",
			Help:           "Destinations (edge IP and port) forwarded by the last successful sync, by address family.",
			StabilityLevel: metrics.ALPHA,
		}, []string{"family"}),
		familyDisabled: metrics.NewGauge(&metrics.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "rules_family_disabled",
			Help:           "Destinations not programmed because their address family is not enabled (--ip-families).",
			StabilityLevel: metrics.ALPHA,
		}),
		edgeNodes: metrics.NewGauge(&metrics.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "edge_nodes",
			Help:           "Edge Nodes seen by the last sync.",
			StabilityLevel: metrics.ALPHA,
		}),
		forwardedNodes: metrics.NewGauge(&metrics.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "forwarded_nodes",
			Help:           "Edge Nodes with at least one destination forwarded by the last successful sync.",
			StabilityLevel: metrics.ALPHA,
		}),
		conflicts: metrics.NewGaugeVec(&metrics.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "conflicts",
			Help:           "Edge nodes or IPs not forwarded, by reason (DuplicateIP, HostIP, CloudCoreIP, SpecialIP, NoTarget, ...).",
			StabilityLevel: metrics.ALPHA,
		}, []string{"reason"}),
		syncDuration: metrics.NewHistogram(&metrics.HistogramOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "sync_duration_seconds",
			Help:           "Time of one sync: reading the caches, computing the desired state and applying it.",
			Buckets:        metrics.ExponentialBuckets(0.001, 2, 16),
			StabilityLevel: metrics.ALPHA,
		}),
		syncs: metrics.NewCounterVec(&metrics.CounterOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "syncs_total",
			Help:           "Syncs, by result (success or error).",
			StabilityLevel: metrics.ALPHA,
		}, []string{"result"}),
		kernelPasses: metrics.NewCounterVec(&metrics.CounterOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "kernel_passes_total",
			Help:           "Successful kernel programming passes, by mode: full (every entry), delta (only the changed entries) or verify (re-read and repair).",
			StabilityLevel: metrics.ALPHA,
		}, []string{"mode"}),
		syncErrors: metrics.NewCounterVec(&metrics.CounterOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "sync_errors_total",
			Help:           "Sync errors, by stage (apply, host_addresses, tunnelport, cloudcore_config).",
			StabilityLevel: metrics.ALPHA,
		}, []string{"stage"}),
		dependencyReady: metrics.NewGaugeVec(&metrics.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "dependency_ready",
			Help: "1 when the KubeEdge object (tunnel-port-record, cloudcore-config) exists and parses; 0 while it is " +
				"missing or malformed and its last good version, if any, stays in use.",
			StabilityLevel: metrics.ALPHA,
		}, []string{"dependency"}),
		heartbeatErrors: metrics.NewCounter(&metrics.CounterOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "heartbeat_errors_total",
			Help:           "Failed renewals of the heartbeat Lease.",
			StabilityLevel: metrics.ALPHA,
		}),
		lastSuccess: metrics.NewGauge(&metrics.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "last_successful_sync_timestamp_seconds",
			Help:           "Unix time of the last successful sync.",
			StabilityLevel: metrics.ALPHA,
		}),
		reasonsSeen: map[forwarding.Reason]struct{}{},
	}
	r.MustRegister(m.rulesProgrammed, m.familyDisabled, m.edgeNodes, m.forwardedNodes, m.conflicts, m.syncDuration, m.kernelPasses,
		m.syncs, m.syncErrors, m.dependencyReady, m.heartbeatErrors, m.lastSuccess)
	return m
}

// setConflicts sets the conflict gauge of every reason, zeroing the reasons that no longer occur.
func (m *syncerMetrics) setConflicts(conflicts []forwarding.Conflict) {
	counts := map[forwarding.Reason]int{}
	for _, c := range conflicts {
		counts[c.Reason]++
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for r := range m.reasonsSeen {
		if _, ok := counts[r]; !ok {
			m.conflicts.WithLabelValues(string(r)).Set(0)
		}
	}
	for r, n := range counts {
		m.conflicts.WithLabelValues(string(r)).Set(float64(n))
		m.reasonsSeen[r] = struct{}{}
	}
}

// setProgrammed sets the per-family entry gauges of the enabled families from count.
func (m *syncerMetrics) setProgrammed(count func(forwarding.Family) int, families []forwarding.Family) {
	for _, f := range families {
		m.rulesProgrammed.WithLabelValues(familyLabel(f)).Set(float64(count(f)))
	}
}

// familyLabel is the family label value: ipv4 or ipv6.
func familyLabel(f forwarding.Family) string {
	if f == forwarding.IPv6 {
		return "ipv6"
	}
	return "ipv4"
}
