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
	"io"
	"net/http"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
)

// Clients per route: 200 in all.
const (
	joinClients    = 65
	consoleClients = 65
	// listClients is the smallest group: each list is 1 MB, so their latency is their number over the list
	// throughput (it must stay well under kube-apiserver's 60 s request timeout on a busy machine), and
	// the server's heap peaks with the lists it encodes at once.
	listClients  = 10
	watchClients = 60
)

// fixture is the seeded cluster and the users the clients act as.
type fixture struct {
	ids   *identities
	bulk  kubernetes.Interface
	churn churn
}

// newFixture seeds the Nodes, binds the users, and makes the reservations the clients reuse: one per
// joincommand client (one call from nothing to a command) and one per console client (the wizard's Validate).
func newFixture(t *testing.T, ctx context.Context) *fixture {
	t.Helper()
	start := time.Now()
	bulk, err := bulkClient()
	if err != nil {
		t.Fatal(err)
	}
	if err := seedNodes(ctx, bulk); err != nil {
		t.Fatalf("seeding Nodes: %v", err)
	}
	ids, err := createIdentities(ctx)
	if err != nil {
		t.Fatalf("creating the users: %v", err)
	}
	viewer := newClient(ids.viewer)
	defer viewer.CloseIdleConnections()
	// Wait until RBAC lets the viewer in and the server's view holds every edge node.
	expectEventually(t, ctx, viewer, func() *http.Request { return mustRequest(http.MethodGet, cp.URL+edgeNodesPath, nil) }, checkList(exactly(edgeNodes)))

	joiner := newClient(ids.joiner)
	defer joiner.CloseIdleConnections()
	for i := range joinClients {
		name, ip := joinNode(i)
		expectEventually(t, ctx, joiner, func() *http.Request {
			return joinCommandRequest(name, "", map[string]any{"internalIP": ip, "labels": map[string]string{"load": "true"}})
		}, checkJoinCommand(ip))
	}
	console := newClient(nil)
	defer console.CloseIdleConnections()
	for i := range consoleClients {
		name, ip := consoleNode(i)
		token := ids.consoleTokens[i%consoleUsers]
		expectEventually(t, ctx, console, func() *http.Request { return consoleRequest(token, name, ip, "true") }, checkConsole(name))
	}
	// Every reservation is in the view before the load starts, so every list has a known size.
	expectEventually(t, ctx, viewer, func() *http.Request { return mustRequest(http.MethodGet, cp.URL+edgeNodesPath, nil) },
		checkList(exactly(edgeNodes+joinClients+consoleClients)))
	// Churn replaces the cached objects of the Nodes it changes, and the watch history keeps the replaced
	// ones: one change of every edge node brings both to the size they keep, before the first memory sample.
	f := &fixture{ids: ids, bulk: bulk}
	if err := f.churn.burst(ctx, bulk, edgeNodes); err != nil {
		t.Fatalf("changing every edge node once: %v", err)
	}
	t.Logf("seeded %d edge and %d cloud Nodes, %d console users, %d reservations and %d Node status changes in %s",
		edgeNodes, cloudNodes, consoleUsers, joinClients+consoleClients, edgeNodes, time.Since(start).Round(time.Millisecond))
	return f
}

// expectEventually sends newReq until a 2xx answer passes check, for up to 20 s (RBAC and caches catch up).
func expectEventually(t *testing.T, ctx context.Context, c *http.Client, newReq func() *http.Request, check func(io.Reader) error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := newRouteStats("setup", 1)
		if s.do(ctx, c, newReq(), check) {
			return
		}
		r := s.result(time.Second)
		if time.Now().After(deadline) {
			t.Fatalf("setup request %s %s: %v", newReq().Method, newReq().URL, r.failures)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
