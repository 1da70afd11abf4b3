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
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// Transform is the Node informer's transform. It turns a Node into its EdgeNode view, so
// that the informer's store and the Cache share one small object per Node; interns the
// label, reason, message and version strings that repeat across Nodes; and reuses the
// labels map of the version already in the view when it is unchanged, so the history does
// not keep a second copy. Objects other than Nodes pass through unchanged.
func (c *Cache) Transform(obj interface{}) (interface{}, error) {
	node, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	en := FromNode(node)
	c.mu.RLock()
	prev := c.items[node.Name]
	c.mu.RUnlock()
	if prev != nil && maps.Equal(prev.Labels, node.Labels) {
		en.Labels = prev.Labels
	} else {
		en.Labels = c.strings.internMap(node.Labels, node.Name)
	}
	en.Status.KubeEdgeVersion = c.strings.intern(en.Status.KubeEdgeVersion)
	for i := range en.Status.Conditions {
		cond := &en.Status.Conditions[i]
		cond.Reason, cond.Message = c.strings.intern(cond.Reason), c.strings.intern(cond.Message)
	}
	c.addresses.stash(en, node)
	return en, nil
}

var _ cache.TransformFunc = (&Cache{}).Transform

// asEdgeNode returns the EdgeNode an informer event carries: the Transform result, or
// the view of a Node from an informer without the transform.
func asEdgeNode(obj interface{}) (*kubeedge.EdgeNode, bool) {
	switch t := obj.(type) {
	case *kubeedge.EdgeNode:
		return t, true
	case *corev1.Node:
		return FromNode(t), true
	}
	return nil, false
}
