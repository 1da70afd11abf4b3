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

package ipam

import (
	"fmt"
	"net/netip"
)

// Kind is the kind of object that claims an address.
type Kind uint8

// The kinds of claimants. Every one of them blocks the address for an edge node.
const (
	// KindNode is a core Node, edge or not.
	KindNode Kind = iota + 1
	// KindReservation is an EdgeNode reservation for a node that has not joined yet.
	KindReservation
	// KindCloudCore is a cloudcore pod, Service or advertise address.
	KindCloudCore
	// KindHost is an address of the control-plane host a syncer runs on.
	KindHost
)

// String implements fmt.Stringer with the names used in messages: Node, Reservation, CloudCore, Host.
func (k Kind) String() string {
	switch k {
	case KindNode:
		return "Node"
	case KindReservation:
		return "Reservation"
	case KindCloudCore:
		return "CloudCore"
	case KindHost:
		return "Host"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Owner is one claim on addresses: the object (Kind and Name) and the address type it lists them under, for example
// {KindNode, "edge-1", "InternalIP"} or {KindCloudCore, "cloudcore", "AdvertiseAddress"}.
//
// Kind and Name identify the claimant. AddressType only describes the claim: two owners that differ only in
// AddressType are the same claimant, so an object never conflicts with itself.
type Owner struct {
	// Kind is the kind of the claiming object.
	Kind Kind
	// Name is the object's name (namespace/name where the kind is namespaced).
	Name string
	// AddressType is the type the address is listed under, such as a core/v1 NodeAddressType; it may be empty.
	AddressType string
}

// String renders the owner for messages, for example "Node edge-1 (InternalIP)".
func (o Owner) String() string {
	if o.AddressType == "" {
		return o.Kind.String() + " " + o.Name
	}
	return o.Kind.String() + " " + o.Name + " (" + o.AddressType + ")"
}

// Conflict is an address of one owner that other objects claim too.
type Conflict struct {
	// Addr is the contested address.
	Addr netip.Addr
	// Owner is the queried object's claim on Addr, with the address type it lists Addr under.
	Owner Owner
	// Others are the claims of other objects on Addr, sorted.
	Others []Owner
}
