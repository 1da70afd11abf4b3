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
	"encoding/json"
	"fmt"
	"time"
)

// edgeNodesPath is the edgenodes collection through kube-apiserver.
const edgeNodesPath = "/apis/" + EdgeWatcherGroup + "/" + EdgeWatcherVersion + "/edgenodes/"

// JoinTokenStatus is a JoinToken's status as the API serves it.
type JoinTokenStatus struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	Source    string    `json:"source"`
}

// JoinCommandStatus is a JoinCommand's status as the API serves it: the command as one shell line and word by word.
type JoinCommandStatus struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

// ReserveEdgeNode reserves an edge node name and IP with `kubectl create`, as an administrator does.
func (cp *ControlPlane) ReserveEdgeNode(ctx context.Context, name, ip string) error {
	manifest := fmt.Sprintf(`{"apiVersion":%q,"kind":"EdgeNode","metadata":{"name":%q},"spec":{"internalIP":%q}}`,
		EdgeWatcherGroup+"/"+EdgeWatcherVersion, name, ip)
	if _, stderr, err := cp.KubectlWith(ctx, KubectlOptions{Stdin: manifest}, "create", "-f", "-"); err != nil {
		return fmt.Errorf("kubectl create edgenode %s: %w: %s", name, err, stderr)
	}
	return nil
}

// JoinToken creates a JoinToken for edge node name with `kubectl create --raw`; spec is its JSON spec, or empty.
func (cp *ControlPlane) JoinToken(ctx context.Context, name, spec string) (JoinTokenStatus, error) {
	body := `{"apiVersion":"` + EdgeWatcherGroup + "/" + EdgeWatcherVersion + `","kind":"JoinToken"`
	if spec != "" {
		body += `,"spec":` + spec
	}
	var jt struct {
		Status JoinTokenStatus `json:"status"`
	}
	err := cp.createRaw(ctx, edgeNodesPath+name+"/jointoken", body+"}", &jt)
	return jt.Status, err
}

// JoinCommand creates a JoinCommand for edge node name and KubeEdge release version with `kubectl create --raw`.
func (cp *ControlPlane) JoinCommand(ctx context.Context, name, version string) (JoinCommandStatus, error) {
	body := fmt.Sprintf(`{"apiVersion":"%s/%s","kind":"JoinCommand","spec":{"kubeEdgeVersion":%q}}`,
		EdgeWatcherGroup, EdgeWatcherVersion, version)
	var jc struct {
		Status JoinCommandStatus `json:"status"`
	}
	err := cp.createRaw(ctx, edgeNodesPath+name+"/joincommand", body, &jc)
	return jc.Status, err
}

// createRaw POSTs body to path with `kubectl create --raw` and decodes the answer into v.
func (cp *ControlPlane) createRaw(ctx context.Context, path, body string, v any) error {
	out, stderr, err := cp.KubectlWith(ctx, KubectlOptions{Stdin: body}, "create", "--raw", path, "-f", "-")
	if err != nil {
		return fmt.Errorf("kubectl create --raw %s: %w: %s", path, err, stderr)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return fmt.Errorf("decoding the answer of %s: %w\n%s", path, err, out)
	}
	return nil
}
