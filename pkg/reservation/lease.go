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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// Labels and annotations on reservation Leases.
const (
	// LabelManagedBy marks every Lease this package writes.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedByValue is the value of LabelManagedBy.
	ManagedByValue = "edgewatcher"
	// LabelKind is "name" on a reservation Lease and "ip" on an address lock.
	LabelKind = "kubeedge.kubesphere.io/reservation"
	// LabelExpired is set to "true" once a server records that the reservation lapsed.
	LabelExpired = "kubeedge.kubesphere.io/expired"
	// AnnotationSpec holds the reservation's Spec as JSON.
	AnnotationSpec = "kubeedge.kubesphere.io/spec"
	// AnnotationIP holds the reserved address in canonical form.
	AnnotationIP = "kubeedge.kubesphere.io/internal-ip"
	// AnnotationRequester holds the user who made the reservation.
	AnnotationRequester = "kubeedge.kubesphere.io/requested-by"
)

// Values of LabelKind.
const (
	KindName = "name"
	KindIP   = "ip"
)

// Selector selects every Lease this package writes.
const Selector = LabelManagedBy + "=" + ManagedByValue

// NameLeaseName is the Lease that holds the reservation of node name.
func NameLeaseName(node string) string {
	n := "name." + node
	if len(n) <= validation.DNS1123SubdomainMaxLength {
		return n
	}
	sum := sha256.Sum256([]byte(node))
	return "name-sha256." + hex.EncodeToString(sum[:])
}

// IPLeaseName is the Lease that locks addr: ip.10.0.0.5, or ip6.<32 hex digits> for IPv6.
func IPLeaseName(addr netip.Addr) string {
	addr = addr.Unmap()
	if addr.Is4() {
		return "ip." + addr.String()
	}
	b := addr.As16()
	return "ip6." + hex.EncodeToString(b[:])
}

// newNameLease encodes r as the Lease that holds it.
func newNameLease(namespace string, r *Reservation, ttl time.Duration) (*coordinationv1.Lease, error) {
	spec, err := json.Marshal(r.Spec)
	if err != nil {
		return nil, fmt.Errorf("encoding reservation spec: %w", err)
	}
	l := newLease(namespace, NameLeaseName(r.NodeName), KindName, r.NodeName, r.Acquired, ttl)
	l.Annotations = map[string]string{AnnotationSpec: string(spec), AnnotationRequester: r.Requester}
	if r.IP.IsValid() {
		l.Annotations[AnnotationIP] = r.IP.String()
	}
	return l, nil
}

// newIPLease encodes the lock of addr for node.
func newIPLease(namespace string, addr netip.Addr, node string, now time.Time, ttl time.Duration) *coordinationv1.Lease {
	l := newLease(namespace, IPLeaseName(addr), KindIP, node, now, ttl)
	l.Annotations = map[string]string{AnnotationIP: addr.String()}
	return l
}

func newLease(namespace, name, kind, holder string, now time.Time, ttl time.Duration) *coordinationv1.Lease {
	seconds := int32(ttl / time.Second)
	at := metav1.NewMicroTime(now)
	return &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{
			Name:      name,
			Namespace: namespace,
			Labels:    map[string]string{LabelManagedBy: ManagedByValue, LabelKind: kind},
		},
		Spec: coordinationv1.LeaseSpec{
			HolderIdentity:       &holder,
			LeaseDurationSeconds: &seconds,
			AcquireTime:          &at,
			RenewTime:            &at,
		},
	}
}

// holderOf returns the Lease's holder identity.
func holderOf(l *coordinationv1.Lease) string {
	if l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// expiryOf returns when the Lease lapses; a Lease without times lapses immediately.
func expiryOf(l *coordinationv1.Lease) time.Time {
	if l.Spec.RenewTime == nil || l.Spec.LeaseDurationSeconds == nil {
		return time.Time{}
	}
	return l.Spec.RenewTime.Add(time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second)
}

// lapsed reports whether the Lease no longer holds anything at now.
func lapsed(l *coordinationv1.Lease, now time.Time) bool {
	return l.Labels[LabelExpired] == "true" || !now.Before(expiryOf(l))
}

// IsNameLease reports whether l holds a reservation written by this package.
func IsNameLease(l *coordinationv1.Lease) bool {
	return l.Labels[LabelManagedBy] == ManagedByValue && l.Labels[LabelKind] == KindName
}

// FromLease decodes a reservation from its name Lease.
func FromLease(l *coordinationv1.Lease) (*Reservation, error) {
	if !IsNameLease(l) {
		return nil, fmt.Errorf("lease %s/%s is not a reservation", l.Namespace, l.Name)
	}
	r := &Reservation{
		NodeName:        holderOf(l),
		Requester:       l.Annotations[AnnotationRequester],
		Expires:         expiryOf(l),
		MarkedExpired:   l.Labels[LabelExpired] == "true",
		UID:             l.UID,
		ResourceVersion: l.ResourceVersion,
		Created:         l.CreationTimestamp.Time,
	}
	if r.NodeName == "" || NameLeaseName(r.NodeName) != l.Name {
		return nil, fmt.Errorf("lease %s/%s: holder %q does not match the lease name", l.Namespace, l.Name, r.NodeName)
	}
	if l.Spec.AcquireTime != nil {
		r.Acquired = l.Spec.AcquireTime.Time
	}
	if s := l.Annotations[AnnotationIP]; s != "" {
		addr, err := ipam.ParseCanonical(s)
		if err != nil {
			return nil, fmt.Errorf("lease %s/%s: annotation %s: %w", l.Namespace, l.Name, AnnotationIP, err)
		}
		r.IP = addr
	}
	if s := strings.TrimSpace(l.Annotations[AnnotationSpec]); s != "" {
		if err := json.Unmarshal([]byte(s), &r.Spec); err != nil {
			return nil, fmt.Errorf("lease %s/%s: annotation %s: %w", l.Namespace, l.Name, AnnotationSpec, err)
		}
	}
	return r, nil
}
