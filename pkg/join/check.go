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

package join

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// CheckNameSyntax returns a FieldError unless name is a valid Node name.
func CheckNameSyntax(name string) error {
	if err := ipam.ValidateNodeName(name); err != nil {
		return &FieldError{Field: FieldName, Reason: ReasonInvalid, Value: name, Detail: strings.TrimPrefix(
			strings.TrimPrefix(err.Error(), ipam.ErrInvalidName.Error()), ": ")}
	}
	return nil
}

// CheckIPSyntax parses text strictly and checks that the address may be given to an edge
// node: not special, inside the pools when pools are configured, outside the Service CIDRs.
func (s *Service) CheckIPSyntax(text string) (netip.Addr, error) {
	addr, err := ipam.Normalize(text)
	if err != nil {
		return netip.Addr{}, ipInvalid(text, err)
	}
	if err := ipam.CheckUsable(addr); err != nil {
		return netip.Addr{}, ipInvalid(text, err)
	}
	if s.Pools.Configured() {
		if err := s.Pools.Check(addr); err != nil {
			return netip.Addr{}, ipInvalid(text, err)
		}
	}
	for _, p := range s.State.ServiceCIDRs() {
		if p.Contains(addr) {
			return netip.Addr{}, ipInvalid(text, fmt.Errorf("inside the cluster's Service CIDR %s", p))
		}
	}
	return addr, nil
}

func ipInvalid(text string, err error) *FieldError {
	return &FieldError{Field: FieldIP, Reason: ReasonInvalid, Value: text, Detail: err.Error()}
}

// CheckNameFree fails when a Node or another live reservation holds name. A live
// reservation of name by the same requester for the same address is not a conflict.
func (s *Service) CheckNameFree(name string) error {
	if s.State.NodeExists(name) {
		return &FieldError{Field: FieldName, Reason: ReasonInUse, Value: name, Detail: "a Node with this name is registered"}
	}
	if r, ok := s.Reservations.Get(name); ok && !r.Expired(s.now()) {
		return &FieldError{Field: FieldName, Reason: ReasonInUse, Value: name, Detail: describeReservation(r)}
	}
	return nil
}

// CheckIPFree fails when any Node address, cloudcore address or live reservation of
// another node holds addr.
func (s *Service) CheckIPFree(addr netip.Addr, forNode string) error {
	now := s.now()
	for _, o := range s.Addresses.Owners(addr) {
		if o.Kind == ipam.KindReservation {
			r, ok := s.Reservations.Get(o.Name)
			if !ok || r.Expired(now) || o.Name == forNode {
				continue
			}
			return &FieldError{Field: FieldIP, Reason: ReasonInUse, Value: addr.String(), Detail: describeReservation(r)}
		}
		return &FieldError{Field: FieldIP, Reason: ReasonInUse, Value: addr.String(), Detail: "used by " + o.String()}
	}
	return nil
}

func describeReservation(r *reservation.Reservation) string {
	d := fmt.Sprintf("reserved for edge node %q", r.NodeName)
	if r.Requester != "" {
		d += " by " + r.Requester
	}
	return d + " until " + r.Expires.UTC().Format("2006-01-02T15:04:05Z")
}

// conflictToField maps a reservation conflict found at write time to a FieldError.
func conflictToField(err error) error {
	var ce *reservation.ConflictError
	if !errors.As(err, &ce) {
		return err
	}
	f := FieldName
	if ce.Field == reservation.FieldIP {
		f = FieldIP
	}
	return &FieldError{Field: f, Reason: ReasonInUse, Value: ce.Value, Detail: ce.Error()}
}
