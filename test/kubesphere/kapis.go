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

package kubesphere

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/transport"
	"k8s.io/klog/v2"
)

// API groups of the generic proxies.
const (
	// KubeEdgeGroup is the group of kubeedge.endpoint (3.1 to 3.4) and of the 4.1 APIService.
	KubeEdgeGroup = "kubeedge.kubesphere.io"
	// EdgeRuntimeGroup is the group of edgeruntime.endpoint (3.3 and 3.4).
	EdgeRuntimeGroup = "edgeruntime.kubesphere.io"
)

// serveKAPI authenticates the user, strips the host cluster's /clusters/<name>, and hands the
// request to the APIService or generic proxy of its group.
func (s *Server) serveKAPI(w http.ResponseWriter, req *http.Request) {
	u, err := s.authenticateRequest(req)
	if err != nil {
		writeStatus(w, http.StatusUnauthorized, metav1.StatusReasonUnauthorized, err.Error())
		return
	}
	parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/kapis/"), "/")
	if len(parts) >= 2 && parts[0] == "clusters" {
		if parts[1] != HostCluster {
			writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, "cluster "+parts[1]+" not found")
			return
		}
		req = req.Clone(req.Context())
		req.URL.Path = strings.Replace(req.URL.Path, "/clusters/"+HostCluster, "", 1)
		req.URL.RawPath = ""
		parts = parts[2:]
	}
	if len(parts) < 2 {
		http.NotFound(w, req)
		return
	}
	group, version := parts[0], parts[1]
	for _, as := range s.opts.APIServices {
		if as.Group == group && as.Version == version {
			s.count(group)
			s.extensionProxy(w, req, as, u)
			return
		}
	}
	var endpoint string
	switch group {
	case KubeEdgeGroup:
		endpoint = s.opts.KubeEdgeEndpoint
	case EdgeRuntimeGroup:
		endpoint = s.opts.EdgeRuntimeEndpoint
	}
	if endpoint == "" {
		http.NotFound(w, req)
		return
	}
	s.count(group)
	s.genericProxy(w, req, group, endpoint)
}

// genericProxy forwards as KubeSphere 3.x's genericProxy does: the path loses /kapis/<group> and
// gains the endpoint's path, the raw query and every header (the user's Authorization too) pass
// unchanged, and a transport error is only logged, so that the client gets an empty 200.
func (s *Server) genericProxy(w http.ResponseWriter, req *http.Request, group, endpoint string) {
	ep, err := url.Parse(endpoint)
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, metav1.StatusReasonInternalError, err.Error())
		return
	}
	u := *req.URL
	u.Scheme, u.Host = ep.Scheme, ep.Host
	u.Path = strings.Replace(req.URL.Path, "/kapis/"+group, "", 1)
	u.RawPath = ""
	if p := strings.Trim(ep.Path, "/"); p != "" {
		u.Path = "/" + p + u.Path
	}
	s.forward(w, req, &u, s.transport)
}

// extensionProxy forwards as KubeSphere 4.1's apiService filter does: the full path, the query
// re-encoded, every header cloned (the user's Authorization too), and X-Remote-User and
// X-Remote-Group set for the authenticated user in place of any the client sent (release-4.1
// vendors a client-go without the UID header).
func (s *Server) extensionProxy(w http.ResponseWriter, req *http.Request, as APIService, u User) {
	ep, err := url.Parse(as.URL)
	if err != nil {
		writeStatus(w, http.StatusServiceUnavailable, metav1.StatusReasonServiceUnavailable, "apiService is not available")
		return
	}
	location := &url.URL{Scheme: ep.Scheme, Host: ep.Host, Path: req.URL.Path, RawQuery: req.URL.Query().Encode()}
	groups := append(append([]string(nil), u.Groups...), "system:authenticated")
	s.forward(w, req, location, transport.NewAuthProxyRoundTripper(u.Name, "", groups, nil, s.transport))
}

// forward sends req to location through rt with its headers and answers with the backend's
// status, headers and body. ks-apiserver does this with k8s.io/apimachinery's
// UpgradeAwareHandler, whose error responder there only logs: a transport error leaves the
// client an empty 200.
func (s *Server) forward(w http.ResponseWriter, req *http.Request, location *url.URL, rt http.RoundTripper) {
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = location
			pr.Out.Host = location.Host
		},
		Transport: rt,
		ErrorHandler: func(_ http.ResponseWriter, r *http.Request, err error) {
			klog.ErrorS(err, "ks-apiserver stand-in: proxying failed", "path", r.URL.Path)
		},
	}
	rp.ServeHTTP(w, req)
}
