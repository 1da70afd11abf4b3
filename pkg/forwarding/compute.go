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
	"cmp"
	"slices"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// Owner names Compute uses for claims that are not Nodes.
const (
	// CloudCoreOwnerName names cloudcore's listed addresses.
	CloudCoreOwnerName = "cloudcore"
	// TunnelPortOwnerName names the cloudcore IPs of the tunnel-port record.
	TunnelPortOwnerName = "kubeedge/tunnelport"
	// DefaultTargetOwnerName names the configured default target.
	DefaultTargetOwnerName = "default-target"
	// defaultHostName names this host when Input.HostName is empty.
	defaultHostName = "localhost"
)

// Compute returns the desired forwarding set for in. See the package documentation for the rules.
func Compute(in Input) Set {
	c := &computer{in: in}
	c.parseInternalIPs()
	c.claimAll()
	eval := newEvaluator(&in.Globals, c.claims)
	rules := make([]Rule, 0, len(in.EdgeNodes)*(1+len(in.ExtraPorts)))
	var conflicts []Conflict
	seen := make(map[string]struct{}, len(in.EdgeNodes))
	for i := range in.EdgeNodes {
		n := &in.EdgeNodes[i]
		if _, dup := seen[n.Name]; dup {
			conflicts = append(conflicts, Conflict{Node: n.Name, Reason: ReasonDuplicateName,
				Message: "the node is listed twice; the later entry is ignored"})
			continue
		}
		seen[n.Name] = struct{}{}
		rules, conflicts = eval.node(n, c.internal[i], rules, conflicts)
	}
	slices.SortFunc(rules, compareRules)
	slices.SortFunc(conflicts, compareConflicts)
	return Set{Rules: rules, Conflicts: conflicts}
}

// computer holds one Compute call's claims.
type computer struct {
	in       Input
	claims   *claims
	internal []parsedIP
}

// parseInternalIPs parses every edge node's InternalIP once, for claimAll and the evaluation.
func (c *computer) parseInternalIPs() {
	c.internal = make([]parsedIP, len(c.in.EdgeNodes))
	for i := range c.in.EdgeNodes {
		c.internal[i] = parseInternalIP(c.in.EdgeNodes[i].InternalIP)
	}
}

// claimAll records every address claim: every node's addresses, cloudcore's and this host's.
func (c *computer) claimAll() {
	in := c.in
	c.claims = newClaims(2*len(in.EdgeNodes) + 2*len(in.OtherNodes) + len(in.CloudCoreAddresses) + len(in.HostAddresses))
	for i := range in.EdgeNodes {
		n := &in.EdgeNodes[i]
		c.claims.addNode(n.Name, n.Addresses)
		c.claims.add(c.internal[i].addr, ipam.Owner{Kind: ipam.KindNode, Name: n.Name, AddressType: "InternalIP"})
	}
	for i := range in.OtherNodes {
		c.claims.addNode(in.OtherNodes[i].Name, in.OtherNodes[i].Addresses)
	}
	for _, gc := range in.addressClaims() {
		c.claims.add(gc.addr, gc.owner)
	}
}

// uniquenessReason picks the most telling reason among the other claimants: a host address, then a cloudcore
// address, then another node.
func uniquenessReason(others []ipam.Owner) Reason {
	reason := ReasonDuplicateIP
	for _, o := range others {
		switch o.Kind {
		case ipam.KindHost:
			return ReasonHostIP
		case ipam.KindCloudCore:
			reason = ReasonCloudCoreIP
		}
	}
	return reason
}

// joinOwners renders owners for a message.
func joinOwners(owners []ipam.Owner) string {
	parts := make([]string, len(owners))
	for i, o := range owners {
		parts[i] = o.String()
	}
	return strings.Join(parts, ", ")
}

// compareRules orders rules by destination address (IPv4 first), then port.
func compareRules(a, b Rule) int {
	return a.Destination.Compare(b.Destination)
}

// compareConflicts orders conflicts by node, IP and reason.
func compareConflicts(a, b Conflict) int {
	return cmp.Or(cmp.Compare(a.Node, b.Node), a.IP.Compare(b.IP), cmp.Compare(a.Reason, b.Reason))
}
