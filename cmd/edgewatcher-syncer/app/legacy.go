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

package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// legacyCleaner implements --clean-legacy-rules. executorDataplane.Apply calls it after every Apply that
// succeeded, so the first call follows the syncer's first successful full sync: EdgeWatcher's jumps are at the
// head of nat OUTPUT and PREROUTING and every forwarded destination is in place. It then removes the rules the old
// EdgeWatcher agent left in nat OUTPUT (dataplane.Netfilter.RemoveLegacyRules) and logs each one. A failed removal
// is retried after the next successful Apply; once one has succeeded it does nothing more.
type legacyCleaner struct {
	// remove deletes the old agent's rules, in the dataplane's network namespace.
	remove func(ctx context.Context) ([]dataplane.LegacyRule, error)

	mu   sync.Mutex
	done bool
}

// newLegacyCleaner returns the cleaner of the syncer's Netfilter, run through its executor.
func newLegacyCleaner(ex executor, nf *dataplane.Netfilter) *legacyCleaner {
	return &legacyCleaner{
		remove: func(ctx context.Context) ([]dataplane.LegacyRule, error) {
			var removed []dataplane.LegacyRule
			var err error
			ex.do(func() { removed, err = nf.RemoveLegacyRules(ctx) })
			return removed, err
		},
	}
}

// afterApply removes the old agent's rules unless that already succeeded; rules is what was just applied.
func (c *legacyCleaner) afterApply(ctx context.Context, rules []forwarding.Rule) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	removed, err := c.remove(ctx)
	logLegacyRemoved(removed, rules)
	if err != nil {
		klog.ErrorS(err, "Removing the old EdgeWatcher agent's rules from nat OUTPUT failed; retrying after the next successful sync",
			"removed", len(removed))
		return
	}
	c.done = true
	klog.InfoS("Removed the old EdgeWatcher agent's rules from nat OUTPUT after the first successful sync", "removed", len(removed))
}

// logLegacyRemoved logs each removed rule, and whether EdgeWatcher forwards its destination (rules is what the
// syncer just applied; nil when unknown, as in the cleanup command).
func logLegacyRemoved(removed []dataplane.LegacyRule, rules []forwarding.Rule) {
	for _, r := range removed {
		kv := []any{"family", r.Family, "rule", r.Rule, "destination", r.Destination, "oldTarget", r.Target}
		if rules == nil {
			klog.InfoS("Removed a rule the old EdgeWatcher agent left in nat OUTPUT", kv...)
			continue
		}
		forwarded := slices.ContainsFunc(rules, func(f forwarding.Rule) bool { return f.Destination == r.Destination })
		kv = append(kv, "forwardedByEdgeWatcher", forwarded)
		switch {
		case forwarded:
			klog.InfoS("Removed a rule the old EdgeWatcher agent left in nat OUTPUT", kv...)
		case r.Destination.Port() == dataplane.LegacyMetricsPort:
			klog.InfoS("Removed a rule the old EdgeWatcher agent left in nat OUTPUT; EdgeWatcher does not forward this "+
				"destination, so clients that dial port 10250 (metrics-server without --kubelet-use-node-status-port) "+
				"need --extra-ports=10250", kv...)
		default:
			klog.InfoS("Removed a rule the old EdgeWatcher agent left in nat OUTPUT; EdgeWatcher does not forward this "+
				"destination (the node's kubelet endpoint port is another, or the node is not forwarded)", kv...)
		}
	}
}

// CleanupLegacyRules removes only the old EdgeWatcher agent's rules from nat OUTPUT, with the backends d selects
// (every installed variant for auto), and leaves EdgeWatcher's own chains, jumps and sets in place.
func CleanupLegacyRules(ctx context.Context, d *DataplaneOptions) error {
	ex, backends, err := d.cleanupBackends()
	if err != nil {
		return err
	}
	defer ex.close()
	var errs []error
	total := 0
	for _, b := range backends {
		nf, desc, err := d.newNetfilter(ctx, ex, b, 0)
		if err != nil {
			return err
		}
		klog.InfoS("Removing the old EdgeWatcher agent's rules", "dataplane", desc, "netns", d.NetNS)
		var removed []dataplane.LegacyRule
		ex.do(func() { removed, err = nf.RemoveLegacyRules(ctx) })
		logLegacyRemoved(removed, nil)
		total += len(removed)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing the old EdgeWatcher agent's rules: %w", err)
	}
	klog.InfoS("Removed the old EdgeWatcher agent's rules from nat OUTPUT", "removed", total, "backends", backends)
	return nil
}
