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
	"slices"
	"strings"
	"sync"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// NewInformer returns an informer on the reservation Leases in namespace.
func NewInformer(client kubernetes.Interface, namespace string) cache.SharedIndexInformer {
	lw := cache.NewFilteredListWatchFromClient(client.CoordinationV1().RESTClient(), "leases", namespace,
		func(o *metav1.ListOptions) { o.LabelSelector = Selector })
	return cache.NewSharedIndexInformerWithOptions(lw, &coordinationv1.Lease{}, cache.SharedIndexInformerOptions{})
}

// Tracker is the in-memory set of reservations, fed by the Lease informer. Subscribers
// hear about every change; they must not block.
type Tracker struct {
	mu          sync.RWMutex
	byName      map[string]*Reservation
	subscribers []func(name string, r *Reservation, resourceVersion string)
}

var _ cache.ResourceEventHandler = &Tracker{}

// NewTracker returns an empty Tracker.
func NewTracker() *Tracker {
	return &Tracker{byName: map[string]*Reservation{}}
}

// Subscribe registers fn to hear the new state of a reservation (nil when it is gone) and the
// resource version of the change. Call it before the informer starts.
func (t *Tracker) Subscribe(fn func(name string, r *Reservation, resourceVersion string)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.subscribers = append(t.subscribers, fn)
}

// OnAdd implements cache.ResourceEventHandler.
func (t *Tracker) OnAdd(obj interface{}, _ bool) { t.observe(obj, false) }

// OnUpdate implements cache.ResourceEventHandler.
func (t *Tracker) OnUpdate(_, newObj interface{}) { t.observe(newObj, false) }

// OnDelete implements cache.ResourceEventHandler.
func (t *Tracker) OnDelete(obj interface{}) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	t.observe(obj, true)
}

func (t *Tracker) observe(obj interface{}, deleted bool) {
	l, ok := obj.(*coordinationv1.Lease)
	if !ok || !IsNameLease(l) {
		return
	}
	r, err := FromLease(l)
	if err != nil {
		klog.ErrorS(err, "Ignoring a malformed reservation lease", "lease", klog.KObj(l))
		return
	}
	node := r.NodeName
	t.mu.Lock()
	if deleted {
		if cur, ok := t.byName[r.NodeName]; ok && cur.UID == r.UID {
			delete(t.byName, r.NodeName)
		} else {
			t.mu.Unlock()
			return
		}
		r = nil
	} else {
		t.byName[r.NodeName] = r
	}
	subs := t.subscribers
	t.mu.Unlock()
	for _, fn := range subs {
		fn(node, r, l.ResourceVersion)
	}
}

// Get returns the reservation of node name.
func (t *Tracker) Get(name string) (*Reservation, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	r, ok := t.byName[name]
	return r, ok
}

// List returns every reservation, sorted by node name.
func (t *Tracker) List() []*Reservation {
	t.mu.RLock()
	out := make([]*Reservation, 0, len(t.byName))
	for _, r := range t.byName {
		out = append(out, r)
	}
	t.mu.RUnlock()
	slices.SortFunc(out, func(a, b *Reservation) int { return strings.Compare(a.NodeName, b.NodeName) })
	return out
}

// Len returns the number of reservations.
func (t *Tracker) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.byName)
}
