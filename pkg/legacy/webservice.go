package legacy

import (
	"errors"
	"net/http"
	"runtime/debug"

	"github.com/emicklei/go-restful/v3"
	"k8s.io/klog/v2"
)

// NewWebService returns the go-restful WebService rooted at /api/v1alpha1 with the join route.
func NewWebService(j Joiner) *restful.WebService {
	h := &handler{joiner: j}
	ws := new(restful.WebService)
	ws.Path(RootPath).
		Doc("KubeSphere console legacy join endpoint").
		Produces(restful.MIME_JSON)
	// go-restful trims trailing slashes from request paths, so this route serves JoinPath+"/" too.
	ws.Route(ws.GET(routePath).To(h.join).
		Operation("getLegacyNodeJoinCommand").
		Doc("Validate a node name and IP and, when add_default_taint is given, reserve them and return the one-line keadm join command.").
		Param(ws.QueryParameter(ParamNodeName, "edge node name (RFC 1123 subdomain)").Required(true)).
		Param(ws.QueryParameter(ParamNodeIP, "edge node internal IP").Required(true)).
		Param(ws.QueryParameter(ParamDefaultTaint, "add the default edge taint; absent means check only").DataType("boolean")).
		// No Returns: the OpenAPI builders need a generated definition for every response model.
		Notes(`Success: 200 {"code":200,"status":"Succeeded","data":"<command>"}. ` +
			`Failure: {"code":<status>,"status":"Failure","message":"..."}; 400 for an invalid or used node name or IP, ` +
			`503 when a dependency is not ready.`))
	return ws
}

// Install adds the WebService to container (used for the secure port's GoRestfulContainer, whose
// authn/authz filters already ran; the route reads the user from the request context).
func Install(container *restful.Container, j Joiner) {
	container.Add(NewWebService(j))
}

// NewContainer returns a go-restful container with the join route for the plain-HTTP listener.
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
