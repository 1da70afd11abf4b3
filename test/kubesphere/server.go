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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// User is a KubeSphere account the stand-in knows.
type User struct {
	// Name is the user name, the TokenReview's username.
	Name string
	// UID is the TokenReview's uid.
	UID string
	// Groups are the user's KubeSphere groups, sent by the 4.1 proxy with system:authenticated.
	Groups []string
}

// APIService is a KubeSphere 4.1 extension APIService (extensions.kubesphere.io/v1alpha1) with
// spec.url set.
type APIService struct {
	// Group and Version select the requests /kapis/<group>/<version>/... it receives.
	Group, Version string
	// URL is spec.url, the backend's scheme://host:port; the request path is kept in full.
	URL string
}

// Options configures Start. Each of the three proxies is off while its field is empty.
type Options struct {
	// Issuer signs and verifies the tokens; nil means a new Issuer. Stand-ins that share an Issuer
	// accept each other's tokens, like the replicas of one ks-apiserver.
	Issuer *Issuer
	// Users are the accounts the stand-in knows.
	Users []User
	// KubeEdgeEndpoint is kubesphere-config's kubeedge.endpoint (KubeSphere 3.1 and 3.2; deprecated
	// in 3.3 and 3.4), such as http://127.0.0.1:8081/api/, behind /kapis/kubeedge.kubesphere.io.
	KubeEdgeEndpoint string
	// EdgeRuntimeEndpoint is edgeruntime.endpoint (KubeSphere 3.3 and 3.4), behind
	// /kapis/edgeruntime.kubesphere.io.
	EdgeRuntimeEndpoint string
	// APIServices are the extension APIServices (KubeSphere 4.1); they take precedence over the
	// generic proxies for their group and version, as the filter runs before the routes.
	APIServices []APIService
	// ProxySourceIP is the loopback address, such as 127.0.0.2, the proxies dial the backend from,
	// so that a backend can tell the proxy from other local clients. Empty means the default.
	ProxySourceIP string
}

// HostCluster is the name of the cluster in /kapis/clusters/<name>/... that the stand-in serves
// itself; other cluster names are not found.
const HostCluster = "host"

// Server is a running stand-in for ks-apiserver on 127.0.0.1.
type Server struct {
	// URL is http://127.0.0.1:<port>.
	URL string
	// Issuer signs the tokens the server accepts.
	Issuer *Issuer

	opts      Options
	users     map[string]User
	transport *http.Transport
	srv       *http.Server

	mu    sync.Mutex
	calls map[string]int
}

// Start listens on a free 127.0.0.1 port and serves until Close.
func Start(opts Options) (*Server, error) {
	s := &Server{opts: opts, Issuer: opts.Issuer, users: map[string]User{}, calls: map[string]int{}}
	if s.Issuer == nil {
		var err error
		if s.Issuer, err = NewIssuer(); err != nil {
			return nil, err
		}
	}
	for _, u := range opts.Users {
		s.users[u.Name] = u
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if opts.ProxySourceIP != "" {
		ip := net.ParseIP(opts.ProxySourceIP)
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("proxy source %q is not a loopback address", opts.ProxySourceIP)
		}
		dialer.LocalAddr = &net.TCPAddr{IP: ip}
	}
	s.transport = &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 10, IdleConnTimeout: 30 * time.Second}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("ks-apiserver stand-in: %w", err)
	}
	s.URL = "http://" + l.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.transport.CloseIdleConnections()
	return s.srv.Shutdown(ctx)
}

// Token returns an access token for the user name that is valid for an hour.
func (s *Server) Token(name string) string {
	return s.Issuer.Issue(name, time.Hour)
}

// WebhookURL is the URL of the TokenReview webhook.
func (s *Server) WebhookURL() string {
	return s.URL + WebhookPath
}

// Calls returns how many requests reached WebhookPath, or the proxy of a group ("kubeedge.kubesphere.io").
func (s *Server) Calls(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[key]
}

// count records a request for Calls.
func (s *Server) count(key string) {
	s.mu.Lock()
	s.calls[key]++
	s.mu.Unlock()
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch {
	case req.URL.Path == WebhookPath:
		s.serveTokenReview(w, req)
	case strings.HasPrefix(req.URL.Path, "/kapis/"):
		s.serveKAPI(w, req)
	default:
		http.NotFound(w, req)
	}
}

// errUnknownUser is the answer for a well-signed token of a user the stand-in does not know.
var errUnknownUser = errors.New("user not found")

// authenticateToken returns the user a token was issued to.
func (s *Server) authenticateToken(token string) (User, error) {
	name, err := s.Issuer.Verify(token)
	if err != nil {
		return User{}, err
	}
	u, ok := s.users[name]
	if !ok {
		return User{}, errUnknownUser
	}
	return u, nil
}

// authenticateRequest returns the user of the request's bearer token.
func (s *Server) authenticateRequest(req *http.Request) (User, error) {
	scheme, token, found := strings.Cut(req.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return User{}, errors.New("the request cannot be authenticated")
	}
	return s.authenticateToken(token)
}

// writeStatus writes a Kubernetes Status, as ks-apiserver's filters answer.
func writeStatus(w http.ResponseWriter, code int, reason metav1.StatusReason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Message: msg, Reason: reason, Code: int32(code),
	})
}
