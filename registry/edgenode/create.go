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
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/apis/kubeedge/validation"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
	"github.com/edgewatcher/edgewatcher/pkg/join"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

var _ rest.Creater = &REST{}

// Create implements rest.Creater: it reserves the edge node's name and address.
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	if r.writes == nil {
		return nil, apierrors.NewMethodNotSupported(kubeedge.Resource("edgenodes"), "create")
	}
	en, ok := obj.(*kubeedge.EdgeNode)
	if !ok {
		return nil, apierrors.NewBadRequest("not an EdgeNode")
	}
	if errs := validation.ValidateEdgeNodeCreate(en); len(errs) > 0 {
		return nil, apierrors.NewInvalid(kubeedge.Kind("EdgeNode"), en.Name, errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj); err != nil {
			return nil, err
		}
	}
	if _, exists, err := r.view.Get(en.Name); err != nil {
		return nil, apiError(err)
	} else if exists {
		return nil, apierrors.NewAlreadyExists(kubeedge.Resource("edgenodes"), en.Name)
	}
	res, _, err := r.writes.Join.Reserve(ctx, join.ReserveRequest{
		NodeName:  en.Name,
		IP:        en.Spec.InternalIP,
		Spec:      reservationSpec(en.Spec.Labels, en.Spec.Taints, en.Spec.KubeEdgeVersion),
		Requester: requester(ctx),
		DryRun:    isDryRun(options.DryRun),
	})
	if err != nil {
		return nil, joinError(en.Name, field.NewPath("spec", "internalIP"), err)
	}
	return edgeview.FromReservation(res), nil
}

func reservationSpec(labels map[string]string, taints []kubeedge.EdgeNodeTaint, version string) reservation.Spec {
	s := reservation.Spec{Labels: labels, KubeEdgeVersion: version}
	for _, t := range taints {
		s.Taints = append(s.Taints, reservation.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect})
	}
	return s
}

func requester(ctx context.Context) string {
	if u, ok := genericapirequest.UserFrom(ctx); ok {
		return u.GetName()
	}
	return ""
}

func isDryRun(dryRun []string) bool {
	return len(dryRun) > 0 && dryRun[0] == metav1.DryRunAll
}
