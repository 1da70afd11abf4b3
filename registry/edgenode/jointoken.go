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
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/apis/kubeedge/validation"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
)

// JoinTokenREST serves edgenodes/{name}/jointoken: create returns a join token for a reserved
// edge node. It is a create-only subresource, like a TokenRequest, so that users who can read
// edgenodes do not receive tokens.
type JoinTokenREST struct {
	view *edgeview.Cache
	join Joiner
}

var (
	_ rest.Storage      = &JoinTokenREST{}
	_ rest.NamedCreater = &JoinTokenREST{}
)

// NewJoinTokenREST returns the jointoken subresource storage.
func NewJoinTokenREST(view *edgeview.Cache, j Joiner) *JoinTokenREST {
	return &JoinTokenREST{view: view, join: j}
}

// New implements rest.Storage.
func (r *JoinTokenREST) New() runtime.Object { return &kubeedge.JoinToken{} }

// Destroy implements rest.Storage.
func (r *JoinTokenREST) Destroy() {}

// Create implements rest.NamedCreater.
func (r *JoinTokenREST) Create(ctx context.Context, name string, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	req, ok := obj.(*kubeedge.JoinToken)
	if !ok {
		return nil, apierrors.NewBadRequest("not a JoinToken")
	}
	if errs := validation.ValidateJoinToken(req); len(errs) > 0 {
		return nil, apierrors.NewInvalid(kubeedge.Kind("JoinToken"), name, errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj); err != nil {
			return nil, err
		}
	}
	if err := requirePending(r.view, name); err != nil {
		return nil, err
	}
	token, err := r.join.Token(seconds(req.Spec.TTLSeconds))
	if err != nil {
		return nil, joinError(name, field.NewPath("spec"), err)
	}
	out := req.DeepCopy()
	out.Name, out.ManagedFields = name, nil
	out.Status = kubeedge.JoinTokenStatus{Token: token.Value, ExpiresAt: metav1.NewTime(token.ExpiresAt), Source: token.Source}
	return out, nil
}

// requirePending fails unless name is a Pending reservation: tokens are for nodes about to join.
func requirePending(view *edgeview.Cache, name string) error {
	en, ok, err := view.Get(name)
	if err != nil {
		return apiError(err)
	}
	if !ok {
		return apierrors.NewNotFound(kubeedge.Resource("edgenodes"), name)
	}
	if en.Status.Phase != kubeedge.EdgeNodePending {
		return apierrors.NewConflict(kubeedge.Resource("edgenodes"), name,
			errorf("edge node %s is %s, not Pending; reserve it again to join a node", name, en.Status.Phase))
	}
	return nil
}

func seconds(s *int64) *time.Duration {
	if s == nil {
		return nil
	}
	d := time.Duration(*s) * time.Second
	return &d
}
