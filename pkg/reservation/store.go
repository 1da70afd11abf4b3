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

package reservation

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coordinationclient "k8s.io/client-go/kubernetes/typed/coordination/v1"
	"k8s.io/klog/v2"
)

// DefaultTTL is how long a reservation holds its name and address unless configured otherwise.
const DefaultTTL = 24 * time.Hour

// maxReclaims bounds how often Reserve deletes a lapsed Lease and retries before giving up.
const maxReclaims = 3

// ErrContended is returned when a Lease kept changing under Reserve.
var ErrContended = errors.New("reservation contended; retry")

// Store writes reservations as Leases in one namespace.
type Store struct {
	// Leases is the client for Leases.
	Leases coordinationclient.LeasesGetter
	// Namespace holds the reservation Leases.
	Namespace string
	// TTL is how long a new reservation lasts.
	TTL time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) leases() coordinationclient.LeaseInterface { return s.Leases.Leases(s.Namespace) }

// Reserve atomically takes r.NodeName and, if valid, r.IP, for the store's TTL. It returns
// a *ConflictError naming the holder when either is reserved by another unexpired
// reservation. A lapsed holder is reclaimed. Checks against Nodes are the caller's business.
func (s *Store) Reserve(ctx context.Context, r Reservation) (*Reservation, error) {
	now := s.now()
	r.Acquired = now
	nameLease, err := newNameLease(s.Namespace, &r, s.TTL)
	if err != nil {
		return nil, err
	}
	created, err := s.createOrReclaim(ctx, nameLease, now, func(held *coordinationv1.Lease) error {
		return &ConflictError{Field: FieldName, Value: r.NodeName, Holder: holderOf(held),
			Requester: held.Annotations[AnnotationRequester], Expires: expiryOf(held)}
	})
	if err != nil {
		return nil, err
	}
	if r.IP.IsValid() {
		if err := s.lockIP(ctx, r.IP, r.NodeName, now); err != nil {
			s.deleteExact(created)
			return nil, err
		}
	}
	return FromLease(created)
}

// lockIP takes the address lock for node, taking over a lock node already holds.
func (s *Store) lockIP(ctx context.Context, addr netip.Addr, node string, now time.Time) error {
	want := newIPLease(s.Namespace, addr, node, now, s.TTL)
	_, err := s.createOrReclaim(ctx, want, now, func(held *coordinationv1.Lease) error {
		return ipConflict(addr, holderOf(held), expiryOf(held))
	})
	var conflict *ConflictError
	if !errors.As(err, &conflict) || conflict.Holder != node {
		return err
	}
	// A lock left by this node's earlier reservation: we hold the name, so it is ours.
	held, err := s.leases().Get(ctx, want.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if holderOf(held) != node {
		return ipConflict(addr, holderOf(held), expiryOf(held))
	}
	held.Spec = want.Spec
	held.Labels = want.Labels
	_, err = s.leases().Update(ctx, held, metav1.UpdateOptions{})
	if apierrors.IsConflict(err) {
		return ErrContended
	}
	return err
}

// createOrReclaim creates l; if a lapsed Lease of that name exists it deletes exactly that
// version and tries again. conflict builds the error for a Lease that is still held.
func (s *Store) createOrReclaim(ctx context.Context, l *coordinationv1.Lease, now time.Time,
	conflict func(*coordinationv1.Lease) error) (*coordinationv1.Lease, error) {
	for range maxReclaims {
		created, err := s.leases().Create(ctx, l, metav1.CreateOptions{})
		if err == nil {
			return created, nil
		}
		if !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("creating lease %s/%s: %w", s.Namespace, l.Name, err)
		}
		held, err := s.leases().Get(ctx, l.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading lease %s/%s: %w", s.Namespace, l.Name, err)
		}
		if !lapsed(held, now) {
			return nil, conflict(held)
		}
		if err := s.deleteVersion(ctx, held); err != nil {
			return nil, err
		}
	}
	return nil, ErrContended
}

// deleteVersion deletes exactly this version of l; a concurrent change or deletion is not an error.
func (s *Store) deleteVersion(ctx context.Context, l *coordinationv1.Lease) error {
	uid, rv := l.UID, l.ResourceVersion
	err := s.leases().Delete(ctx, l.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &rv}})
	if err == nil || apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return fmt.Errorf("deleting lease %s/%s: %w", s.Namespace, l.Name, err)
}

// deleteExact rolls back a Lease this call created, even if the request context has ended.
func (s *Store) deleteExact(l *coordinationv1.Lease) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.deleteVersion(ctx, l); err != nil {
		klog.ErrorS(err, "Rolling back a reservation lease failed; it lapses with its TTL", "lease", klog.KObj(l))
	}
}

// Get reads the reservation of node from its Lease, not from any cache. It returns a NotFound API
// error when there is none.
func (s *Store) Get(ctx context.Context, node string) (*Reservation, error) {
	held, err := s.leases().Get(ctx, NameLeaseName(node), metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return FromLease(held)
}

// Release deletes the reservation of node (the version uid when not empty) and its address lock.
// It returns a NotFound API error when there is no such reservation.
func (s *Store) Release(ctx context.Context, node string) (*Reservation, error) {
	held, err := s.leases().Get(ctx, NameLeaseName(node), metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	r, err := FromLease(held)
	if err != nil {
		return nil, err
	}
	if err := s.unlockIP(ctx, r); err != nil {
		return nil, err
	}
	uid := held.UID
	err = s.leases().Delete(ctx, held.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	return r, nil
}

// unlockIP deletes the address lock of r if r's node still holds it.
func (s *Store) unlockIP(ctx context.Context, r *Reservation) error {
	if !r.IP.IsValid() {
		return nil
	}
	lock, err := s.leases().Get(ctx, IPLeaseName(r.IP), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if holderOf(lock) != r.NodeName {
		return nil
	}
	return s.deleteVersion(ctx, lock)
}

// MarkExpired records that r lapsed and releases its address, so every replica and every
// watcher sees phase Expired. A concurrent change is not an error.
func (s *Store) MarkExpired(ctx context.Context, r *Reservation) error {
	if err := s.unlockIP(ctx, r); err != nil {
		return err
	}
	held, err := s.leases().Get(ctx, NameLeaseName(r.NodeName), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if held.UID != r.UID || held.Labels[LabelExpired] == "true" || !lapsed(held, s.now()) {
		return nil
	}
	held.Labels[LabelExpired] = "true"
	_, err = s.leases().Update(ctx, held, metav1.UpdateOptions{})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// Delete removes the reservation r (exactly that version) and its address lock.
func (s *Store) Delete(ctx context.Context, r *Reservation) error {
	if err := s.unlockIP(ctx, r); err != nil {
		return err
	}
	uid := r.UID
	err := s.leases().Delete(ctx, NameLeaseName(r.NodeName), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	if err == nil || apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}
