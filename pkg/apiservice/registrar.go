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

// Package apiservice registers EdgeWatcher's own APIService with the kube-aggregator.
package apiservice

import (
	"bytes"
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/typed/apiregistration/v1"
	"k8s.io/utils/ptr"
)

// Registrar keeps an APIService pointing at this server's Service with its CA bundle.
type Registrar struct {
	Client aggregatorclient.APIServicesGetter
	// Group and Version name the API served, e.g. kubeedge.kubesphere.io and v1alpha1.
	Group, Version string
	// ServiceNamespace, ServiceName and ServicePort address this server inside the cluster.
	ServiceNamespace, ServiceName string
	ServicePort                   int32
	// CABundle is PEM that verifies the serving certificate.
	CABundle []byte
}

// Name returns the APIService name, <version>.<group>.
func (r *Registrar) Name() string { return r.Version + "." + r.Group }

// desired returns the spec this server needs.
func (r *Registrar) desired() apiregistrationv1.APIServiceSpec {
	return apiregistrationv1.APIServiceSpec{
		Group:                r.Group,
		Version:              r.Version,
		Service:              &apiregistrationv1.ServiceReference{Namespace: r.ServiceNamespace, Name: r.ServiceName, Port: ptr.To(r.ServicePort)},
		CABundle:             r.CABundle,
		GroupPriorityMinimum: 1000,
		VersionPriority:      15,
	}
}

// Ensure creates the APIService or updates it to the desired spec.
func (r *Registrar) Ensure(ctx context.Context) error {
	want := r.desired()
	current, err := r.Client.APIServices().Get(ctx, r.Name(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = r.Client.APIServices().Create(ctx, &apiregistrationv1.APIService{
			ObjectMeta: metav1.ObjectMeta{Name: r.Name(), Labels: map[string]string{"app.kubernetes.io/managed-by": "edgewatcher-apiserver"}},
			Spec:       want,
		}, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("creating APIService %s: %w", r.Name(), err)
		}
		klog.InfoS("Created APIService", "apiService", r.Name())
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading APIService %s: %w", r.Name(), err)
	}
	if specEqual(current.Spec, want) {
		return nil
	}
	current.Spec = want
	if _, err := r.Client.APIServices().Update(ctx, current, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("updating APIService %s: %w", r.Name(), err)
	}
	klog.InfoS("Updated APIService", "apiService", r.Name())
	return nil
}

// Run ensures the APIService now, retrying with backoff, and again every period until ctx ends.
func (r *Registrar) Run(ctx context.Context, period time.Duration) {
	backoff := wait.Backoff{Duration: 500 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 8, Cap: 30 * time.Second}
	wait.UntilWithContext(ctx, func(ctx context.Context) {
		_ = wait.ExponentialBackoffWithContext(ctx, backoff, func(ctx context.Context) (bool, error) {
			if err := r.Ensure(ctx); err != nil {
				klog.ErrorS(err, "Registering APIService failed; retrying", "apiService", r.Name())
				return false, nil
			}
			return true, nil
		})
	}, period)
}

func specEqual(a, b apiregistrationv1.APIServiceSpec) bool {
	return a.Group == b.Group && a.Version == b.Version &&
		a.Service != nil && b.Service != nil &&
		a.Service.Namespace == b.Service.Namespace && a.Service.Name == b.Service.Name &&
		ptr.Deref(a.Service.Port, 443) == ptr.Deref(b.Service.Port, 443) &&
		bytes.Equal(a.CABundle, b.CABundle) && !a.InsecureSkipTLSVerify &&
		a.GroupPriorityMinimum == b.GroupPriorityMinimum && a.VersionPriority == b.VersionPriority
}
