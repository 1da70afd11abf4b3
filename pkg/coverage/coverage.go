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

// Package coverage turns the syncers' heartbeat Leases into per-edge-node forwarding
// coverage: how many control-plane hosts forward a node, and how many refuse because its IP
// is not unique. The API server shows it in edgenodes (FORWARDING, phase Conflict).
package coverage

import (
	"slices"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
)

// host is what one syncer last reported.
type host struct {
	expires   time.Time
	synced    bool
	conflicts []string // sorted
	// observed is the Node resource version the report is consistent with; valid only when known.
	observed uint64
	known    bool
}

// Counts is the coverage of one edge node: of Hosts syncer hosts with a heartbeat, Forwarding forward it,
// Conflicts refuse it, and Pending are live but have not yet reported on its current address and port.
// Hosts that are stale or failing count in Hosts only.
type Counts struct {
	Hosts, Forwarding, Conflicts, Pending int
}

// Tracker holds the latest heartbeat of every syncer host.
type Tracker struct {
	mu    sync.RWMutex
	hosts map[string]host
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

var _ cache.ResourceEventHandler = &Tracker{}

// NewTracker returns an empty Tracker.
func NewTracker() *Tracker { return &Tracker{hosts: map[string]host{}} }

// NewInformer returns an informer on the syncers' heartbeat Leases in namespace.
func NewInformer(client kubernetes.Interface, namespace string) cache.SharedIndexInformer {
	lw := cache.NewFilteredListWatchFromClient(client.CoordinationV1().RESTClient(), "leases", namespace,
		func(o *metav1.ListOptions) { o.LabelSelector = heartbeat.Selector })
	return cache.NewSharedIndexInformerWithOptions(lw, &coordinationv1.Lease{}, cache.SharedIndexInformerOptions{})
}

// OnAdd implements cache.ResourceEventHandler.
func (t *Tracker) OnAdd(obj interface{}, _ bool) { t.observe(obj) }

// OnUpdate implements cache.ResourceEventHandler.
func (t *Tracker) OnUpdate(_, obj interface{}) { t.observe(obj) }

// OnDelete implements cache.ResourceEventHandler.
func (t *Tracker) OnDelete(obj interface{}) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if l, ok := obj.(*coordinationv1.Lease); ok {
		t.mu.Lock()
		delete(t.hosts, l.Name)
		t.mu.Unlock()
	}
}

func (t *Tracker) observe(obj interface{}) {
	l, ok := obj.(*coordinationv1.Lease)
	if !ok {
		return
	}
	st, err := heartbeat.Parse(l)
	if err != nil {
		klog.V(2).InfoS("Ignoring a syncer heartbeat without status", "lease", klog.KObj(l), "err", err)
		return
	}
	h := host{synced: st.LastSyncTime != nil && st.ConsecutiveErrors == 0, conflicts: slices.Sorted(slices.Values(st.ConflictNodes))}
	h.observed, h.known = st.ObservedNodes()
	if l.Spec.RenewTime != nil && l.Spec.LeaseDurationSeconds != nil {
		h.expires = l.Spec.RenewTime.Add(time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second)
	}
	t.mu.Lock()
	t.hosts[l.Name] = h
	t.mu.Unlock()
}

// Of returns the coverage of the edge node called name, whose address and port a syncer must have observed
// from resource version since on (known false: never proven, so no host covers it). A live host whose report is
// older, or does not say how old it is, counts as pending rather than as forwarding or refusing the node.
func (t *Tracker) Of(name string, since uint64, known bool) Counts {
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	var c Counts
	for _, h := range t.hosts {
		c.Hosts++
		switch {
		case !now.Before(h.expires) || !h.synced:
		case !known || !h.known || h.observed < since:
			c.Pending++
		default:
			if _, found := slices.BinarySearch(h.conflicts, name); found {
				c.Conflicts++
			} else {
				c.Forwarding++
			}
		}
	}
	return c
}
