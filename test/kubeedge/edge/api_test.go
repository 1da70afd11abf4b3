package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// basePath is the EdgeWatcher API through kube-apiserver.
const basePath = "/apis/" + framework.EdgeWatcherGroup + "/" + framework.EdgeWatcherVersion + "/edgenodes/"

// reserve reserves an edge node name and IP with kubectl create.
func reserve(t *testing.T, ctx context.Context, cp *framework.ControlPlane, name, ip string) {
	t.Helper()
	manifest := fmt.Sprintf(`{"apiVersion":%q,"kind":"EdgeNode","metadata":{"name":%q},"spec":{"internalIP":%q}}`,
		framework.EdgeWatcherGroup+"/"+framework.EdgeWatcherVersion, name, ip)
	if _, stderr, err := cp.KubectlWithStdin(ctx, manifest, "create", "-f", "-"); err != nil {
		t.Fatalf("kubectl create edgenode %s: %v: %s", name, err, stderr)
	}
}

// joinCommand creates a JoinCommand for the release under test with kubectl create --raw and returns its
// status: the command as one shell line and word by word.
func joinCommand(t *testing.T, ctx context.Context, cp *framework.ControlPlane, name string) (command string, args []string) {
	t.Helper()
	body := fmt.Sprintf(`{"apiVersion":"%s/%s","kind":"JoinCommand","spec":{"kubeEdgeVersion":%q}}`,
		framework.EdgeWatcherGroup, framework.EdgeWatcherVersion, kubeEdgeTag)
	out, stderr, err := cp.KubectlWithStdin(ctx, body, "create", "--raw", basePath+name+"/joincommand", "-f", "-")
	if err != nil {
		t.Fatalf("joincommand for %s: %v: %s", name, err, stderr)
	}
	var jc struct {
		Status struct {
			Command string   `json:"command"`
			Args    []string `json:"args"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &jc); err != nil {
		t.Fatalf("decoding the joincommand answer: %v\n%s", err, out)
	}
	return jc.Status.Command, jc.Status.Args
}
