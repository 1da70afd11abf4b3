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

package syncer

import (
	"slices"
	"sync"

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

// forwardingChanged reports whether a Node update changes anything the syncer keeps (see slimNode); updates
// that change only the resource version are dropped before they reach the queue.
func forwardingChanged(oldObj, newObj any) bool {
	o, ok1 := oldObj.(*slimNode)
	n, ok2 := newObj.(*slimNode)
	if !ok1 || !ok2 {
		return true
	}
	return o.edge != n.edge || o.uid != n.uid || o.kubeletPort != n.kubeletPort || !slices.Equal(o.addresses, n.addresses)
}
