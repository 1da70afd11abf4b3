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
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// maxAllocationAttempts bounds how often Reserve picks another pool address after losing a race.
const maxAllocationAttempts = 8

// ErrNotSynced is wrapped by Unavailable while the caches are still loading.
var ErrNotSynced = errors.New("the caches are still loading; retry shortly")

// ReserveRequest asks for a node name and address.
type ReserveRequest struct {
	// NodeName is the node name to reserve.
	NodeName string
	// IP is the address as typed; empty allocates the lowest free pool address.
	IP string
	// Spec is stored with the reservation.
	Spec reservation.Spec
	// Requester is the user asking.
	Requester string
	// Reuse returns the caller's own live reservation of NodeName instead of failing, moving
	// it to IP when that differs. Console retries and joincommand use it; create does not.
	Reuse bool
	// DryRun runs every check and writes nothing; the result is a preview with no UID.
	DryRun bool
	// NameOnly allows an empty IP without --edge-ip-pool: only the name is reserved, edgecore
	// picks its address, and the syncer's conflict detection guards its uniqueness.
	NameOnly bool
}

// Reserve checks the request (name syntax, IP syntax, name in use, IP in use, in that order)
// and reserves both atomically. It reports whether an existing reservation was reused.
func (s *Service) Reserve(ctx context.Context, req ReserveRequest) (*reservation.Reservation, bool, error) {
	if !s.State.Synced() {
		return nil, false, &Unavailable{Source: "edge node caches", Err: ErrNotSynced}
	}
	if err := CheckNameSyntax(req.NodeName); err != nil {
		return nil, false, err
	}
	var addr netip.Addr
	if req.IP != "" {
		var err error
		if addr, err = s.CheckIPSyntax(req.IP); err != nil {
			return nil, false, err
		}
	}
	if req.Reuse {
		if r, reused, handled, err := s.reuse(ctx, req, addr); handled {
			return r, reused, err
		}
	}
	if err := s.CheckNameFree(req.NodeName); err != nil {
		return nil, false, err
	}
	if !addr.IsValid() && !s.Pools.Configured() && req.NameOnly {
		return s.reserveName(ctx, req)
	}
	if !addr.IsValid() && !s.Pools.Configured() {
		return nil, false, &FieldError{Field: FieldIP, Reason: ReasonInvalid, Value: "",
			Detail: "an internal IP is required because no --edge-ip-pool is configured"}
	}
	if addr.IsValid() {
		if err := s.CheckIPFree(addr, req.NodeName); err != nil {
			return nil, false, err
		}
		if req.DryRun {
			return &reservation.Reservation{NodeName: req.NodeName, IP: addr, Spec: req.Spec, Requester: req.Requester}, false, nil
		}
		r, err := s.Store.Reserve(ctx, reservation.Reservation{NodeName: req.NodeName, IP: addr, Spec: req.Spec, Requester: req.Requester})
		if own, ok := s.ownUnseen(ctx, req, addr, err); ok {
			return own, true, nil
		}
		return r, false, conflictToField(err)
	}
	return s.allocate(ctx, req)
}

// reserveName reserves the name alone, for a node whose address edgecore will pick.
func (s *Service) reserveName(ctx context.Context, req ReserveRequest) (*reservation.Reservation, bool, error) {
	want := reservation.Reservation{NodeName: req.NodeName, Spec: req.Spec, Requester: req.Requester}
	if req.DryRun {
		return &want, false, nil
	}
	r, err := s.Store.Reserve(ctx, want)
	if own, ok := s.ownUnseen(ctx, req, netip.Addr{}, err); ok {
		return own, true, nil
	}
	return r, false, conflictToField(err)
}

