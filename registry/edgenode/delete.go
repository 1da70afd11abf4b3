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
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

var _ rest.GracefulDeleter = &REST{}

// Delete implements rest.GracefulDeleter. A reservation is released. A joined node is
// deleted as a core Node, only if the caller may delete that Node (a SubjectAccessReview):
// deleting an EdgeNode must not be a way around Node RBAC.
func (r *REST) Delete(ctx context.Context, name string, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions) (runtime.Object, bool, error) {
	if r.writes == nil {
		return nil, false, apierrors.NewMethodNotSupported(kubeedge.Resource("edgenodes"), "delete")
	}
	en, ok, err := r.view.Get(name)
	if err != nil {
		return nil, false, apiError(err)
	}
	if !ok {
		return nil, false, apierrors.NewNotFound(kubeedge.Resource("edgenodes"), name)
	}
	if options != nil && options.Preconditions != nil && options.Preconditions.UID != nil && *options.Preconditions.UID != en.UID {
		return nil, false, apierrors.NewConflict(kubeedge.Resource("edgenodes"), name,
			fmt.Errorf("precondition failed: UID in precondition: %v, UID in object meta: %v", *options.Preconditions.UID, en.UID))
	}
	if deleteValidation != nil {
		if err := deleteValidation(ctx, en); err != nil {
			return nil, false, err
		}
	}
	dryRun := options != nil && isDryRun(options.DryRun)
	if en.Status.Phase != kubeedge.EdgeNodeJoined {
		if dryRun {
			return en, true, nil
		}
		if _, err := r.writes.Reservations.Release(ctx, name); err != nil && !apierrors.IsNotFound(err) {
			return nil, false, err
		}
		return en, true, nil
	}
	if err := r.authorizeNodeDelete(ctx, name); err != nil {
		return nil, false, err
	}
	opts := metav1.DeleteOptions{Preconditions: metav1.NewUIDPreconditions(string(en.UID))}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if err := r.writes.Nodes.Nodes().Delete(ctx, name, opts); err != nil {
		return nil, false, err
	}
	return en, true, nil
}

// authorizeNodeDelete asks the cluster's authorizer whether the caller may delete Node name.
func (r *REST) authorizeNodeDelete(ctx context.Context, name string) error {
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return apierrors.NewForbidden(kubeedge.Resource("edgenodes"), name, fmt.Errorf("no user in the request"))
	}
	decision, reason, err := r.writes.Authorizer.Authorize(ctx, authorizer.AttributesRecord{
		User: u, Verb: "delete", Resource: "nodes", APIVersion: "v1", Name: name, ResourceRequest: true,
	})
	if err != nil && decision != authorizer.DecisionAllow {
		return apierrors.NewForbidden(kubeedge.Resource("edgenodes"), name, fmt.Errorf("checking whether %q may delete node %s: %w", u.GetName(), name, err))
	}
	if decision != authorizer.DecisionAllow {
		msg := fmt.Sprintf("edge node %s has joined; deleting it deletes Node %s, which user %q may not delete", name, name, u.GetName())
		if reason != "" {
			msg += ": " + reason
		}
		return apierrors.NewForbidden(kubeedge.Resource("edgenodes"), name, fmt.Errorf("%s", msg))
	}
	return nil
}
