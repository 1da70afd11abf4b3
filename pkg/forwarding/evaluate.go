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
	"fmt"
	"net/netip"
	"slices"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// claimLookup answers who else claims an address; Compute and Tracker keep their claims differently.
type claimLookup interface {
	// others returns the claims on addr by objects other than self's, sorted.
	others(addr netip.Addr, self ipam.Owner) []ipam.Owner
}

// evaluator decides one edge node's rules and conflicts from the claims and the non-node inputs.
type evaluator struct {
	claims        claimLookup
	stream        uint16
	defaultTarget netip.Addr
	tunnelPorts   *cloudcore.TunnelPortRecord
	extraPorts    []uint16
	// checked memoises ipam.CheckUsable of the few cloudcore addresses every node is forwarded to.
	checked *usableTargets
}

// usableTargets remembers whether each target address seen so far can be forwarded to.
type usableTargets struct {
	addrs []netip.Addr
	errs  []error
}

// check returns ipam.CheckUsable(a), computed once per address.
func (u *usableTargets) check(a netip.Addr) error {
	for i, seen := range u.addrs {
		if seen == a {
			return u.errs[i]
		}
	}
	err := ipam.CheckUsable(a)
	if len(u.addrs) < 64 { // a record names a handful of cloudcores; bound it anyway
		u.addrs, u.errs = append(u.addrs, a), append(u.errs, err)
	}
	return err
}

// newEvaluator returns an evaluator for g's targets and ports over claims.
func newEvaluator(g *Globals, claims claimLookup) evaluator {
	e := evaluator{claims: claims, stream: g.StreamPort, defaultTarget: g.DefaultTarget, tunnelPorts: g.TunnelPorts, extraPorts: g.ExtraPorts,
		checked: &usableTargets{}}
	if e.stream == 0 {
		e.stream = DefaultStreamPort
	}
	return e
}

// parsedIP is an edge node's InternalIP parsed strictly, or why it could not be.
type parsedIP struct {
	addr netip.Addr
	err  error
}

// parseInternalIP parses an InternalIP strictly; the zero parsedIP when it is empty.
func parseInternalIP(s string) parsedIP {
	var p parsedIP
	if s != "" {
		p.addr, p.err = ipam.Normalize(s)
	}
	return p
}

// node appends the rules of one edge node, or the conflicts saying why it gets none or only some.
func (e *evaluator) node(n *EdgeNode, parsed parsedIP, rules []Rule, conflicts []Conflict) ([]Rule, []Conflict) {
	ip := parsed.addr
	report := func(reason Reason, msg string, others []ipam.Owner) {
		conflicts = append(conflicts, Conflict{Node: n.Name, IP: ip, Reason: reason, Message: msg, Others: others})
	}
	switch {
	case n.InternalIP == "":
		report(ReasonNoInternalIP, "the node lists no InternalIP", nil)
		return rules, conflicts
	case parsed.err != nil:
		report(ReasonInvalidInternalIP, parsed.err.Error(), nil)
		return rules, conflicts
	}
	if err := ipam.CheckUsable(ip); err != nil {
		report(ReasonSpecialIP, err.Error(), nil)
		return rules, conflicts
	}
	if others := e.claims.others(ip, ipam.Owner{Kind: ipam.KindNode, Name: n.Name}); len(others) > 0 {
		report(uniquenessReason(others), fmt.Sprintf("IP address %s is also claimed by %s", ip, joinOwners(others)), others)
		return rules, conflicts
	}
	target, problem := e.target(n, ip)
	if problem != nil {
		report(problem.reason, problem.message, nil)
		return rules, conflicts
	}
	var buf [4]uint16
	ports := buf[:0]
	if n.KubeletPort >= 1 && n.KubeletPort <= 65535 {
		ports = append(ports, uint16(n.KubeletPort))
	} else {
		report(ReasonInvalidKubeletPort,
			fmt.Sprintf("kubelet endpoint port %d is not a port number; only the extra ports are forwarded", n.KubeletPort), nil)
	}
	for _, p := range e.extraPorts {
		if p != 0 && !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	for _, p := range ports {
		rules = append(rules, Rule{Node: n.Name, Destination: netip.AddrPortFrom(ip, p), Target: target})
	}
	return rules, conflicts
}

// targetProblem says why a node has no usable target.
type targetProblem struct {
	reason  Reason
	message string
}

// target returns the stream server of the cloudcore that owns n's tunnel, or why there is none.
func (e *evaluator) target(n *EdgeNode, ip netip.Addr) (netip.AddrPort, *targetProblem) {
	owner, recorded := e.defaultTarget, false
	if e.tunnelPorts != nil && n.KubeletPort != UnnegotiatedPort {
		if a, ok := e.tunnelPorts.CloudcoreFor(n.KubeletPort); ok {
			owner, recorded = a, true
		}
	}
	how := func() string { // only for problems: formatting it for every node costs 7% of a Compute
		if recorded {
			return fmt.Sprintf("the cloudcore of tunnel port %d", n.KubeletPort)
		}
		return "the default target"
	}
	if !owner.IsValid() {
		return netip.AddrPort{}, &targetProblem{ReasonNoTarget,
			fmt.Sprintf("no cloudcore owns kubelet endpoint port %d and no default target is configured", n.KubeletPort)}
	}
	owner = owner.Unmap()
	if err := e.checked.check(owner); err != nil {
		return netip.AddrPort{}, &targetProblem{ReasonInvalidTarget, fmt.Sprintf("%s cannot be forwarded to: %v", how(), err)}
	}
	if FamilyOf(owner) != FamilyOf(ip) {
		return netip.AddrPort{}, &targetProblem{ReasonTargetFamilyMismatch,
			fmt.Sprintf("%s, %s, is %s but the node's IP is %s", how(), owner, FamilyOf(owner), FamilyOf(ip))}
	}
	return netip.AddrPortFrom(owner, e.stream), nil
}
