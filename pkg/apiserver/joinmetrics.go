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
