package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Heartbeat Lease conventions, for the API server that reads them.
const (
	// LeaseNamePrefix starts every heartbeat Lease name; the rest is the host's Node name.
	LeaseNamePrefix = ComponentName + "-"
	// HeartbeatAnnotation holds the HeartbeatStatus JSON on the Lease.
	HeartbeatAnnotation = "kubeedge.kubesphere.io/syncer-status"
	// LeaseComponentLabel is set to ComponentName on every heartbeat Lease, to list them.
	LeaseComponentLabel = "app.kubernetes.io/component"
	// MaxHeartbeatNodes caps HeartbeatStatus.ConflictNodes, keeping the annotation far below the object size limit.
	MaxHeartbeatNodes = 1000
	// maxNameLength is the longest object name (a DNS subdomain).
	maxNameLength = 253
)

// HeartbeatStatus is what a syncer reports in its heartbeat Lease. The Lease's renewTime and
// leaseDurationSeconds (three resync periods) tell whether the syncer is alive; this says what it did.
type HeartbeatStatus struct {
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
	// ConflictNodes are the edge nodes with a conflict, sorted, at most MaxHeartbeatNodes of them.
	ConflictNodes []string `json:"conflictNodes,omitempty"`
	// ConflictNodesTruncated is true when ConflictNodes was cut at MaxHeartbeatNodes.
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

// ParseHeartbeat decodes the HeartbeatStatus of a heartbeat Lease.
func ParseHeartbeat(lease *coordinationv1.Lease) (*HeartbeatStatus, error) {
	raw, ok := lease.Annotations[HeartbeatAnnotation]
	if !ok {
		return nil, fmt.Errorf("lease %s/%s has no %s annotation", lease.Namespace, lease.Name, HeartbeatAnnotation)
	}
	var st HeartbeatStatus
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return nil, fmt.Errorf("lease %s/%s annotation %s: %w", lease.Namespace, lease.Name, HeartbeatAnnotation, err)
	}
	return &st, nil
}

// heartbeat creates or renews this host's Lease with the current status.
func (s *Syncer) heartbeat(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, max(s.cfg.ResyncPeriod, 10*time.Second))
	defer cancel()
	st := s.heartbeatStatus()
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encoding the heartbeat: %w", err)
	}
	now := metav1.NewMicroTime(s.cfg.Clock.Now())
	leases := s.cfg.Client.CoordinationV1().Leases(s.cfg.Namespace)
	name := LeaseName(s.cfg.NodeName)
	for attempt := 0; ; attempt++ {
		lease := s.lease
		if lease == nil {
			got, err := leases.Get(ctx, name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				created, err := leases.Create(ctx, s.newLease(name, now, string(data)), metav1.CreateOptions{})
				if err == nil {
					s.lease = created
					return nil
				}
				if !apierrors.IsAlreadyExists(err) || attempt > 0 {
					return fmt.Errorf("creating lease %s/%s: %w", s.cfg.Namespace, name, err)
				}
				continue
			case err != nil:
				return fmt.Errorf("getting lease %s/%s: %w", s.cfg.Namespace, name, err)
			}
			lease = got
		}
		lease = lease.DeepCopy()
		s.renew(lease, now, string(data))
		updated, err := leases.Update(ctx, lease, metav1.UpdateOptions{})
		if err == nil {
			s.lease = updated
			return nil
		}
		s.lease = nil
		if !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) || attempt > 0 {
			return fmt.Errorf("renewing lease %s/%s: %w", s.cfg.Namespace, name, err)
		}
	}
}

// newLease returns this host's Lease, held and renewed now.
func (s *Syncer) newLease(name string, now metav1.MicroTime, status string) *coordinationv1.Lease {
	lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.cfg.Namespace}}
	s.renew(lease, now, status)
	return lease
}

// renew sets the holder, duration, renew time, label and status of lease.
func (s *Syncer) renew(lease *coordinationv1.Lease, now metav1.MicroTime, status string) {
	if lease.Labels == nil {
		lease.Labels = map[string]string{}
	}
	lease.Labels[LeaseComponentLabel] = ComponentName
	if lease.Annotations == nil {
		lease.Annotations = map[string]string{}
	}
	lease.Annotations[HeartbeatAnnotation] = status
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity != s.cfg.NodeName || lease.Spec.AcquireTime == nil {
		lease.Spec.HolderIdentity = ptr.To(s.cfg.NodeName)
		lease.Spec.AcquireTime = &now
	}
	// Three resync periods, rounded up to whole seconds.
	lease.Spec.LeaseDurationSeconds = ptr.To(int32((staleAfter*s.cfg.ResyncPeriod + time.Second - 1) / time.Second))
	lease.Spec.RenewTime = &now
}
