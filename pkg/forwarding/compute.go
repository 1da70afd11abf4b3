package forwarding

import (
	"cmp"
	"fmt"
	"net/netip"
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
	c := &computer{in: in, stream: in.StreamPort}
	if c.stream == 0 {
		c.stream = DefaultStreamPort
	}
	c.parseInternalIPs()
	c.claimAll()
	c.rules = make([]Rule, 0, len(in.EdgeNodes)*(1+len(in.ExtraPorts)))
	seen := make(map[string]struct{}, len(in.EdgeNodes))
	for i := range in.EdgeNodes {
		n := &in.EdgeNodes[i]
		if _, dup := seen[n.Name]; dup {
			c.report(n.Name, netip.Addr{}, ReasonDuplicateName, "the node is listed twice; the later entry is ignored", nil)
			continue
		}
		seen[n.Name] = struct{}{}
		c.node(n, c.internal[i])
	}
	slices.SortFunc(c.rules, compareRules)
	slices.SortFunc(c.conflicts, compareConflicts)
	return Set{Rules: c.rules, Conflicts: c.conflicts}
}

// computer holds one Compute call's state.
type computer struct {
	in        Input
	stream    uint16
	claims    *claims
	internal  []parsedIP
	rules     []Rule
	conflicts []Conflict
}

// parsedIP is an edge node's InternalIP parsed strictly, or why it could not be.
type parsedIP struct {
	addr netip.Addr
	err  error
}

// parseInternalIPs parses every edge node's InternalIP once, for claimAll and node.
func (c *computer) parseInternalIPs() {
	c.internal = make([]parsedIP, len(c.in.EdgeNodes))
	for i := range c.in.EdgeNodes {
		if s := c.in.EdgeNodes[i].InternalIP; s != "" {
			c.internal[i].addr, c.internal[i].err = ipam.Normalize(s)
		}
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
	for _, a := range in.CloudCoreAddresses {
		c.claims.add(a, ipam.Owner{Kind: ipam.KindCloudCore, Name: CloudCoreOwnerName})
	}
	if in.TunnelPorts != nil {
		for _, p := range in.TunnelPorts.Ports() {
			a, _ := in.TunnelPorts.CloudcoreFor(p)
			c.claims.add(a, ipam.Owner{Kind: ipam.KindCloudCore, Name: TunnelPortOwnerName, AddressType: fmt.Sprintf("TunnelPort %d", p)})
		}
	}
	c.claims.add(in.DefaultTarget, ipam.Owner{Kind: ipam.KindCloudCore, Name: DefaultTargetOwnerName})
	host := cmp.Or(in.HostName, defaultHostName)
	for _, a := range in.HostAddresses {
		c.claims.add(a, ipam.Owner{Kind: ipam.KindHost, Name: host})
	}
}

// node adds the rules of one edge node, or reports why it gets none.
func (c *computer) node(n *EdgeNode, parsed parsedIP) {
	ip := parsed.addr
	switch {
	case n.InternalIP == "":
		c.report(n.Name, netip.Addr{}, ReasonNoInternalIP, "the node lists no InternalIP", nil)
		return
	case parsed.err != nil:
		c.report(n.Name, netip.Addr{}, ReasonInvalidInternalIP, parsed.err.Error(), nil)
		return
	}
	if err := ipam.CheckUsable(ip); err != nil {
		c.report(n.Name, ip, ReasonSpecialIP, err.Error(), nil)
		return
	}
	if others := c.claims.others(ip, ipam.Owner{Kind: ipam.KindNode, Name: n.Name}); len(others) > 0 {
		reason := uniquenessReason(others)
		c.report(n.Name, ip, reason, fmt.Sprintf("IP address %s is also claimed by %s", ip, joinOwners(others)), others)
		return
	}
	target, ok := c.target(n, ip)
	if !ok {
		return
	}
	var buf [4]uint16
	ports := buf[:0]
	if n.KubeletPort >= 1 && n.KubeletPort <= 65535 {
		ports = append(ports, uint16(n.KubeletPort))
	} else {
		c.report(n.Name, ip, ReasonInvalidKubeletPort,
			fmt.Sprintf("kubelet endpoint port %d is not a port number; only the extra ports are forwarded", n.KubeletPort), nil)
	}
	for _, p := range c.in.ExtraPorts {
		if p != 0 && !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	for _, p := range ports {
		c.rules = append(c.rules, Rule{Node: n.Name, Destination: netip.AddrPortFrom(ip, p), Target: target})
	}
}

// target returns the stream server of the cloudcore that owns n's tunnel, reporting why there is none.
func (c *computer) target(n *EdgeNode, ip netip.Addr) (netip.AddrPort, bool) {
	owner, recorded := c.in.DefaultTarget, false
	if c.in.TunnelPorts != nil && n.KubeletPort != UnnegotiatedPort {
		if a, ok := c.in.TunnelPorts.CloudcoreFor(n.KubeletPort); ok {
			owner, recorded = a, true
		}
	}
	how := func() string {
		if recorded {
			return fmt.Sprintf("the cloudcore of tunnel port %d", n.KubeletPort)
		}
		return "the default target"
	}
	if !owner.IsValid() {
		c.report(n.Name, ip, ReasonNoTarget,
			fmt.Sprintf("no cloudcore owns kubelet endpoint port %d and no default target is configured", n.KubeletPort), nil)
		return netip.AddrPort{}, false
	}
	owner = owner.Unmap()
	if err := ipam.CheckUsable(owner); err != nil {
		c.report(n.Name, ip, ReasonInvalidTarget, fmt.Sprintf("%s cannot be forwarded to: %v", how(), err), nil)
		return netip.AddrPort{}, false
	}
	if FamilyOf(owner) != FamilyOf(ip) {
		c.report(n.Name, ip, ReasonTargetFamilyMismatch,
			fmt.Sprintf("%s, %s, is %s but the node's IP is %s", how(), owner, FamilyOf(owner), FamilyOf(ip)), nil)
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(owner, c.stream), true
}

// report records a conflict.
func (c *computer) report(node string, ip netip.Addr, reason Reason, msg string, others []ipam.Owner) {
	c.conflicts = append(c.conflicts, Conflict{Node: node, IP: ip, Reason: reason, Message: msg, Others: others})
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
