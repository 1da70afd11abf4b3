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

package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// consoleNode is the node console client i reserves with the wizard's Validate button before the load.
func consoleNode(i int) (name, ip string) {
	return fmt.Sprintf("load-console-%02d", i), fmt.Sprintf("203.0.113.%d", 101+i)
}

// wizardAddress is the address client i types into its k-th wizard: a different one each time, in
// 100.64.0.0/10, which no Node or reservation uses.
func wizardAddress(i, k int) string {
	n := (k*consoleClients + i) % (1 << 22)
	return fmt.Sprintf("100.%d.%d.%d", 64+n>>16, n>>8&0xff, n&0xff)
}

// consoleRequest is the console's GET on the plain-HTTP listener with a forwarded bearer token, as
// ks-apiserver's generic proxy sends it; taint is "" for the field validators, which send no add_default_taint.
func consoleRequest(token, name, ip, taint string) *http.Request {
	q := url.Values{"node_name": {name}, "node_ip": {ip}}
	if taint != "" {
		q.Set("add_default_taint", taint)
	}
	req := mustRequest(http.MethodGet, "http://"+consoleAddr+consolePath+"?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// checkConsole accepts the console's success reply for node name.
func checkConsole(name string) func(io.Reader) error {
	return func(r io.Reader) error {
		var reply struct {
			Code   int    `json:"code"`
			Status string `json:"status"`
			Data   string `json:"data"`
		}
		if err := json.NewDecoder(r).Decode(&reply); err != nil {
			return err
		}
		if reply.Code != http.StatusOK || reply.Status != "Succeeded" || !strings.Contains(reply.Data, `/keadm/keadm join `) ||
			!strings.Contains(reply.Data, "--edgenode-name="+name) {
			return fmt.Errorf("code %d status %q data %.80q", reply.Code, reply.Status, reply.Data)
		}
		return nil
	}
}

// reserveEvery is how often, in wizard rounds, a console client adds a new node: Validate reserves it and
// the user clicks Validate again at once (a retry, which must reuse the reservation even before the
// server's caches have seen it); the next such round releases it, so reservations come and go.
const reserveEvery = 10

// newConsoleNode is the j-th new node console client i reserves: two names and addresses in turn, in
// 172.16.0.0/16, which no Node or other reservation uses.
func newConsoleNode(i, j int) (name, ip string) {
	return fmt.Sprintf("load-new-%02d-%d", i, j%2), fmt.Sprintf("172.16.%d.%d", i, 1+j%2)
}

// releaseRequest is DELETE edgenodes/<name> through kube-apiserver with a bearer token.
func releaseRequest(token, name string) *http.Request {
	req := mustRequest(http.MethodDelete, cp.URL+edgeNodesPath+"/"+name, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	return req
}

// checkReleased accepts the answer to a release.
func checkReleased(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

// consoleClient is console client i until ctx ends, in rounds of what the Add Edge Node wizard sends: the
// name and IP validators for a node at a new address (checks only), then Validate for the node the client
// reserved before the load (the same user retrying, which reuses the reservation, nothing written). Every
// reserveEvery rounds, Validate instead reserves a new node twice over (see reserveEvery) after releasing
// the previous one through kube-apiserver, recorded on rel. It returns the node it may still hold, or "".
func consoleClient(ctx context.Context, plain, api *http.Client, s, rel *routeStats, i int, token string) (held string) {
	node, nodeIP := consoleNode(i)
	for k := 0; ctx.Err() == nil; k++ {
		name, ip := fmt.Sprintf("load-wizard-%02d-%d", i, k%recurringNames), wizardAddress(i, k)
		for range 2 {
			s.do(ctx, plain, consoleRequest(token, name, ip, ""), checkConsole(name))
		}
		if k%reserveEvery != reserveEvery-1 {
			s.do(ctx, plain, consoleRequest(token, node, nodeIP, "true"), checkConsole(node))
			continue
		}
		if held != "" && rel.do(ctx, api, releaseRequest(token, held), checkReleased) {
			held = ""
		}
		if held != "" {
			continue
		}
		// Held from the first attempt: a request cut off when ctx ends may still have reserved it.
		name, ip = newConsoleNode(i, k/reserveEvery)
		held = name
		if s.do(ctx, plain, consoleRequest(token, name, ip, "true"), checkConsole(name)) {
			s.do(ctx, plain, consoleRequest(token, name, ip, "true"), checkConsole(name))
		}
	}
	return held
}
