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
	"strings"
	"testing"

	"k8s.io/component-base/metrics/testutil"

	"github.com/edgewatcher/edgewatcher/pkg/join"
)

// TestJoinDependencyGauge checks the gauge per dependency, and that nothing is reported before the caches synced.
func TestJoinDependencyGauge(t *testing.T) {
	synced := false
	monitor := join.NewDependencyMonitor(brokenToken, func() bool { return synced })
	// A collector registers its descriptors once: one per comparison.
	if err := testutil.CustomCollectAndCompare(&joinDependencyCollector{monitor: monitor}, strings.NewReader(""), "edgewatcher_join_dependency_ready"); err != nil {
		t.Errorf("before sync: %v", err)
	}
	synced = true
	want := `
# HELP edgewatcher_join_dependency_ready [ALPHA] 1 when the KubeEdge object the join flow needs (cloudcore-config, token-secret or ca-secret, console-config) is usable, 0 when join requests that need it answer 503.
# TYPE edgewatcher_join_dependency_ready gauge
edgewatcher_join_dependency_ready{dependency="cloudcore-config"} 1
edgewatcher_join_dependency_ready{dependency="console-config"} 1
edgewatcher_join_dependency_ready{dependency="token-secret"} 0
`
	if err := testutil.CustomCollectAndCompare(&joinDependencyCollector{monitor: monitor}, strings.NewReader(want), "edgewatcher_join_dependency_ready"); err != nil {
		t.Error(err)
	}
}
