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

// Package edgenode serves the edgenodes resource from the in-memory EdgeNode view.
package edgenode

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
)

// REST serves edgenodes: get, list and watch over the EdgeNode view, create (reserve) and delete.
type REST struct {
	view     *edgeview.Cache
	writes   *Writes
	coverage CoverageFunc
	rest.TableConvertor
}

var (
	_ rest.Storage              = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.KindProvider         = &REST{}
	_ rest.SingularNameProvider = &REST{}
	_ rest.ShortNamesProvider   = &REST{}
	_ rest.CategoriesProvider   = &REST{}
	_ rest.Getter               = &REST{}
	_ rest.Lister               = &REST{}
	_ rest.Watcher              = &REST{}
	_ rest.TableConvertor       = &REST{}
)

// NewREST returns the edgenodes storage backed by view; writes enables create and delete
// (nil serves reads only).
func NewREST(view *edgeview.Cache, writes *Writes) *REST {
	return &REST{view: view, writes: writes, TableConvertor: tableConvertor{}}
}

// New implements rest.Storage.
func (r *REST) New() runtime.Object { return &kubeedge.EdgeNode{} }

// Destroy implements rest.Storage.
func (r *REST) Destroy() {}

// NamespaceScoped implements rest.Scoper.
func (r *REST) NamespaceScoped() bool { return false }

// Kind implements rest.KindProvider.
func (r *REST) Kind() string { return "EdgeNode" }

// GetSingularName implements rest.SingularNameProvider.
func (r *REST) GetSingularName() string { return "edgenode" }

// ShortNames implements rest.ShortNamesProvider.
func (r *REST) ShortNames() []string { return []string{"en"} }

// Categories implements rest.CategoriesProvider.
func (r *REST) Categories() []string { return []string{"kubeedge"} }

// NewList implements rest.Lister.
func (r *REST) NewList() runtime.Object { return &kubeedge.EdgeNodeList{} }

// Get implements rest.Getter.
func (r *REST) Get(_ context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	en, ok, err := r.view.Get(name)
	if err != nil {
		return nil, apiError(err)
	}
	if !ok {
		return nil, apierrors.NewNotFound(kubeedge.Resource("edgenodes"), name)
	}
	return r.decorated(en), nil
}

// Watch implements rest.Watcher.
func (r *REST) Watch(ctx context.Context, opts *metainternalversion.ListOptions) (watch.Interface, error) {
	if opts != nil && opts.ResourceVersionMatch == metav1.ResourceVersionMatchExact {
		return nil, apierrors.NewBadRequest("resourceVersionMatch=Exact is not supported for watch")
	}
	wo := edgeview.WatchOptions{Filter: matcher(opts)}
	if opts != nil {
		wo.ResourceVersion = opts.ResourceVersion
		wo.SendInitialEvents = opts.SendInitialEvents
		wo.AllowBookmarks = opts.AllowWatchBookmarks
	}
	w, err := r.view.Watch(ctx, wo)
	if err != nil {
		return nil, apiError(err)
	}
	return w, nil
}

// decoratedMatcher matches the objects as reads show them, so status.phase=Conflict selects
// nodes that syncers refuse to forward.
func (r *REST) decoratedMatcher(opts *metainternalversion.ListOptions) func(*kubeedge.EdgeNode) bool {
	m := matcher(opts)
	if m == nil || r.coverage == nil {
		return m
	}
	return func(en *kubeedge.EdgeNode) bool { return m(r.decorated(en)) }
}

// singleName returns the name a metadata.name=X field selector pins a list to.
func singleName(opts *metainternalversion.ListOptions) (string, bool) {
	if opts == nil || opts.FieldSelector == nil {
		return "", false
	}
	return opts.FieldSelector.RequiresExactMatch(kubeedge.FieldName)
}

// apiError maps view errors to API status errors.
func apiError(err error) error {
	var tooOld *edgeview.ResourceVersionTooOldError
	var tooLarge *edgeview.ResourceVersionTooLargeError
	var invalid *edgeview.InvalidResourceVersionError
	switch {
	case errors.Is(err, edgeview.ErrNotSynced):
		return apierrors.NewServiceUnavailable(err.Error())
	case errors.As(err, &tooOld):
		return apierrors.NewResourceExpired(fmt.Sprintf("edgenodes: %v", err))
	case errors.As(err, &tooLarge):
		return storage.NewTooLargeResourceVersionError(tooLarge.Requested, tooLarge.Current, 1)
	case errors.As(err, &invalid):
		return apierrors.NewBadRequest(err.Error())
	}
	return apierrors.NewInternalError(err)
}
