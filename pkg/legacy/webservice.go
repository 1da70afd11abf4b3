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
	"errors"
	"net/http"
	"runtime/debug"

	"github.com/emicklei/go-restful/v3"
	"k8s.io/klog/v2"
)

// NewWebServices returns one go-restful WebService per console generation, each with its join route.
func NewWebServices(j Joiner) []*restful.WebService {
	services := make([]*restful.WebService, 0, len(routes))
	for _, r := range routes {
		services = append(services, newWebService(r, j))
	}
	return services
}

// newWebService returns the WebService rooted at r.root with r's join route.
func newWebService(r route, j Joiner) *restful.WebService {
	h := &handler{joiner: j, ipOptional: r.ipOptional}
	ipDoc := "edge node internal IP"
	if r.ipOptional {
		ipDoc += "; without it the address is allocated from --edge-ip-pool, or left to edgecore when no pool is set"
	}
	ws := new(restful.WebService)
	ws.Path(r.root).
		Doc(r.doc).
		Produces(restful.MIME_JSON)
	// go-restful trims trailing slashes from request paths, so this route serves its path+"/" too.
	ws.Route(ws.GET(routePath).To(h.join).
		Operation("getConsoleNodeJoinCommand" + operationSuffix(r)).
		Doc("Validate a node name and IP and, when add_default_taint is given, reserve them and return the one-line keadm join command.").
		Param(ws.QueryParameter(ParamNodeName, "edge node name (RFC 1123 subdomain)").Required(true)).
		Param(ws.QueryParameter(ParamNodeIP, ipDoc).Required(!r.ipOptional)).
		Param(ws.QueryParameter(ParamDefaultTaint, "add the default edge taint; absent means check only").DataType("boolean")).
		Param(ws.QueryParameter(ParamVersion, "KubeEdge release to install, vMAJOR.MINOR.PATCH; default the server's")).
		Param(ws.QueryParameter(ParamRuntime, "container runtime of the edge node: containerd or docker; default the server's")).
		Param(ws.QueryParameter(ParamImageRepository, "registry prefix of the KubeEdge images; default the server's")).
		// No Returns: the OpenAPI builders need a generated definition for every response model.
		Notes(`Success: 200 {"code":200,"status":"Succeeded","data":"<command>"}. ` +
			`Failure: {"code":<status>,"status":"Failure","message":"..."}; 400 for an invalid or used node name or IP ` +
			`or an unusable optional parameter, 503 when a dependency is not ready.`))
	return ws
}

// operationSuffix tells the routes' OpenAPI operation IDs apart.
func operationSuffix(r route) string {
	if r.root == KapisRootPath {
		return "V1beta1"
	}
	return ""
}

// Install adds the WebServices to container (used for the secure port's GoRestfulContainer, whose
// authn/authz filters already ran; the routes read the user from the request context).
func Install(container *restful.Container, j Joiner) {
	for _, ws := range NewWebServices(j) {
		container.Add(ws)
	}
}

// NewContainer returns a go-restful container with the join routes for the plain-HTTP listener.
// Routing errors (such as 405 for a method other than GET) and panics answer in the console's
// JSON error format.
func NewContainer(j Joiner) *restful.Container {
	c := restful.NewContainer()
	c.DoNotRecover(false)
	c.RecoverHandler(func(p any, w http.ResponseWriter) {
		if e, ok := p.(error); ok && errors.Is(e, http.ErrAbortHandler) {
			panic(p)
		}
		klog.ErrorS(nil, "Legacy join: handler panicked", "panic", p, "stack", string(debug.Stack()))
		writeFailure(w, http.StatusInternalServerError, "Internal error")
	})
	c.ServiceErrorHandler(func(se restful.ServiceError, _ *restful.Request, resp *restful.Response) {
		for key, values := range se.Header {
			for _, v := range values {
				resp.Header().Add(key, v)
			}
		}
		msg := http.StatusText(se.Code)
		if msg == "" {
			msg = "Request failed"
		}
		writeFailure(resp, se.Code, msg)
	})
	Install(c, j)
	return c
}
