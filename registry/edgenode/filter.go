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

package edgenode

import (
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// matcher returns a predicate for the label and field selectors of opts, or nil to match all.
func matcher(opts *metainternalversion.ListOptions) func(*kubeedge.EdgeNode) bool {
	if opts == nil {
		return nil
	}
	label, field := opts.LabelSelector, opts.FieldSelector
	if (label == nil || label.Empty()) && (field == nil || field.Empty()) {
		return nil
	}
	return func(en *kubeedge.EdgeNode) bool {
		if label != nil && !label.Matches(labels.Set(en.Labels)) {
			return false
		}
		return field == nil || field.Matches(kubeedge.Fields(en))
	}
}
