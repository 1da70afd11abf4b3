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

package framework

import (
	"context"
	"net"
	"net/http"

	"k8s.io/client-go/rest"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// commandIn returns the command line that runs bin with args inside ns through `ip netns exec`, which execs bin
// (same pid); with a nil ns it returns bin and args unchanged.
func commandIn(ns *netns.Namespace, bin string, args []string) (string, []string) {
	if ns == nil {
		return bin, args
	}
	return "ip", append([]string{"netns", "exec", ns.Name, bin}, args...)
}

// DialContextIn returns a dial function whose sockets are created inside ns, so they stay bound to it. Addresses
// must be IP literals: a host name could be resolved, and dialed, on another thread outside the namespace.
func DialContextIn(ns *netns.Namespace) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var conn net.Conn
		err := ns.Do(func() error {
			// A negative FallbackDelay keeps the dial on this goroutine (no Happy Eyeballs racers).
			d := net.Dialer{FallbackDelay: -1}
			var err error
			conn, err = d.DialContext(ctx, network, addr)
			return err
		})
		return conn, err
	}
}

// HTTPClientIn returns an HTTP client whose connections are opened inside ns, or http.DefaultClient for a nil ns.
func HTTPClientIn(ns *netns.Namespace) *http.Client {
	if ns == nil {
		return http.DefaultClient
	}
	return &http.Client{Transport: &http.Transport{DialContext: DialContextIn(ns), DisableKeepAlives: true}}
}

// dialingIn makes cfg dial inside ns; a nil ns leaves cfg unchanged.
func dialingIn(cfg *rest.Config, ns *netns.Namespace) *rest.Config {
	if ns != nil {
		cfg.Dial = DialContextIn(ns)
	}
	return cfg
}
