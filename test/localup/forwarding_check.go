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
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// check fetches every edge URL from inside the control-plane host's namespace, as the banner's curl does, and
// requires the stand-in to answer; the syncer was ready, so its rules are in place.
func (d *forwardingDemo) check(ctx context.Context) error {
	client := netnsClient(d.cpNS)
	defer client.CloseIdleConnections()
	for i, e := range d.info.edges {
		var last string
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, body, err := httpGet(ctx, client, e.url)
			if err == nil && code == http.StatusOK && strings.HasPrefix(body, standInGreeting) {
				d.info.edges[i].answer = strings.TrimSpace(body)
				break
			}
			last = fmt.Sprintf("%d %q %v", code, body, err)
			if ctx.Err() != nil || time.Now().After(deadline) {
				return fmt.Errorf("GET %s (edge node %s) inside %s did not reach the stand-in: %s", e.url, e.node, d.cpNS.Name, last)
			}
			time.Sleep(200 * time.Millisecond)
		}
		logf("forwarding works: %s answered %q", e.url, d.info.edges[i].answer)
	}
	return nil
}

// netnsClient returns an HTTP client whose connections are dialled inside ns.
func netnsClient(ns *netns.Namespace) *http.Client {
	return &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				var c net.Conn
				err := ns.Do(func() error {
					d := net.Dialer{FallbackDelay: -1} // no Happy Eyeballs racers on other threads
					var err error
					c, err = d.DialContext(ctx, network, addr)
					return err
				})
				return c, err
			},
		},
	}
}
