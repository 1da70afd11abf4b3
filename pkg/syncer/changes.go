package syncer

import (
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// changedNodes collects the names of the Nodes changed since the sync worker last took them. Until the first
// sync loads every Node it records nothing, so the initial list does not fill it with every name.
type changedNodes struct {
	mu        sync.Mutex
	recording bool
	names     map[string]struct{}
}

// add records the Node of an informer event, which may be a deletion tombstone.
func (c *changedNodes) add(obj any) {
	name, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		klog.ErrorS(err, "Ignoring a Node event without a name")
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.recording {
		c.names[name] = struct{}{}
	}
}

// startRecording makes add record names; call it before listing every Node, so no later change is missed.
func (c *changedNodes) startRecording() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recording = true
	if c.names == nil {
		c.names = map[string]struct{}{}
	}
}

// take returns the names recorded since the last take and forgets them.
func (c *changedNodes) take() map[string]struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.names) == 0 {
		return nil
	}
	names := c.names
	c.names = map[string]struct{}{}
	return names
}

// forwardingChanged reports whether a Node update changes anything the syncer reads (see trimNode); updates
// that change only the resource version are dropped before they reach the queue.
func forwardingChanged(oldObj, newObj any) bool {
	o, ok1 := oldObj.(*corev1.Node)
	n, ok2 := newObj.(*corev1.Node)
	if !ok1 || !ok2 {
		return true
	}
	ov, oEdge := o.Labels[EdgeRoleLabel]
	nv, nEdge := n.Labels[EdgeRoleLabel]
	return oEdge != nEdge || ov != nv || o.UID != n.UID ||
		o.Status.DaemonEndpoints.KubeletEndpoint.Port != n.Status.DaemonEndpoints.KubeletEndpoint.Port ||
		!slices.Equal(o.Status.Addresses, n.Status.Addresses)
}
