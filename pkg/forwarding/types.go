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

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// Family is an IP address family.
type Family uint8

// The address families; the values are the IP version numbers.
const (
	// IPv4 is the IPv4 family.
	IPv4 Family = 4
	// IPv6 is the IPv6 family.
	IPv6 Family = 6
)

// FamilyOf returns the family of addr, treating IPv4-mapped IPv6 addresses as IPv4; 0 for an invalid address.
func FamilyOf(addr netip.Addr) Family {
	switch {
	case !addr.IsValid():
		return 0
	case addr.Unmap().Is4():
		return IPv4
	}
	return IPv6
}

// String implements fmt.Stringer.
func (f Family) String() string {
	switch f {
	case IPv4:
		return "IPv4"
	case IPv6:
		return "IPv6"
	}
	return fmt.Sprintf("Family(%d)", uint8(f))
}

// Rule forwards TCP to Destination (an edge node's IP and port) to Target (a cloudcore's stream server).
type Rule struct {
	// Node is the edge node the destination belongs to.
	Node string
	// Destination is the edge node's InternalIP and the port clients dial.
	Destination netip.AddrPort
	// Target is the owning cloudcore's IP and stream port.
	Target netip.AddrPort
}

// Family returns the address family of the rule's destination.
func (r Rule) Family() Family { return FamilyOf(r.Destination.Addr()) }

// String renders the rule for logs, for example "edge-1 10.0.0.5:10351->10.0.0.2:10003".
func (r Rule) String() string {
	return r.Node + " " + r.Destination.String() + "->" + r.Target.String()
}

// Reason says why an edge node, or one of its IPs, is not forwarded.
type Reason string

// The reasons Compute reports. The first four are IP-uniqueness violations (see Reason.Uniqueness).
const (
	// ReasonSpecialIP is an InternalIP that is loopback, unspecified, link-local, multicast, broadcast or reserved.
	ReasonSpecialIP Reason = "SpecialIP"
	// ReasonHostIP is an InternalIP that is an address of this host.
	ReasonHostIP Reason = "HostIP"
	// ReasonCloudCoreIP is an InternalIP that is a cloudcore address.
	ReasonCloudCoreIP Reason = "CloudCoreIP"
	// ReasonDuplicateIP is an InternalIP that another node, edge or not, also lists.
	ReasonDuplicateIP Reason = "DuplicateIP"
	// ReasonNoInternalIP is a node that lists no InternalIP.
	ReasonNoInternalIP Reason = "NoInternalIP"
	// ReasonInvalidInternalIP is an InternalIP that is not an unambiguous IP address.
	ReasonInvalidInternalIP Reason = "InvalidInternalIP"
	// ReasonInvalidKubeletPort is a kubelet endpoint port outside 1-65535; only the extra ports are forwarded.
	ReasonInvalidKubeletPort Reason = "InvalidKubeletPort"
	// ReasonNoTarget is a node whose owning cloudcore is unknown while no default target is configured.
	ReasonNoTarget Reason = "NoTarget"
	// ReasonInvalidTarget is a node whose owning cloudcore's IP is special (such as loopback) and cannot be a target.
	ReasonInvalidTarget Reason = "InvalidTarget"
	// ReasonTargetFamilyMismatch is a node whose owning cloudcore's IP is of the other address family.
	ReasonTargetFamilyMismatch Reason = "TargetFamilyMismatch"
	// ReasonDuplicateName is a second input entry with an edge node name already seen; it is ignored.
	ReasonDuplicateName Reason = "DuplicateName"
)

// Uniqueness reports whether the reason is an IP-uniqueness violation, shown as condition IPUnique=False.
func (r Reason) Uniqueness() bool {
	switch r {
	case ReasonSpecialIP, ReasonHostIP, ReasonCloudCoreIP, ReasonDuplicateIP:
		return true
	}
	return false
}

// Conflict reports an edge node, or one of its IPs, that is not forwarded and why.
type Conflict struct {
	// Node is the edge node concerned.
	Node string
	// IP is the withheld address; it is the zero Addr when the node has no valid InternalIP.
	IP netip.Addr
	// Reason classifies the problem; it is suitable as an Event or condition reason and a metric label.
	Reason Reason
	// Message explains the problem for humans.
	Message string
	// Others are the other claimants of IP, sorted; empty unless the reason is a uniqueness violation by a claim.
	Others []ipam.Owner
}

// String renders the conflict for logs.
func (c Conflict) String() string {
	return c.Node + ": " + string(c.Reason) + ": " + c.Message
}

// Set is the desired forwarding state: the rules to program and the conflicts to report.
type Set struct {
	// Rules are sorted by destination (IPv4 before IPv6, then address, then port); destinations are unique.
	Rules []Rule
	// Conflicts are sorted by node, IP and reason.
	Conflicts []Conflict
}
