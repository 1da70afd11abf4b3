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

package legacy

import (
	"net/http"

	apirequest "k8s.io/apiserver/pkg/endpoints/request"
)

// RequestInfoResolver wraps base so that the legacy route is authorized as `create` on
// `edgenodes/joincommand` in group kubeedge.kubesphere.io version v1alpha1, name = node_name query value;
// every other path is resolved by base.
func RequestInfoResolver(base apirequest.RequestInfoResolver) apirequest.RequestInfoResolver {
	return &resolver{base: base}
}

// resolver is the RequestInfoResolver of RequestInfoResolver.
type resolver struct {
	base apirequest.RequestInfoResolver
}

var _ apirequest.RequestInfoResolver = &resolver{}

// NewRequestInfo implements apirequest.RequestInfoResolver.
func (r *resolver) NewRequestInfo(req *http.Request) (*apirequest.RequestInfo, error) {
	if !isJoinPath(req.URL.Path) {
		return r.base.NewRequestInfo(req)
	}
	// The route rejects a repeated node_name, so the first value is the one it would join.
	name := req.URL.Query().Get(ParamNodeName)
	return &apirequest.RequestInfo{
		IsResourceRequest: true,
		Path:              req.URL.Path,
		Verb:              authzVerb,
		APIPrefix:         "apis",
		APIGroup:          authzGroupVersion.Group,
		APIVersion:        authzGroupVersion.Version,
		Resource:          authzResource,
		Subresource:       authzSubresource,
		Name:              name,
		Parts:             []string{authzResource, name, authzSubresource},
	}, nil
}