// ownUnseen returns the requester's own live reservation of the name when writing failed only
// because it already exists: a retry that came before the reservation informer delivered the
// first request's Lease, so reuse could not find it. The Lease is read from kube-apiserver; a
// reservation at another address than addr (when given) is not the same request.
func (s *Service) ownUnseen(ctx context.Context, req ReserveRequest, addr netip.Addr, err error) (*reservation.Reservation, bool) {
	var ce *reservation.ConflictError
	if !req.Reuse || req.Requester == "" || !errors.As(err, &ce) || ce.Field != reservation.FieldName || ce.Requester != req.Requester {
		return nil, false
	}
	r, gerr := s.Store.Get(ctx, req.NodeName)
	if gerr != nil || r.Requester != req.Requester || r.Expired(s.now()) || (addr.IsValid() && r.IP != addr) {
		return nil, false
	}
	return r, true
}

// reuse handles the requester's own live reservation of the name: it is returned as is
// (reused) or moved to addr when that differs. handled is false when there is none.
func (s *Service) reuse(ctx context.Context, req ReserveRequest, addr netip.Addr) (r *reservation.Reservation, reused, handled bool, err error) {
	r, ok := s.Reservations.Get(req.NodeName)
	if !ok || r.Expired(s.now()) || r.Requester != req.Requester || s.State.NodeExists(req.NodeName) {
		return nil, false, false, nil
	}
	if !addr.IsValid() || r.IP == addr {
		return r, true, true, nil
	}
	if err := s.CheckIPFree(addr, req.NodeName); err != nil || req.DryRun {
		preview := &reservation.Reservation{NodeName: req.NodeName, IP: addr, Spec: req.Spec, Requester: req.Requester}
		return preview, false, true, err
	}
	if _, err := s.Store.Release(ctx, req.NodeName); err != nil {
		return nil, false, true, fmt.Errorf("moving the reservation of %s: %w", req.NodeName, err)
	}
	moved, err := s.Store.Reserve(ctx, reservation.Reservation{NodeName: req.NodeName, IP: addr, Spec: req.Spec, Requester: req.Requester})
	return moved, false, true, conflictToField(err)
}

// allocate reserves the lowest free pool address, skipping addresses lost to concurrent callers.
// It reports whether the requester's own reservation was found instead (see ownUnseen).
func (s *Service) allocate(ctx context.Context, req ReserveRequest) (*reservation.Reservation, bool, error) {
	exclude := s.State.ServiceCIDRs()
	for range maxAllocationAttempts {
		addr, err := s.Addresses.LowestFree(s.Pools, exclude)
		if err != nil {
			return nil, false, &FieldError{Field: FieldIP, Reason: ReasonInvalid, Value: "", Detail: err.Error()}
		}
		if req.DryRun {
			return &reservation.Reservation{NodeName: req.NodeName, IP: addr, Spec: req.Spec, Requester: req.Requester}, false, nil
		}
		r, err := s.Store.Reserve(ctx, reservation.Reservation{NodeName: req.NodeName, IP: addr, Spec: req.Spec, Requester: req.Requester})
		var ce *reservation.ConflictError
		if errors.As(err, &ce) && ce.Field == reservation.FieldIP {
			exclude = append(exclude, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		if own, ok := s.ownUnseen(ctx, req, netip.Addr{}, err); ok {
			return own, true, nil
		}
		return r, false, conflictToField(err)
	}
	return nil, false, &Unavailable{Source: "edge IP pool", Err: reservation.ErrContended}
}

// IndexReservations returns a reservation.Tracker subscriber that keeps the live
// reservations' addresses in idx under ipam.KindReservation.
func IndexReservations(idx *ipam.Index) func(string, *reservation.Reservation, string) {
	return func(name string, r *reservation.Reservation, _ string) {
		owner := ipam.Owner{Kind: ipam.KindReservation, Name: name, AddressType: "Reserved"}
		if r == nil || r.MarkedExpired || !r.IP.IsValid() {
			idx.Remove(owner)
			return
		}
		idx.Set(owner, []netip.Addr{r.IP})
	}
}
