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
	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// Paths and query parameters of the console routes.
//
// KubeSphere 3.1 to 3.4 reach the backend through ks-apiserver's generic proxy, which strips
// /kapis/<group> and prepends the endpoint path "api", so the backend sees JoinPath whether the
// console used kubeedge.kubesphere.io (3.1, 3.2) or edgeruntime.kubesphere.io (3.3, 3.4).
// KubeSphere 4.1 reaches it through an extension APIService, which keeps the full path: KapisJoinPath.
const (
	// RootPath is the root of the WebService of KubeSphere 3.x.
	RootPath = "/api/v1alpha1"
	// JoinPath is the join route of KubeSphere 3.x; JoinPath+"/" is served too.
	JoinPath = RootPath + routePath

	// KapisRootPath is the root of the WebService of KubeSphere 4.1.
	KapisRootPath = "/kapis/kubeedge.kubesphere.io/v1beta1"
	// KapisJoinPath is the join route of KubeSphere 4.1; KapisJoinPath+"/" is served too.
	KapisJoinPath = KapisRootPath + routePath

	// ParamNodeName is the query parameter that carries the node name.
	ParamNodeName = "node_name"
	// ParamNodeIP is the query parameter that carries the node IP; KubeSphere 4.1 never sends it.
	ParamNodeIP = "node_ip"
	// ParamDefaultTaint is the optional boolean query parameter that asks for the default edge taint.
	ParamDefaultTaint = "add_default_taint"
	// ParamVersion is the optional KubeEdge release to install, as KubeSphere-based consoles such as EdgeWize send it.
	ParamVersion = "version"
	// ParamRuntime is the optional container runtime of the edge node: containerd or docker.
	ParamRuntime = "runtime"
	// ParamImageRepository is the optional registry prefix of the KubeEdge images.
	ParamImageRepository = "image-repository"

	routePath = "/nodes/join"
)

// route is one console generation's join route.
type route struct {
	// root is the WebService root; the route is root+routePath.
	root string
	// ipOptional is true where the console has no IP field (KubeSphere 4.1).
	ipOptional bool
	// doc names the consoles that call it.
	doc string
}

// routes are the join routes, one per console generation.
var routes = []route{
	{root: RootPath, doc: "KubeSphere 3.1 to 3.4 console join route (behind ks-apiserver's generic proxy)"},
	{root: KapisRootPath, ipOptional: true, doc: "KubeSphere 4.1 console join route (behind a KubeSphere extension APIService)"},
}

// The authorization the console routes are mapped to: create on edgenodes/joincommand.
const (
	authzVerb        = "create"
	authzResource    = "edgenodes"
	authzSubresource = "joincommand"
)

var authzGroupVersion = v1alpha1.SchemeGroupVersion

// isJoinPath reports whether path is exactly one of the console routes' paths. The resolver and
// the routes both use it, so no route serves a path whose authorization was not remapped.
func isJoinPath(path string) bool {
	return path == JoinPath || path == JoinPath+"/" || path == KapisJoinPath || path == KapisJoinPath+"/"
}
