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
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
)

// Collector keeps reservations honest in every replica: it marks lapsed ones Expired (which
// releases their address), deletes Expired ones after Retention, and binds reservations of
// nodes that joined: it applies the reserved taints and then deletes the reservation, since
// the Node now holds the name and its own addresses. Every write is guarded by a UID
// precondition, so replicas doing the same work do not conflict.
type Collector struct {
	// Store writes the Leases.
	Store *Store
	// Tracker is the current set of reservations.
	Tracker *Tracker
	// NodeExists reports whether a Node called name is registered.
	NodeExists func(name string) bool
	// Bind applies the reservation's settings to its registered Node (taints); nil skips it.
	Bind func(ctx context.Context, r *Reservation) error
	// Retention is how long an Expired reservation stays visible.
	Retention time.Duration
	// Interval is how often the collector looks.
	Interval time.Duration
}

// Run collects until ctx ends.
func (c *Collector) Run(ctx context.Context) {
	wait.UntilWithContext(ctx, c.Collect, c.Interval)
}

// Collect makes one pass over the reservations.
func (c *Collector) Collect(ctx context.Context) {
	now := c.Store.now()
	for _, r := range c.Tracker.List() {
		var err error
		switch {
		case c.NodeExists != nil && c.NodeExists(r.NodeName):
			err = c.bind(ctx, r)
		case r.MarkedExpired && now.After(r.Expires.Add(c.Retention)):
			err = c.Store.Delete(ctx, r)
		case !r.MarkedExpired && r.Expired(now):
			klog.InfoS("Reservation expired", "node", r.NodeName, "ip", r.IP, "expiredAt", r.Expires)
			err = c.Store.MarkExpired(ctx, r)
		}
		if err != nil {
			klog.ErrorS(err, "Collecting a reservation failed; will retry", "node", r.NodeName)
		}
	}
}

func (c *Collector) bind(ctx context.Context, r *Reservation) error {
	if c.Bind != nil && !r.MarkedExpired {
		if err := c.Bind(ctx, r); err != nil {
			return err
		}
	}
	klog.InfoS("Reservation bound to its joined Node", "node", r.NodeName, "ip", r.IP)
	return c.Store.Delete(ctx, r)
}
