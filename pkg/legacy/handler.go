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
	"context"
	"errors"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/emicklei/go-restful/v3"
	"k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/join"
)

// handler serves the join route.
type handler struct {
	joiner Joiner
	// ipOptional is true on the route of a console without an IP field.
	ipOptional bool
}

// join is the route function of GET <root>/nodes/join.
func (h *handler) join(req *restful.Request, resp *restful.Response) {
	r := req.Request
	// The router also accepts paths such as ".../join//"; serve only the paths whose authorization
	// RequestInfoResolver remaps.
	if !isJoinPath(r.URL.Path) {
		writeFailure(resp, http.StatusNotFound, "Not found")
		return
	}
	jr, bad := parseRequest(r.URL.Query(), h.ipOptional)
	if bad != nil {
		writeFailure(resp, bad.code, bad.message)
		return
	}
	jr.IPOptional = h.ipOptional
	if u, ok := request.UserFrom(r.Context()); ok {
		jr.User = u
	}

	command, err := h.call(r.Context(), jr)
	if err == nil && (command == "" || strings.ContainsAny(command, "\r\n")) {
		err = errors.New("the join command is empty or not a single line")
	}
	if err != nil {
		f := failureFor(err)
		logFailure(jr, f, err)
		writeFailure(resp, f.code, f.message)
		return
	}
	klog.V(2).InfoS("Legacy join command issued", "node", jr.NodeName, "ip", jr.NodeIP,
		"reserve", jr.DefaultTaint != nil, "user", userName(jr))
	writeSuccess(resp, command)
}

// call runs the Joiner and turns a panic into errJoinerPanicked.
func (h *handler) call(ctx context.Context, jr Request) (command string, err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if e, ok := p.(error); ok && errors.Is(e, http.ErrAbortHandler) {
			panic(p)
		}
		klog.ErrorS(nil, "Legacy join: Joiner panicked", "panic", p, "node", jr.NodeName, "stack", string(debug.Stack()))
		command, err = "", errJoinerPanicked
	}()
	return h.joiner.Join(ctx, jr)
}

// logFailure logs a failed join at a level that fits its cause. A missing or broken KubeEdge object is logged
// once per change by the join flow's dependency monitor, so each request that meets it logs only at level 2.
func logFailure(jr Request, f failure, err error) {
	switch {
	case join.IsUnavailable(err):
		klog.V(2).InfoS("Legacy join unavailable", "node", jr.NodeName, "ip", jr.NodeIP, "reason", err.Error(), "user", userName(jr))
	case f.code >= http.StatusInternalServerError:
		klog.ErrorS(err, "Legacy join failed", "node", jr.NodeName, "ip", jr.NodeIP, "code", f.code, "user", userName(jr))
	default:
		klog.V(2).InfoS("Legacy join refused", "node", jr.NodeName, "ip", jr.NodeIP, "reason", err.Error(), "user", userName(jr))
	}
}

// userName is the caller's name for logs, or "" without authentication.
func userName(jr Request) string {
	if jr.User == nil {
		return ""
	}
	return jr.User.GetName()
}
