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
	"path/filepath"
	"strings"
	"testing"
)

func TestKubectlDiscoversThePlugin(t *testing.T) {
	r := kubectlOK(t, "plugin", "list")
	if !strings.Contains(r.stdout, filepath.Join(pluginDir, "kubectl-edgenode")+"\n") {
		t.Fatalf("kubectl plugin list:\n%s\n%s", r.stdout, r.stderr)
	}
	r = kubectlOK(t, "plugin", "list", "--name-only")
	if !strings.Contains(r.stdout, "kubectl-edgenode\n") {
		t.Fatalf("kubectl plugin list --name-only:\n%s", r.stdout)
	}
}

func TestPluginHelpAndVersionThroughKubectl(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"edgenode", "--help"}, []string{"kubectl edgenode [command]", "join", "list", "token", "release", "version", "--kubeconfig", "--context"}},
		{[]string{"edgenode", "join", "--help"}, []string{"kubectl edgenode join NAME", "--ip", "--kubeedge-version", "--label", "--taint", "--token-ttl", "--strict", "-o, --output"}},
		{[]string{"edgenode", "list", "--help"}, []string{"kubectl edgenode list", "-l, --selector", "wide"}},
		{[]string{"edgenode", "token", "--help"}, []string{"kubectl edgenode token NAME", "--ttl"}},
		{[]string{"edgenode", "release", "--help"}, []string{"kubectl edgenode release NAME..."}},
		{[]string{"edgenode", "version"}, []string{"kubectl-edgenode "}},
	} {
		r := kubectlOK(t, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("kubectl %s lacks %q:\n%s", strings.Join(tc.args, " "), w, r.stdout)
			}
		}
	}
	kubectlFails(t, []string{"edgenode", "join"}, "error: NAME is required", "See 'kubectl edgenode join -h'")
	kubectlFails(t, []string{"edgenode", "frobnicate"}, `unknown command "frobnicate" for "kubectl edgenode"`)
}
