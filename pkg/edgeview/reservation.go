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

package edgeview

import (
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// FromReservation returns the EdgeNode view of a reservation: phase Pending, or Expired once a
// server recorded the lapse. Its labels are the requested node labels plus the edge role label.
func FromReservation(r *reservation.Reservation) *kubeedge.EdgeNode {
	labels := make(map[string]string, len(r.Spec.Labels)+1)
	for k, v := range r.Spec.Labels {
		labels[k] = v
	}
	labels[EdgeRoleLabel] = ""
	en := &kubeedge.EdgeNode{
		ObjectMeta: metav1.ObjectMeta{
			Name:              r.NodeName,
			UID:               r.UID,
			ResourceVersion:   r.ResourceVersion,
			CreationTimestamp: metav1.NewTime(r.Created),
			Labels:            labels,
		},
		Spec: kubeedge.EdgeNodeSpec{
			Labels:          r.Spec.Labels,
			KubeEdgeVersion: r.Spec.KubeEdgeVersion,
		},
		Status: kubeedge.EdgeNodeStatus{
			Phase:      kubeedge.EdgeNodePending,
			ReservedBy: r.Requester,
		},
	}
	if r.IP.IsValid() {
		en.Spec.InternalIP = r.IP.String()
		en.Status.InternalIP = en.Spec.InternalIP
	}
	for _, t := range r.Spec.Taints {
		en.Spec.Taints = append(en.Spec.Taints, kubeedge.EdgeNodeTaint{Key: t.Key, Value: t.Value, Effect: t.Effect})
	}
	expires := metav1.NewTime(r.Expires)
	en.Status.ReservationExpiresAt = &expires
	if r.MarkedExpired {
		en.Status.Phase = kubeedge.EdgeNodeExpired
		en.Status.InternalIP = ""
	}
	return en
}

// OnReservation folds a reservation change into the view; r is nil when the reservation is
// gone and rv is the resource version of the change. Subscribe it to a reservation.Tracker.
func (c *Cache) OnReservation(name string, r *reservation.Reservation, rv string) {
	var next *entry
	if r != nil {
		next = reservationEntry(FromReservation(r))
		rv = r.ResourceVersion
	}
	n, err := strconv.ParseUint(rv, 10, 64)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		klog.V(2).InfoS("Reservation change without a resource version", "node", name, "resourceVersion", rv)
		n = c.rv
	}
	prev := c.visible(name)
	if next == nil {
		delete(c.reservations, name)
	} else {
		c.reservations[name] = next
	}
	c.publish(prev, c.visible(name), prev, n, !c.synced)
}
