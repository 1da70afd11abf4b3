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
	"fmt"
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapifilters "k8s.io/apiserver/pkg/endpoints/filters"
	apirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/klog/v2"
)

// NewPlainHandler returns the handler for the plain-HTTP listener. In every mode but AuthNone it
// authenticates the request with authn (the mode's authenticator, see Options.Authenticator),
// resolves request info with RequestInfoResolver, authorizes the user with authz (e.g.
// SubjectAccessReview-backed), and only then calls the go-restful container; failures answer in
// the console's JSON error format (401/403) with sanitized messages, and a 401 names the flags to
// check but never says why a credential failed. With AuthNone it serves the container directly
// (log a warning once at construction).
//
// The authenticator sees a copy of the request that carries only the mode's credential: in the
// token modes (AuthDelegated, AuthWebhook) a single Authorization: Bearer header, in
// AuthProxyHeaders only X-Remote-User, X-Remote-Group and the source address. So request-header
// (X-Remote-*) identities are trusted in AuthProxyHeaders alone, and client certificates never.
// Impersonation headers are refused with 403. An unknown mode is treated as AuthDelegated.
func NewPlainHandler(container http.Handler, mode AuthMode, authn authenticator.Request, authz authorizer.Authorizer) http.Handler {
	if mode == AuthNone {
		klog.Warning("The legacy join listener runs with --legacy-auth=none: it has no authentication or " +
			"authorization, and anyone who can reach it can obtain join tokens")
		return container
	}
	if !mode.known() {
		klog.ErrorS(nil, "Unknown legacy auth mode, using delegated", "auth", mode)
		mode = AuthDelegated
	}
	if mode == AuthProxyHeaders {
		klog.InfoS("The legacy join listener trusts X-Remote-User and X-Remote-Group from its trusted proxy " +
			"networks (--legacy-auth=proxy-headers): only ks-apiserver may be able to reach it")
	}
	return &plainHandler{
		next:  container,
		mode:  mode,
		authn: authn,
		authz: authz,
		resolver: RequestInfoResolver(&apirequest.RequestInfoFactory{
			APIPrefixes:          map[string]sets.Empty{"api": {}, "apis": {}},
			GrouplessAPIPrefixes: map[string]sets.Empty{"api": {}},
		}),
	}
}

// plainHandler authenticates and authorizes a request before passing it on.
type plainHandler struct {
	next     http.Handler
	mode     AuthMode
	authn    authenticator.Request
	authz    authorizer.Authorizer
	resolver apirequest.RequestInfoResolver
}

// ServeHTTP implements http.Handler.
func (h *plainHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if h.authn == nil || h.authz == nil {
		klog.ErrorS(nil, "Legacy join listener has no authenticator or authorizer; refusing requests")
		writeFailure(w, http.StatusInternalServerError, "Internal error: authentication is not configured")
		return
	}
	resp, ok, err := h.authn.AuthenticateRequest(h.credentials(req))
	// The delegating authenticator answers system:anonymous for a request without credentials;
	// the plain listener requires a real identity.
	if err != nil || !ok || resp == nil || resp.User == nil || resp.User.GetName() == "" || resp.User.GetName() == user.Anonymous {
		if err != nil {
			klog.V(2).InfoS("Legacy join: authentication failed", "auth", h.mode, "err", err)
		}
		writeFailure(w, http.StatusUnauthorized, unauthorizedMessage(h.mode))
		return
	}
	if hasHeaderPrefix(req.Header, "Impersonate-") {
		writeFailure(w, http.StatusForbidden, neutralMessage(fmt.Sprintf(
			"Forbidden: user %q may not impersonate on this listener", resp.User.GetName())))
		return
	}

	// Pass on a request without credentials or identity headers, like the generic API server does.
	req = req.Clone(req.Context())
	req.Header.Del("Authorization")
	deleteHeaderPrefix(req.Header, "X-Remote-")

	info, err := h.resolver.NewRequestInfo(req)
	if err != nil {
		klog.ErrorS(err, "Legacy join: resolving request info failed", "path", req.URL.Path)
		writeFailure(w, http.StatusInternalServerError, "Internal error: the request could not be resolved")
		return
	}
	ctx := apirequest.WithUser(apirequest.WithRequestInfo(req.Context(), info), resp.User)
	attrs, err := genericapifilters.GetAuthorizerAttributes(ctx)
	if err != nil {
		klog.ErrorS(err, "Legacy join: building authorization attributes failed", "path", req.URL.Path)
		writeFailure(w, http.StatusInternalServerError, "Internal error: the request could not be authorized")
		return
	}
	decision, reason, err := h.authz.Authorize(ctx, attrs)
	switch {
	case decision == authorizer.DecisionAllow:
		h.next.ServeHTTP(w, req.WithContext(ctx))
	case err != nil:
		// As in the generic API server: an authorizer error without an allow is a 500, not a 403.
		klog.ErrorS(err, "Legacy join: authorization failed", "user", resp.User.GetName(), "path", req.URL.Path)
		writeFailure(w, http.StatusInternalServerError, "Internal error: the authorization check failed")
	default:
		klog.V(2).InfoS("Legacy join: forbidden", "user", resp.User.GetName(), "path", req.URL.Path, "reason", reason)
		writeFailure(w, http.StatusForbidden, forbiddenMessage(attrs, reason))
	}
}

