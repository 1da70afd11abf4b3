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
	"net/netip"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// Taint is a taint to register the node with when it joins.
type Taint struct {
	// Key is the taint key.
	Key string `json:"key"`
	// Value is the taint value.
	Value string `json:"value,omitempty"`
	// Effect is NoSchedule, PreferNoSchedule or NoExecute.
	Effect string `json:"effect"`
}

// Spec is what a reservation asks for the node.
type Spec struct {
	// Labels are the node labels to pass to keadm.
	Labels map[string]string `json:"labels,omitempty"`
	// Taints are applied to the Node once it registers.
	Taints []Taint `json:"taints,omitempty"`
	// KubeEdgeVersion is the release to install; empty means the server's default.
	KubeEdgeVersion string `json:"kubeEdgeVersion,omitempty"`
}

// Reservation is a node name and address promised to a node that has not joined yet.
type Reservation struct {
	// NodeName is the reserved node name.
	NodeName string
	// IP is the reserved address; the zero Addr means none.
	IP netip.Addr
	// Spec is what the reservation asks for the node.
	Spec Spec
	// Requester is the user who made the reservation.
	Requester string
	// Acquired is when the reservation was made.
	Acquired time.Time
	// Expires is when the reservation lapses.
	Expires time.Time
	// MarkedExpired reports that a server recorded the lapse (and released the address).
	MarkedExpired bool
	// UID, ResourceVersion and Created identify the name Lease that stores the reservation.
	UID types.UID
	// ResourceVersion is the name Lease's resource version.
	ResourceVersion string
	// Created is the name Lease's creation time.
	Created time.Time
}

// Expired reports whether the reservation has lapsed at now.
func (r *Reservation) Expired(now time.Time) bool {
	return r.MarkedExpired || !now.Before(r.Expires)
}
