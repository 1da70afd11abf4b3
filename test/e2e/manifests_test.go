package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The kustomize base applies to a real kube-apiserver with server-side validation: every
// object is schema-valid, references resolve, and field validation is strict.
func TestKustomizeBaseAppliesWithServerSideValidation(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	dir := filepath.Join("..", "..", "artifacts", "deploy")
	out := kubectl(t, ctx, "apply", "-k", dir, "--dry-run=server", "--validate=strict")
	for _, want := range []string{
		"deployment.apps/edgewatcher-apiserver", "service/edge-watcher", "poddisruptionbudget.policy/edgewatcher-apiserver",
		"networkpolicy.networking.k8s.io/edgewatcher-apiserver", "clusterrole.rbac.authorization.k8s.io/edgewatcher-viewer",
		"clusterrole.rbac.authorization.k8s.io/edgewatcher-admin", "role.rbac.authorization.k8s.io/edgewatcher-apiserver",
		"daemonset.apps/edgewatcher-syncer", "clusterrole.rbac.authorization.k8s.io/edgewatcher-syncer",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("apply -k output lacks %s:\n%s", want, out)
		}
	}
}
