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
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/apis/kubeedge/validation"
	"github.com/edgewatcher/edgewatcher/pkg/join"
)

// JoinCommandREST serves edgenodes/{name}/joincommand: create returns the keadm join command,
// reserving the node first when the request carries reservation fields and it is not reserved.
type JoinCommandREST struct {
	join Joiner
}

var (
	_ rest.Storage      = &JoinCommandREST{}
	_ rest.NamedCreater = &JoinCommandREST{}
)

// NewJoinCommandREST returns the joincommand subresource storage.
func NewJoinCommandREST(j Joiner) *JoinCommandREST {
	return &JoinCommandREST{join: j}
}

// New implements rest.Storage.
func (r *JoinCommandREST) New() runtime.Object { return &kubeedge.JoinCommand{} }

// Destroy implements rest.Storage.
func (r *JoinCommandREST) Destroy() {}

// Create implements rest.NamedCreater.
func (r *JoinCommandREST) Create(ctx context.Context, name string, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	req, ok := obj.(*kubeedge.JoinCommand)
	if !ok {
		return nil, apierrors.NewBadRequest("not a JoinCommand")
	}
	if errs := validation.ValidateJoinCommand(req); len(errs) > 0 {
		return nil, apierrors.NewInvalid(kubeedge.Kind("JoinCommand"), name, errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj); err != nil {
			return nil, err
		}
	}
	spec := req.Spec
	res, err := r.join.Command(ctx, join.CommandRequest{
		Reserve: join.ReserveRequest{
			NodeName: name, IP: spec.InternalIP, Spec: reservationSpec(spec.Labels, spec.Taints, spec.KubeEdgeVersion),
			Requester: requester(ctx), Reuse: true, DryRun: isDryRun(options.DryRun),
		},
		KubeEdgeVersion:  spec.KubeEdgeVersion,
		RuntimeEndpoint:  spec.RuntimeEndpoint,
		CgroupDriver:     spec.CgroupDriver,
		ImageRepository:  spec.ImageRepository,
		CloudCoreAddress: spec.CloudCoreAddress,
		TokenTTL:         seconds(spec.TokenTTLSeconds),
		Strict:           spec.Strict,
	})
	if err != nil {
		return nil, joinError(name, field.NewPath("spec", "internalIP"), err)
	}
	out := req.DeepCopy()
	out.Name, out.ManagedFields = name, nil
	out.Status = kubeedge.JoinCommandStatus{
		Command:         res.Command.Shell,
		Args:            res.Command.Argv,
		KubeEdgeVersion: res.Command.Version.String(),
		TokenExpiresAt:  metav1.NewTime(res.Token.ExpiresAt),
		Warnings:        res.Endpoint.Warnings,
	}
	if res.Reservation.IP.IsValid() {
		out.Status.InternalIP = res.Reservation.IP.String()
	}
	for _, l := range res.Command.Limitations {
		out.Status.Limitations = append(out.Status.Limitations, l.String())
	}
	if len(res.Reservation.Spec.Taints) > 0 {
		out.Status.Limitations = append(out.Status.Limitations,
			"taints: keadm cannot register taints; EdgeWatcher applies the reserved taints when the Node registers")
	}
	return out, nil
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
