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

package e2e

import (
	"context"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// kapisJoinPath is KubeSphere 4.1's console route, which its extension APIService proxy forwards whole.
const kapisJoinPath = "/kapis/kubeedge.kubesphere.io/v1beta1/nodes/join"

// TestConsole41FlowWithoutAddress replays KubeSphere 4.1's wizard, whose form has no IP field, on the plain
// listener of a server without --edge-ip-pool: the name alone is reserved, the command leaves the address to
// edgecore, kubectl shows the reservation without one, and the 3.x route still requires an address.
func TestConsole41FlowWithoutAddress(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	_, addr := secondReplica(t)
	admin := serviceAccountToken(t, ctx, "console41-admin", "edgewatcher-admin")
	viewer := serviceAccountToken(t, ctx, "console41-viewer", "edgewatcher-viewer")

	// The name field's validator: name problems are reported, as there is no IP to check first.
	code, _, body := consoleGetPath(t, addr, kapisJoinPath, admin, "node_name=Bad_Name")
	if r := decodeConsole(t, body); code != 400 || !strings.Contains(r.Message, "name") || strings.Contains(r.Message, "IP") {
		t.Fatalf("invalid name: %d %s", code, body)
	}
	code, _, body = consoleGetPath(t, addr, kapisJoinPath, admin, "node_name=ks41-a")
	if code != 200 || decodeConsole(t, body).Status != "Succeeded" {
		t.Fatalf("validator call: %d %s", code, body)
	}
	if _, _, err := cp.Kubectl(ctx, "get", "edgenode", "ks41-a"); err == nil {
		t.Fatal("a validator call reserved the node")
	}
	code, ctype, body := consoleGetPath(t, addr, kapisJoinPath, admin, "node_name=ks41-a&add_default_taint=true")
	r := decodeConsole(t, body)
	if code != 200 || r.Status != "Succeeded" || !strings.Contains(ctype, "json") || strings.Contains(body, `\u0026`) ||
		!strings.Contains(r.Data, "--edgenode-name=ks41-a") || strings.Contains(r.Data, "nodeIP") {
		t.Fatalf("validate: %d %s %s", code, ctype, body)
	}
	if _, err := syntax.NewParser().Parse(strings.NewReader(r.Data), ""); err != nil {
		t.Fatalf("command does not parse: %v", err)
	}
	got := kubectl(t, ctx, "get", "edgenode", "ks41-a", "-o", "jsonpath={.status.phase}|{.spec.internalIP}|{.spec.taints[0].key}")
	if got != "Pending||node-role.kubernetes.io/edge" {
		t.Fatalf("reservation: %q", got)
	}
	if table := kubectl(t, ctx, "get", "edgenode", "ks41-a", "--no-headers"); !strings.Contains(table, "<none>") {
		t.Errorf("kubectl get shows an address for a name-only reservation: %q", table)
	}

	// The same call through the 3.x route needs an address.
	code, _, body = consoleGet(t, addr, admin, "node_name=ks41-b&add_default_taint=true")
	if r := decodeConsole(t, body); code != 400 || !strings.Contains(r.Message, "IP") {
		t.Fatalf("3.x without an address: %d %s", code, body)
	}
	// Optional parameters: a release newer than cloudcore is a 400 that names neither field.
	code, _, body = consoleGetPath(t, addr, kapisJoinPath, admin, "node_name=ks41-c&version=v1.23.9&runtime=podman")
	if r := decodeConsole(t, body); code != 400 || strings.Contains(r.Message, "name") || strings.Contains(r.Message, "IP") ||
		!strings.Contains(r.Message, "runtime") {
		t.Fatalf("bad runtime: %d %s", code, body)
	}
	// The route is protected like the 3.x one.
	for token, want := range map[string]int{"": 401, viewer: 403} {
		code, _, body := consoleGetPath(t, addr, kapisJoinPath, token, "node_name=ks41-d&add_default_taint=true")
		if r := decodeConsole(t, body); code != want || r.Data != "" {
			t.Errorf("token %q: %d %s", token, code, body)
		}
	}
}
