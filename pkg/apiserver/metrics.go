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

	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
)

var (
	viewItemsDesc = metrics.NewDesc("edgewatcher_edgenode_view_items",
		"Number of edge nodes in the view.", nil, nil, metrics.ALPHA, "")
	viewWatchersDesc = metrics.NewDesc("edgewatcher_edgenode_view_watchers",
		"Number of open edgenodes watches.", nil, nil, metrics.ALPHA, "")
	viewSlowClosedDesc = metrics.NewDesc("edgewatcher_edgenode_view_slow_watchers_closed_total",
		"Watches closed because they fell behind.", nil, nil, metrics.ALPHA, "")
	viewResourceVersionDesc = metrics.NewDesc("edgewatcher_edgenode_view_resource_version",
		"Highest Node resourceVersion the view has observed.", nil, nil, metrics.ALPHA, "")

	viewHistoryChangesDesc = metrics.NewDesc("edgewatcher_edgenode_view_history_changes",
		"Edge node changes kept for resuming watches and paging lists.", nil, nil, metrics.ALPHA, "")
	viewHistoryAgeDesc = metrics.NewDesc("edgewatcher_edgenode_view_history_age_seconds",
		"Age of the oldest edge node change kept.", nil, nil, metrics.ALPHA, "")

	registerViewMetricsOnce sync.Once
)

// viewCollector reports the EdgeNode view's size and watch health when /metrics is scraped.
type viewCollector struct {
	metrics.BaseStableCollector
	view *edgeview.Cache
}

// DescribeWithStability implements metrics.StableCollector.
func (c *viewCollector) DescribeWithStability(ch chan<- *metrics.Desc) {
	ch <- viewItemsDesc
	ch <- viewWatchersDesc
	ch <- viewSlowClosedDesc
	ch <- viewResourceVersionDesc
	ch <- viewHistoryChangesDesc
	ch <- viewHistoryAgeDesc
}

// CollectWithStability implements metrics.StableCollector.
func (c *viewCollector) CollectWithStability(ch chan<- metrics.Metric) {
	s := c.view.Stats()
	ch <- metrics.NewLazyConstMetric(viewItemsDesc, metrics.GaugeValue, float64(s.EdgeNodes))
	ch <- metrics.NewLazyConstMetric(viewWatchersDesc, metrics.GaugeValue, float64(s.Watchers))
	ch <- metrics.NewLazyConstMetric(viewSlowClosedDesc, metrics.CounterValue, float64(s.SlowWatchersClosed))
	ch <- metrics.NewLazyConstMetric(viewResourceVersionDesc, metrics.GaugeValue, float64(s.ResourceVersion))
	ch <- metrics.NewLazyConstMetric(viewHistoryChangesDesc, metrics.GaugeValue, float64(s.HistoryChanges))
	ch <- metrics.NewLazyConstMetric(viewHistoryAgeDesc, metrics.GaugeValue, s.HistoryAge.Seconds())
}

// registerViewMetrics exposes the view on /metrics; the process serves one view.
func registerViewMetrics(view *edgeview.Cache) {
	registerViewMetricsOnce.Do(func() {
		legacyregistry.CustomMustRegister(&viewCollector{view: view})
	})
}
