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

package clusterstate

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// TaintOnJoin returns a reservation.Collector Bind function that adds the reserved taints to
// the Node that joined, since keadm cannot register them.
func TaintOnJoin(client kubernetes.Interface) func(context.Context, *reservation.Reservation) error {
	return func(ctx context.Context, r *reservation.Reservation) error {
		if len(r.Spec.Taints) == 0 {
			return nil
		}
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			node, err := client.CoreV1().Nodes().Get(ctx, r.NodeName, metav1.GetOptions{})
			if err != nil {
				return err
			}
			changed := false
			for _, t := range r.Spec.Taints {
				want := corev1.Taint{Key: t.Key, Value: t.Value, Effect: corev1.TaintEffect(t.Effect)}
				if !hasTaint(node.Spec.Taints, want) {
					node.Spec.Taints = append(node.Spec.Taints, want)
					changed = true
				}
			}
			if !changed {
				return nil
			}
			_, err = client.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{})
			if err == nil {
				klog.InfoS("Applied reserved taints to the joined Node", "node", r.NodeName, "taints", len(r.Spec.Taints))
			}
			return err
		})
	}
}

func hasTaint(taints []corev1.Taint, t corev1.Taint) bool {
	for _, have := range taints {
		if have.Key == t.Key && have.Effect == t.Effect {
			return true
		}
	}
	return false
}
