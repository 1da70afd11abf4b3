package apiserver

import (
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"

	"github.com/edgewatcher/edgewatcher/pkg/join"
)

var (
	joinDependencyReadyDesc = metrics.NewDesc("edgewatcher_join_dependency_ready",
		"1 when the KubeEdge object the join flow needs (cloudcore-config, token-secret or ca-secret, console-config) "+
			"is usable, 0 when join requests that need it answer 503.",
		[]string{"dependency"}, nil, metrics.ALPHA, "")

	registerJoinMetricsOnce sync.Once
)

// joinDependencyCollector checks the join flow's dependencies when /metrics is scraped, so the gauge is what a
// join request would meet at that moment.
type joinDependencyCollector struct {
	metrics.BaseStableCollector
	monitor *join.DependencyMonitor
}

// DescribeWithStability implements metrics.StableCollector.
func (c *joinDependencyCollector) DescribeWithStability(ch chan<- *metrics.Desc) {
	ch <- joinDependencyReadyDesc
}

// CollectWithStability implements metrics.StableCollector; nothing is reported before the caches synced.
func (c *joinDependencyCollector) CollectWithStability(ch chan<- metrics.Metric) {
	for _, d := range c.monitor.Update() {
		v := 0.0
		if d.Ready() {
			v = 1
		}
		ch <- metrics.NewLazyConstMetric(joinDependencyReadyDesc, metrics.GaugeValue, v, d.Name)
	}
}

// registerJoinMetrics exposes the join dependencies on /metrics; the process serves one join flow.
func registerJoinMetrics(monitor *join.DependencyMonitor) {
	registerJoinMetricsOnce.Do(func() {
		legacyregistry.CustomMustRegister(&joinDependencyCollector{monitor: monitor})
	})
}
