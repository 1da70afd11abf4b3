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

package plugin

import (
	"strings"
	"testing"
)

func TestKubeconfigFlagAfterThePluginName(t *testing.T) {
	// No $KUBECONFIG: kubectl hands every word after "edgenode" to the plugin, which reads --kubeconfig itself.
	r := kubectlRun(t, nil, "edgenode", "join", "e2e-p4", "--ip", "203.0.113.64", "--kubeconfig="+cp.AdminKubeconfig)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	t.Cleanup(func() { kubectlRun(t, asAdmin(), "edgenode", "release", "e2e-p4") })
	r = kubectlRun(t, nil, "edgenode", "list", "--kubeconfig", cp.AdminKubeconfig)
	if r.code != 0 || !strings.Contains(r.stdout, "e2e-p4") {
		t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	// Without any kubeconfig the plugin reports it, as kubectl does, and exits non-zero.
	if r := kubectlRun(t, nil, "edgenode", "list"); r.code != 1 || !strings.HasPrefix(r.stderr, "error: ") {
		t.Fatalf("without kubeconfig: exit %d, %q", r.code, r.stderr)
	}
}

func TestUserWithoutRightsIsForbidden(t *testing.T) {
	kubeconfig, err := cp.KubeconfigFor("e2e-p-nobody")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"edgenode", "join", "e2e-p5", "--ip", "203.0.113.65"},
		{"edgenode", "token", "e2e-p5"},
		{"edgenode", "list"},
	} {
		r := kubectlRun(t, []string{"KUBECONFIG=" + kubeconfig}, args...)
		if r.code != 1 || !strings.HasPrefix(r.stderr, "Error from server (Forbidden): ") || !strings.Contains(r.stderr, `User "e2e-p-nobody" cannot`) || r.stdout != "" {
			t.Errorf("kubectl %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
}

func TestJoinDryRunReservesNothing(t *testing.T) {
	r := kubectlOK(t, "edgenode", "join", "e2e-p6", "--ip", "203.0.113.66", "--dry-run")
	if !strings.HasPrefix(r.stdout, "keadm join ") || !strings.HasPrefix(r.stderr, "Server dry run: nothing was reserved.\n") {
		t.Fatalf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
	kubectlFails(t, []string{"get", "edgenode", "e2e-p6"}, "NotFound")
}