// credentials returns the copy of req the mode's authenticator may see.
func (h *plainHandler) credentials(req *http.Request) *http.Request {
	if h.mode == AuthProxyHeaders {
		return proxyHeadersOnly(req)
	}
	return bearerOnly(req)
}

// bearerOnly returns a copy of req for the authenticator whose only header is a Bearer
// Authorization header (when req has exactly one) and which carries no TLS state.
func bearerOnly(req *http.Request) *http.Request {
	out := req.WithContext(req.Context())
	out.Header = http.Header{}
	out.TLS = nil
	out.Body = http.NoBody
	out.ContentLength = 0
	if values := req.Header.Values("Authorization"); len(values) == 1 {
		if scheme, _, found := strings.Cut(values[0], " "); found && strings.EqualFold(scheme, "Bearer") {
			out.Header.Set("Authorization", values[0])
		}
	}
	return out
}

// proxyHeadersOnly returns a copy of req for the authenticator whose only headers are
// X-Remote-User and X-Remote-Group, which keeps the source address and carries no TLS state.
func proxyHeadersOnly(req *http.Request) *http.Request {
	out := req.WithContext(req.Context())
	out.Header = http.Header{}
	out.TLS = nil
	out.Body = http.NoBody
	out.ContentLength = 0
	for _, name := range []string{headerRemoteUser, headerRemoteGroup} {
		for _, v := range req.Header.Values(name) {
			out.Header.Add(name, v)
		}
	}
	return out
}

// hasHeaderPrefix reports whether h has a header whose name starts with prefix, ignoring case.
func hasHeaderPrefix(h http.Header, prefix string) bool {
	for name := range h {
		if len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

// deleteHeaderPrefix deletes every header whose name starts with prefix, ignoring case.
func deleteHeaderPrefix(h http.Header, prefix string) {
	for name := range h {
		if len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
			delete(h, name)
		}
	}
}

// forbiddenMessage mirrors the generic API server's 403 text, made safe for the console.
func forbiddenMessage(attrs authorizer.Attributes, reason string) string {
	who := "anonymous user"
	if u := attrs.GetUser(); u != nil {
		who = fmt.Sprintf("user %q", u.GetName())
	}
	var what string
	if attrs.IsResourceRequest() {
		resource := attrs.GetResource()
		if sub := attrs.GetSubresource(); sub != "" {
			resource += "/" + sub
		}
		what = fmt.Sprintf("%s resource %q in API group %q", attrs.GetVerb(), resource, attrs.GetAPIGroup())
	} else {
		what = fmt.Sprintf("%s path %q", attrs.GetVerb(), attrs.GetPath())
	}
	msg := "Forbidden: " + who + " cannot " + what
	if reason != "" {
		msg += ": " + reason
	}
	return neutralMessage(msg)
}
