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
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// Event reasons the syncer records on edge Nodes.
const (
	// EventReasonIPConflict is a Warning: the node's IP violates uniqueness (duplicate, host, cloudcore or special
	// address) and is not forwarded.
	EventReasonIPConflict = "EdgeIPConflict"
	// EventReasonForwardingSkipped is a Warning: the node is not forwarded, or only partly, for another reason
	// (no InternalIP, no cloudcore target, an invalid port).
	EventReasonForwardingSkipped = "EdgeForwardingSkipped"
	// EventReasonConflictResolved is Normal: the node's IP conflict has cleared.
	EventReasonConflictResolved = "EdgeIPConflictResolved"
)

// conflictReporter turns conflicts into Events, once per conflict while it lasts rather than once per sync.
type conflictReporter struct {
	recorder record.EventRecorder
	host     string
	// reported are the conflicts reported so far, by node and key (see conflictKey).
	reported map[string]map[string]forwarding.Conflict
}

// newConflictReporter returns a reporter that records Events with recorder on behalf of host.
func newConflictReporter(recorder record.EventRecorder, host string) *conflictReporter {
	return &conflictReporter{recorder: recorder, host: host, reported: map[string]map[string]forwarding.Conflict{}}
}

// conflictKey identifies a conflict across syncs: the reason and the IP. The other claimants are left out, so a
// third node joining a duplicate does not re-report the first two.
func conflictKey(c forwarding.Conflict) string {
	return string(c.Reason) + "/" + c.IP.String()
}

// report records an Event for each conflict not reported before, and a resolution for each node whose IP
// conflicts have all cleared. node returns a current Node by name, or nil.
func (r *conflictReporter) report(conflicts []forwarding.Conflict, node func(string) *corev1.Node) {
	current := make(map[string]map[string]forwarding.Conflict, len(conflicts))
	for _, c := range conflicts {
		byKey := current[c.Node]
		if byKey == nil {
			byKey = map[string]forwarding.Conflict{}
			current[c.Node] = byKey
		}
		key := conflictKey(c)
		byKey[key] = c
		if _, seen := r.reported[c.Node][key]; seen {
			continue
		}
		reason := EventReasonForwardingSkipped
		if c.Reason.Uniqueness() {
			reason = EventReasonIPConflict
		}
		r.recorder.Event(nodeObject(node, c.Node), corev1.EventTypeWarning, reason,
			fmt.Sprintf("%s (%s); not forwarded by %s on %s", c.Message, c.Reason, ComponentName, r.host))
	}
	for name, old := range r.reported {
		if !hasUniqueness(old) || hasUniqueness(current[name]) {
			continue
		}
		n := node(name)
		if n == nil {
			continue
		}
		r.recorder.Event(n, corev1.EventTypeNormal, EventReasonConflictResolved,
			fmt.Sprintf("The IP conflict has cleared (was: %s); %s on %s forwards the node again unless another problem is reported",
				describe(old), ComponentName, r.host))
	}
	r.reported = current
}

// hasUniqueness reports whether any of the conflicts is an IP-uniqueness violation.
func hasUniqueness(byKey map[string]forwarding.Conflict) bool {
	for _, c := range byKey {
		if c.Reason.Uniqueness() {
			return true
		}
	}
	return false
}

// describe lists the uniqueness reasons and IPs of conflicts, sorted.
func describe(byKey map[string]forwarding.Conflict) string {
	var parts []string
	for _, c := range byKey {
		if c.Reason.Uniqueness() {
			parts = append(parts, fmt.Sprintf("%s %s", c.Reason, c.IP))
		}
	}
	slices.Sort(parts)
	return fmt.Sprint(parts)
}

// nodeObject returns the Node to record an Event on, or a reference shaped like the one kubelet uses when the
// Node is not cached.
func nodeObject(node func(string) *corev1.Node, name string) runtime.Object {
	if n := node(name); n != nil {
		return n
	}
	return &corev1.ObjectReference{Kind: "Node", Name: name, UID: types.UID(name)}
}
