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
	"strings"
)

// joinVersions are the KubeEdge releases the joincommand clients ask for in turn.
var joinVersions = []string{"v1.12.0", "v1.19.2", "v1.23.1"}

// recurringNames is how many node names each client previews in turn. The server's delegated authorizer
// keeps every distinct SubjectAccessReview (user, verb, resource, name) in an LRU of 8192 entries that only
// eviction shrinks (k8s.io/apiserver's webhook authorizer): a new name on every request would grow it all
// through the run, bounded growth that would look like a leak. With this few names, the warm-up has used them all.
const recurringNames = 4

// joinNode is the node joincommand client i reserves before the load, and its address.
func joinNode(i int) (name, ip string) {
	return fmt.Sprintf("load-join-%02d", i), fmt.Sprintf("203.0.113.%d", 1+i)
}

// dryRunAddress is the k-th address client i previews: a different one each time, in 198.18.0.0/15, which no
// Node or reservation uses.
func dryRunAddress(i, k int) string {
	n := (k*joinClients + i) % (1 << 17)
	return fmt.Sprintf("198.%d.%d.%d", 18+n>>16, n>>8&0xff, n&0xff)
}

// joinCommandRequest is POST edgenodes/<name>/joincommand through kube-apiserver with spec; query may add dryRun.
func joinCommandRequest(name, query string, spec map[string]any) *http.Request {
	body, _ := json.Marshal(map[string]any{"apiVersion": "kubeedge.kubesphere.io/v1alpha1", "kind": "JoinCommand", "spec": spec})
	req := mustRequest(http.MethodPost, cp.URL+edgeNodesPath+"/"+name+"/joincommand"+query, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return req
}

// checkJoinCommand accepts a JoinCommand whose command is a keadm join for address ip.
func checkJoinCommand(ip string) func(io.Reader) error {
	return func(r io.Reader) error {
		var jc struct {
			Status struct {
				Command    string `json:"command"`
				InternalIP string `json:"internalIP"`
			} `json:"status"`
		}
		if err := json.NewDecoder(r).Decode(&jc); err != nil {
			return err
		}
		if !strings.Contains(jc.Status.Command, "keadm join") || jc.Status.InternalIP != ip {
			return fmt.Errorf("internalIP %q (want %q), command %.80q", jc.Status.InternalIP, ip, jc.Status.Command)
		}
		return nil
	}
}

// joinClient is joincommand client i until ctx ends. It alternates between the command of the node it
// reserved (answered from caches, nothing written) and a dry run for another node at a new address (every
// name and address check, nothing written), so that every request should succeed and none changes state.
func joinClient(ctx context.Context, c *http.Client, s *routeStats, i int) {
	name, ip := joinNode(i)
	for k := 0; ctx.Err() == nil; k++ {
		req, want := joinCommandRequest(name, "", map[string]any{"kubeEdgeVersion": joinVersions[k/2%len(joinVersions)]}), ip
		if k%2 == 1 {
			want = dryRunAddress(i, k)
			req = joinCommandRequest(fmt.Sprintf("load-dry-%02d-%d", i, k/2%recurringNames), "?dryRun=All", map[string]any{"internalIP": want})
		}
		s.do(ctx, c, req, checkJoinCommand(want))
	}
}
