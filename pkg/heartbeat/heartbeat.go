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

// Package heartbeat is the contract between edgewatcher-syncer, which renews one Lease per host with its
// Status, and edgewatcher-apiserver, which reads those Leases to show each edge node's forwarding coverage.
// Both binaries import it, and nothing else of each other.
package heartbeat

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Lease conventions.
const (
	// Component is the syncer's component name: the value of ComponentLabel on every heartbeat Lease.
	Component = "edgewatcher-syncer"
	// LeaseNamePrefix starts every heartbeat Lease name; the rest is the host's Node name.
	LeaseNamePrefix = Component + "-"
	// Annotation holds the Status JSON on the Lease.
	Annotation = "kubeedge.kubesphere.io/syncer-status"
	// ComponentLabel is set to Component on every heartbeat Lease, to list them.
	ComponentLabel = "app.kubernetes.io/component"
	// Selector selects the heartbeat Leases.
	Selector = ComponentLabel + "=" + Component
	// MaxConflictNodes caps Status.ConflictNodes, keeping the annotation far below the object size limit.
	MaxConflictNodes = 1000
	// maxNameLength is the longest object name (a DNS subdomain).
	maxNameLength = 253
)

// Status is what a syncer reports in its heartbeat Lease. The Lease's renewTime and
// leaseDurationSeconds (three resync periods) tell whether the syncer is alive; this says what it did.
type Status struct {
	// NodeName is the host the syncer runs on.
	NodeName string `json:"nodeName"`
	// Dataplane describes the kernel backend, such as "nft ipv4,ipv6".
	Dataplane string `json:"dataplane,omitempty"`
	// ResyncPeriodSeconds is the syncer's resync period.
	ResyncPeriodSeconds float64 `json:"resyncPeriodSeconds"`
	// LastSyncTime is when the last successful sync finished; nil before the first.
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`
	// LastAttemptTime is when the last sync, successful or not, finished.
	LastAttemptTime *metav1.Time `json:"lastAttemptTime,omitempty"`
	// Entries is the number of destinations (edge IP and port) programmed.
	Entries int `json:"entries"`
	// EdgeNodes is the number of edge Nodes seen.
	EdgeNodes int `json:"edgeNodes"`
	// ForwardedNodes is the number of edge Nodes with at least one destination programmed.
	ForwardedNodes int `json:"forwardedNodes"`
	// Conflicts is the number of conflicts (edge nodes or IPs not forwarded).
	Conflicts int `json:"conflicts"`
	// ConflictNodes are the edge nodes with a conflict, sorted, at most MaxConflictNodes of them.
	ConflictNodes []string `json:"conflictNodes,omitempty"`
	// ConflictNodesTruncated is true when ConflictNodes was cut at MaxConflictNodes.
	ConflictNodesTruncated bool `json:"conflictNodesTruncated,omitempty"`
	// DefaultTarget is the cloudcore IP for nodes without a recorded owner, and DefaultTargetSource where it came
	// from (flag, pod, tunnelport, service).
	DefaultTarget string `json:"defaultTarget,omitempty"`
	// DefaultTargetSource says where DefaultTarget came from.
	DefaultTargetSource string `json:"defaultTargetSource,omitempty"`
	// ConsecutiveErrors counts failed syncs since the last successful one.
	ConsecutiveErrors int `json:"consecutiveErrors"`
	// TotalErrors counts failed syncs since the syncer started.
	TotalErrors int64 `json:"totalErrors"`
	// LastError is the error of the last failed sync, empty after a success.
	LastError string `json:"lastError,omitempty"`
	// ObservedNodeResourceVersion is the Node resource version the last successful sync is consistent with: every
	// Node change up to it is reflected in ConflictNodes and the kernel. Empty when unknown (syncers before this
	// field, or an informer that cannot tell); readers then treat every node as not yet covered.
	ObservedNodeResourceVersion string `json:"observedNodeResourceVersion,omitempty"`
}

// ObservedNodes returns ObservedNodeResourceVersion as a number, and false when it is absent or not a decimal
// number: resource versions are opaque by contract, so only etcd's numeric ones can be compared.
func (s *Status) ObservedNodes() (uint64, bool) {
	rv, err := strconv.ParseUint(s.ObservedNodeResourceVersion, 10, 64)
	if err != nil {
		return 0, false
	}
	return rv, true
}

// LeaseName returns the name of the heartbeat Lease of a host: LeaseNamePrefix and the Node name, shortened with
// a hash when that would exceed the 253 characters an object name may have.
func LeaseName(nodeName string) string {
	name := LeaseNamePrefix + nodeName
	if len(name) <= maxNameLength {
		return name
	}
	sum := sha256.Sum256([]byte(nodeName))
	suffix := "-" + hex.EncodeToString(sum[:8])
	return name[:maxNameLength-len(suffix)] + suffix
}

// Parse decodes the Status of a heartbeat Lease.
func Parse(lease *coordinationv1.Lease) (*Status, error) {
	raw, ok := lease.Annotations[Annotation]
	if !ok {
		return nil, fmt.Errorf("lease %s/%s has no %s annotation", lease.Namespace, lease.Name, Annotation)
	}
	var st Status
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return nil, fmt.Errorf("lease %s/%s annotation %s: %w", lease.Namespace, lease.Name, Annotation, err)
	}
	return &st, nil
}
