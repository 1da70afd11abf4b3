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
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"
)

// Transform is the Node informer's transform. It turns a Node into the entry its EdgeNode view is made from, so
// that the informer's store and the Cache share one small object per Node, with the strings and label pairs that
// repeat across Nodes interned. An update that leaves the labels unchanged reuses those of the entry in the view,
// so that the history does not keep a second copy. Objects other than Nodes pass through unchanged.
func (c *Cache) Transform(obj interface{}) (interface{}, error) {
	node, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	c.mu.RLock()
	prev := c.items[node.Name]
	c.mu.RUnlock()
	var prevLabels labelSet
	if prev != nil {
		prevLabels = prev.labels
	}
	e := newEntry(node, c.strings, prevLabels)
	c.addresses.stash(e, node)
	return e, nil
}

var _ cache.TransformFunc = (&Cache{}).Transform

// asEntry returns the entry an informer event carries: the Transform result, or the entry of a Node from an
// informer without the transform.
func asEntry(obj interface{}) (*entry, bool) {
	switch t := obj.(type) {
	case *entry:
		return t, true
	case *corev1.Node:
		return newEntry(t, nil, nil), true
	}
	return nil, false
}
