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
	"slices"
	"sync"
	"testing"

	dataplanetesting "github.com/edgewatcher/edgewatcher/pkg/dataplane/testing"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// prefillingFake is the fake dataplane as a Prefiller that records the candidates it was given.
type prefillingFake struct {
	*dataplanetesting.FakeDataplane
	mu         sync.Mutex
	candidates [][]forwarding.Rule
}

func (p *prefillingFake) Prefill(_ context.Context, candidates []forwarding.Rule) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.candidates = append(p.candidates, slices.Clone(candidates))
	return nil
}

// TestFirstSyncPrefills checks that the first sync hands a Prefiller the candidates of the enabled families
// before its Apply, including the destinations uniqueness then withholds, and that later syncs do not.
func TestFirstSyncPrefills(t *testing.T) {
	var dp *prefillingFake
	h := newHarness(t, func(c *Config) {
		dp = &prefillingFake{FakeDataplane: c.Dataplane.(*dataplanetesting.FakeDataplane)}
		c.Dataplane = dp
		c.Families = []forwarding.Family{forwarding.IPv4}
	},
		tunnelPortCM(twoCloudcores),
		cloudNode("cloud-1", hostIP),
		edgeNode("edge-a", "10.1.0.1", 10351),
		edgeNode("edge-b", "10.1.0.2", 10352),
		edgeNode("edge-host", hostIP, 10351), // this host's IP: a candidate, never forwarded
		edgeNode("edge-6", "fd00::1", 10351), // a disabled family
	)
	h.start()
	h.waitRules("first sync", rule("edge-a", "10.1.0.1:10351", cloudcoreA), rule("edge-b", "10.1.0.2:10352", cloudcoreB))
	h.createNode(edgeNode("edge-c", "10.1.0.3", 10351))
	h.waitRules("a node added", rule("edge-a", "10.1.0.1:10351", cloudcoreA), rule("edge-b", "10.1.0.2:10352", cloudcoreB),
		rule("edge-c", "10.1.0.3:10351", cloudcoreA))
	dp.mu.Lock()
	defer dp.mu.Unlock()
	want := []forwarding.Rule{
		rule("edge-host", hostIP+":10351", cloudcoreA), rule("edge-a", "10.1.0.1:10351", cloudcoreA), rule("edge-b", "10.1.0.2:10352", cloudcoreB),
	}
	byDestination := func(a, b forwarding.Rule) int { return a.Destination.Compare(b.Destination) }
	slices.SortFunc(want, byDestination)
	for _, c := range dp.candidates {
		slices.SortFunc(c, byDestination)
	}
	if len(dp.candidates) != 1 || !slices.Equal(dp.candidates[0], want) {
		t.Errorf("prefilled %v, want once %v", dp.candidates, want)
	}
}
