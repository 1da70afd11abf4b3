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
	"errors"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
)

// List implements rest.Lister. Results are sorted by name, as the Kube API orders them, and paged
// with limit and continue as kube-apiserver's watch cache pages them (see docs/architecture.md).
func (r *REST) List(ctx context.Context, opts *metainternalversion.ListOptions) (runtime.Object, error) {
	if opts == nil {
		opts = &metainternalversion.ListOptions{}
	}
	q, err := pageQuery(opts)
	if err != nil {
		return nil, err
	}
	if q.notOlderThan != "" {
		// Serve "not older than" reads only once the view has caught up.
		if err := r.view.WaitForResourceVersion(ctx, q.notOlderThan); err != nil {
			return nil, apiError(err)
		}
	}
	if name, ok := singleName(opts); ok && !q.exact && q.token == nil {
		return r.getAsList(name, opts)
	}
	q.req.Filter = r.decoratedMatcher(opts)
	page, err := r.view.ListPage(ctx, q.req)
	if err != nil {
		var tooOld *edgeview.ResourceVersionTooOldError
		switch {
		case errors.As(err, &tooOld) && q.token != nil:
			return nil, continueExpired(*q.token)
		case errors.As(err, &tooOld):
			return nil, apierrors.NewResourceExpired(listExpired)
		}
		return nil, apiError(err)
	}
	list := &kubeedge.EdgeNodeList{
		ListMeta: metav1.ListMeta{ResourceVersion: strconv.FormatUint(page.ResourceVersion, 10)},
		Items:    page.Items,
	}
	for i := range list.Items {
		r.decorate(&list.Items[i])
	}
	if page.Next != "" {
		list.Continue = encodeContinue(continueToken{ResourceVersion: int64(page.ResourceVersion), Start: page.Next, Offset: page.NextOffset})
		if q.req.Filter == nil {
			// As kube-apiserver: only without selectors, where the count is exact.
			remaining := int64(page.Remaining)
			list.RemainingItemCount = &remaining
		}
	}
	return list, nil
}

// getAsList serves metadata.name=X as a point lookup, as the generic registry does.
func (r *REST) getAsList(name string, opts *metainternalversion.ListOptions) (runtime.Object, error) {
	en, found, rv, err := r.view.GetWithVersion(name)
	if err != nil {
		return nil, apiError(err)
	}
	list := &kubeedge.EdgeNodeList{ListMeta: metav1.ListMeta{ResourceVersion: rv}, Items: []kubeedge.EdgeNode{}}
	if m := r.decoratedMatcher(opts); found && (m == nil || m(en)) {
		list.Items = append(list.Items, *en)
		r.decorate(&list.Items[0])
	}
	return list, nil
}

// listQuery is what a list's options ask of the view.
type listQuery struct {
	req edgeview.PageRequest
	// token is the decoded continue parameter, if any.
	token *continueToken
	// exact is set when the list must show the view exactly at a resource version.
	exact bool
	// notOlderThan is the resource version the view must reach before it is read.
	notOlderThan string
}

// pageQuery maps list options to a page request with kube-apiserver's semantics (watch cache, v1.37):
//   - continue: the snapshot of the token's resource version (-1: the current state), from its start name;
//     resourceVersion must be empty or "0";
//   - resourceVersion "0": the current state, and limit is ignored;
//   - resourceVersionMatch=Exact, or a limit with a resourceVersion and no resourceVersionMatch: the view
//     exactly at that version;
//   - otherwise (empty, or NotOlderThan): the current state once it reaches resourceVersion.
func pageQuery(opts *metainternalversion.ListOptions) (listQuery, error) {
	var q listQuery
	if opts.Limit < 0 {
		return q, apierrors.NewBadRequest("limit must not be negative")
	}
	q.req.Limit = int(opts.Limit)
	rv := opts.ResourceVersion
	if opts.Continue != "" {
		if rv != "" && rv != "0" {
			return q, apierrors.NewBadRequest("specifying resource version is not allowed when using continue")
		}
		tok, err := decodeContinue(opts.Continue)
		if err != nil {
			return q, err
		}
		q.token = &tok
		q.req.Start, q.req.Offset = tok.Start, tok.Offset
		if tok.ResourceVersion > 0 {
			q.req.ResourceVersion = uint64(tok.ResourceVersion)
		} else {
			q.req.Offset = -1
		}
		return q, nil
	}
	if rv == "" {
		return q, nil
	}
	n, err := strconv.ParseUint(rv, 10, 64)
	if err != nil {
		return q, apierrors.NewBadRequest((&edgeview.InvalidResourceVersionError{Value: rv}).Error())
	}
	switch {
	case n == 0:
		// The watch cache ignores limit for resourceVersion=0 (k8s.io/apiserver cacher computeListLimit).
		q.req.Limit = 0
	case opts.ResourceVersionMatch == metav1.ResourceVersionMatchExact,
		opts.ResourceVersionMatch == "" && opts.Limit > 0:
		q.exact = true
		q.req.ResourceVersion = n
	default:
		q.notOlderThan = rv
	}
	return q, nil
}
