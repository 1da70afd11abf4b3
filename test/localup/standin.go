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

package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// streamPort is where the stand-in listens: cloudcore's stream port, the syncer's default --stream-port.
const streamPort = cloudcore.DefaultStreamPort

// standInGreeting starts every answer of the stand-in.
const standInGreeting = "cloudcore stand-in"

// standIn is a plain-HTTP server in a namespace standing in for cloudcore's stream server (TLS in reality).
type standIn struct {
	srv *http.Server
}

// startStandIn listens on every address inside ns and answers every request with one line naming itself (the
// address it was reached on), the Host header (the edge node's IP:port, which cloudcore uses to pick the
// node's tunnel) and the path.
func startStandIn(ns *netns.Namespace, addrs []netip.AddrPort) (*standIn, error) {
	var listeners []net.Listener
	err := ns.Do(func() error {
		for _, ap := range addrs {
			l, err := net.Listen("tcp", ap.String())
			if err != nil {
				return err
			}
			listeners = append(listeners, l)
		}
		return nil
	})
	if err != nil {
		for _, l := range listeners {
			_ = l.Close()
		}
		return nil, fmt.Errorf("cloudcore stand-in in %s: %w", ns.Name, err)
	}
	s := &standIn{srv: &http.Server{Handler: standInHandler(ns.Name), ReadHeaderTimeout: 5 * time.Second}}
	for _, l := range listeners {
		go func() {
			if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logf("cloudcore stand-in on %s: %v", l.Addr(), err)
			}
		}()
	}
	return s, nil
}

// standInHandler answers like the stand-ins of test/e2e/syncer, adding the address and namespace.
func standInHandler(netnsName string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		_, _ = fmt.Fprintf(w, "%s %v in netns %s: host=%s path=%s\n", standInGreeting, local, netnsName, r.Host, r.URL.Path)
	})
}

// close stops the server and its listeners.
func (s *standIn) close() error {
	return s.srv.Close()
}
