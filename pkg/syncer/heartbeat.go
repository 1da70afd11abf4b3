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
	"context"
	"encoding/json"
	"fmt"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
)

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
	name := heartbeat.LeaseName(s.cfg.NodeName)
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
	lease.Labels[heartbeat.ComponentLabel] = heartbeat.Component
	if lease.Annotations == nil {
		lease.Annotations = map[string]string{}
	}
	lease.Annotations[heartbeat.Annotation] = status
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity != s.cfg.NodeName || lease.Spec.AcquireTime == nil {
		lease.Spec.HolderIdentity = ptr.To(s.cfg.NodeName)
		lease.Spec.AcquireTime = &now
	}
	// Three resync periods, rounded up to whole seconds.
	lease.Spec.LeaseDurationSeconds = ptr.To(int32((staleAfter*s.cfg.ResyncPeriod + time.Second - 1) / time.Second))
	lease.Spec.RenewTime = &now
}
