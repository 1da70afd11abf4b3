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

package faults

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// reservationNamespace holds the reservation Leases (--reservation-namespace's default).
const reservationNamespace = "kubeedge"

// reservationLeases returns every reservation Lease, by Lease name.
func reservationLeases(ctx context.Context) (map[string]coordinationv1.Lease, error) {
	list, err := cp.Client().CoordinationV1().Leases(reservationNamespace).List(ctx, metav1.ListOptions{LabelSelector: reservation.Selector})
	if err != nil {
		return nil, fmt.Errorf("listing reservation leases: %w", err)
	}
	out := make(map[string]coordinationv1.Lease, len(list.Items))
	for _, l := range list.Items {
		out[l.Name] = l
	}
	return out, nil
}

// holder returns the Lease's holder identity.
func holder(l coordinationv1.Lease) string {
	if l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// expiry returns when the Lease lapses.
func expiry(l coordinationv1.Lease) time.Time {
	if l.Spec.RenewTime == nil || l.Spec.LeaseDurationSeconds == nil {
		return time.Time{}
	}
	return l.Spec.RenewTime.Add(time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second)
}

// reservationProblem returns why leases do not hold a complete reservation of name with ip (and, when uid is not
// empty, with that UID), or "" when they do: the name Lease holds name with the address annotated, and the
// address Lease is held by name.
func reservationProblem(leases map[string]coordinationv1.Lease, name, ip, uid string) string {
	nl, ok := leases[reservation.NameLeaseName(name)]
	switch {
	case !ok:
		return "its name Lease is gone"
	case holder(nl) != name || nl.Annotations[reservation.AnnotationIP] != ip:
		return fmt.Sprintf("its name Lease holds %q with IP %q", holder(nl), nl.Annotations[reservation.AnnotationIP])
	case uid != "" && string(nl.UID) != uid:
		return fmt.Sprintf("its name Lease has UID %s, the acknowledgement said %s", nl.UID, uid)
	case nl.Labels[reservation.LabelExpired] == "true":
		return "it is marked expired"
	}
	il, ok := leases[reservation.IPLeaseName(netip.MustParseAddr(ip))]
	switch {
	case !ok:
		return "its address Lease is gone"
	case holder(il) != name:
		return fmt.Sprintf("its address Lease is held by %q", holder(il))
	}
	return ""
}
