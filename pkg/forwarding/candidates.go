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

package forwarding

import (
	"net/netip"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// Candidates returns the rules Compute would return if no address of an edge node were claimed by anything
// else: every rule but uniqueness applies. They are in input order, and a destination two nodes share appears
// twice. It needs no claim table and no sorting, so it costs a fraction of Compute, and its rules are a superset
// of Compute's. The syncer's first sync loads them into the kernel's unreferenced temporary sets while Compute
// runs.
func Candidates(in Input) []Rule {
	eval := newEvaluator(&in.Globals, noClaims{})
	rules := make([]Rule, 0, len(in.EdgeNodes)*(1+len(in.ExtraPorts)))
	var problems []Conflict
	for i := range in.EdgeNodes {
		n := &in.EdgeNodes[i]
		rules, problems = eval.node(n, parseInternalIP(n.InternalIP), rules, problems[:0])
	}
	return rules
}

// noClaims is a claim table in which no address is claimed.
type noClaims struct{}

// others implements claimLookup.
func (noClaims) others(netip.Addr, ipam.Owner) []ipam.Owner { return nil }
