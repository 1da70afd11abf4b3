package cloudcore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// basePath is the EdgeWatcher API through kube-apiserver.
const basePath = "/apis/" + framework.EdgeWatcherGroup + "/" + framework.EdgeWatcherVersion + "/edgenodes/"

// tokenStatus is a JoinToken's status.
type tokenStatus struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	Source    string    `json:"source"`
}

// commandStatus is a JoinCommand's status.
type commandStatus struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

// reserve reserves an edge node name and IP with kubectl create.
func reserve(t *testing.T, ctx context.Context, cp *framework.ControlPlane, name, ip string) {
	t.Helper()
	manifest := fmt.Sprintf(`{"apiVersion":%q,"kind":"EdgeNode","metadata":{"name":%q},"spec":{"internalIP":%q}}`,
		framework.EdgeWatcherGroup+"/"+framework.EdgeWatcherVersion, name, ip)
	if _, stderr, err := cp.KubectlWithStdin(ctx, manifest, "create", "-f", "-"); err != nil {
		t.Fatalf("kubectl create edgenode %s: %v: %s", name, err, stderr)
	}
}

// joinToken creates a JoinToken for name with kubectl create --raw; spec is its JSON spec, or empty.
func joinToken(t *testing.T, ctx context.Context, cp *framework.ControlPlane, name, spec string) tokenStatus {
	t.Helper()
	body := `{"apiVersion":"` + framework.EdgeWatcherGroup + "/" + framework.EdgeWatcherVersion + `","kind":"JoinToken"`
	if spec != "" {
		body += `,"spec":` + spec
	}
	out, stderr, err := cp.KubectlWithStdin(ctx, body+"}", "create", "--raw", basePath+name+"/jointoken", "-f", "-")
	if err != nil {
		t.Fatalf("jointoken for %s: %v: %s", name, err, stderr)
	}
	var jt struct {
		Status tokenStatus `json:"status"`
	}
	decode(t, out, &jt)
	return jt.Status
}

// joinCommand creates a JoinCommand for the release under test with kubectl create --raw.
func joinCommand(t *testing.T, ctx context.Context, cp *framework.ControlPlane, name string) commandStatus {
	t.Helper()
	body := fmt.Sprintf(`{"apiVersion":"%s/%s","kind":"JoinCommand","spec":{"kubeEdgeVersion":%q}}`,
		framework.EdgeWatcherGroup, framework.EdgeWatcherVersion, framework.KubeEdgeCoreTag)
	out, stderr, err := cp.KubectlWithStdin(ctx, body, "create", "--raw", basePath+name+"/joincommand", "-f", "-")
	if err != nil {
		t.Fatalf("joincommand for %s: %v: %s", name, err, stderr)
	}
	var jc struct {
		Status commandStatus `json:"status"`
	}
	decode(t, out, &jc)
	return jc.Status
}
