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
	"net/netip"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/group"
	"k8s.io/apiserver/pkg/authentication/request/headerrequest"
	"k8s.io/klog/v2"
)

// The identity headers ks-apiserver 4.1's extension proxy sets for the user it authenticated
// (kubesphere/kubesphere@release-4.1: pkg/apiserver/filters/apiservice.go, through
// k8s.io/client-go/transport.NewAuthProxyRoundTripper).
const (
	headerRemoteUser  = "X-Remote-User"
	headerRemoteGroup = "X-Remote-Group"
)

// NewProxyHeaderAuthenticator returns the authenticator of AuthProxyHeaders: a request whose
// source address is in trusted is the user named by X-Remote-User, in the groups of X-Remote-Group
// and system:authenticated (as the delegated authenticator adds it); any other request is not
// authenticated. Nothing proves the headers came from the proxy but the
// source address, so the listener must be reachable from the proxy alone.
func NewProxyHeaderAuthenticator(trusted []netip.Prefix) (authenticator.Request, error) {
	headers, err := headerrequest.New([]string{headerRemoteUser}, nil, []string{headerRemoteGroup}, nil)
	if err != nil {
		return nil, fmt.Errorf("proxy header authenticator: %w", err)
	}
	return group.NewAuthenticatedGroupAdder(&proxyHeaderAuthenticator{headers: headers, trusted: trusted}), nil
}

// proxyHeaderAuthenticator authenticates X-Remote-* headers from trusted source networks.
type proxyHeaderAuthenticator struct {
	headers authenticator.Request
	trusted []netip.Prefix
}

var _ authenticator.Request = &proxyHeaderAuthenticator{}

// AuthenticateRequest implements authenticator.Request.
func (a *proxyHeaderAuthenticator) AuthenticateRequest(req *http.Request) (*authenticator.Response, bool, error) {
	source, err := netip.ParseAddrPort(req.RemoteAddr)
	if err != nil {
		return nil, false, fmt.Errorf("source address %q: %w", req.RemoteAddr, err)
	}
	if !a.isTrusted(source.Addr().Unmap()) {
		if req.Header.Get(headerRemoteUser) != "" {
			klog.V(2).InfoS("Legacy join: ignoring X-Remote-User from an untrusted source", "source", source.Addr())
		}
		return nil, false, nil
	}
	return a.headers.AuthenticateRequest(req)
}

// isTrusted reports whether addr is in one of the trusted networks.
func (a *proxyHeaderAuthenticator) isTrusted(addr netip.Addr) bool {
	for _, p := range a.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
