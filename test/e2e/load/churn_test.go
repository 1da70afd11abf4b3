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

package load

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/edgewatcher/edgewatcher/test/fixtures"
)

const (
	// churnWorkers each change one edge node's readiness a second: 5 visible changes a second, each one
	// event for every watch. Several writers keep the rate while kube-apiserver is slow under the load.
	churnWorkers  = 5
	churnInterval = time.Second
	// burstWorkers write the changes of burst.
	burstWorkers = 16
)

// churn writes Node status changes as edged does when a node goes NotReady and back.
type churn struct {
	failures atomic.Int64
	lastErr  atomic.Value
	mu       sync.Mutex
	// written holds when each change was acknowledged, in order.
	written []time.Time
	// notReady is the readiness each edge node was last given.
	notReady [edgeNodes]bool
	next     int
}

// writtenBetween counts the changes acknowledged in [from, to).
func (ch *churn) writtenBetween(from, to time.Time) int {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	n := 0
	for _, at := range ch.written {
		if !at.Before(from) && at.Before(to) {
			n++
		}
	}
	return n
}

// run flips the Ready condition of the edge nodes round robin with churnWorkers writers until ctx ends.
func (ch *churn) run(ctx context.Context, c kubernetes.Interface) {
	var wg sync.WaitGroup
	for range churnWorkers {
		wg.Go(func() {
			tick := time.NewTicker(churnInterval)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				ch.flip(ctx, c)
			}
		})
	}
	wg.Wait()
}

// burst writes n changes as fast as burstWorkers writers can, and fails on the first error.
func (ch *churn) burst(ctx context.Context, c kubernetes.Interface, n int) error {
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	for range burstWorkers {
		wg.Go(func() {
			for left.Add(-1) >= 0 && ch.failures.Load() == 0 {
				ch.flip(ctx, c)
			}
		})
	}
	wg.Wait()
	if ch.failures.Load() > 0 {
		return fmt.Errorf("%d Node status changes failed: %v", ch.failures.Load(), ch.lastErr.Load())
	}
	return nil
}

// flip writes the next readiness change.
func (ch *churn) flip(ctx context.Context, c kubernetes.Interface) {
	ch.mu.Lock()
	i := ch.next % edgeNodes
	ch.next++
	ch.notReady[i] = !ch.notReady[i]
	notReady := ch.notReady[i]
	ch.mu.Unlock()
	status, reason := "True", "EdgeReady"
	if notReady {
		status, reason = "False", "EdgeNotReady"
	}
	now := time.Now().UTC().Format(time.RFC3339)
	patch := fmt.Sprintf(`{"status":{"conditions":[{"type":"Ready","status":%q,"reason":%q,"message":"load churn","lastHeartbeatTime":%q,"lastTransitionTime":%q}]}}`,
		status, reason, now, now)
	_, err := c.CoreV1().Nodes().Patch(ctx, fixtures.NodeName(i, true), types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}, "status")
	switch {
	case err == nil:
		ch.mu.Lock()
		ch.written = append(ch.written, time.Now())
		ch.mu.Unlock()
	case ctx.Err() == nil:
		ch.failures.Add(1)
		ch.lastErr.Store(err.Error())
	}
}
