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
