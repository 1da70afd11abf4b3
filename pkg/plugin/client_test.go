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
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// twoContexts writes a kubeconfig whose current context points at a closed port and whose "live" context points at f.
func twoContexts(t *testing.T, f *fakeAPI) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["dead"] = &clientcmdapi.Cluster{Server: "http://127.0.0.1:1"}
	cfg.Clusters["live"] = &clientcmdapi.Cluster{Server: f.srv.URL, CertificateAuthorityData: f.caPEM()}
	cfg.AuthInfos["live"] = &clientcmdapi.AuthInfo{Token: "live-token"}
	cfg.Contexts["dead"] = &clientcmdapi.Context{Cluster: "dead"}
	cfg.Contexts["live"] = &clientcmdapi.Context{Cluster: "live", AuthInfo: "live"}
	cfg.CurrentContext = "dead"
	path := filepath.Join(t.TempDir(), "config")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestKubeconfigFromTheEnvironmentAndContextFlag(t *testing.T) {
	f := newFakeAPI(t, pending("edge-a", "203.0.113.7", nil))
	t.Setenv("KUBECONFIG", twoContexts(t, f))

	_, stderr, code := runPlugin(t, "list")
	want := "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n"
	if code != 1 || stderr != want {
		t.Errorf("current context: exit %d, stderr %q", code, stderr)
	}

	stdout, stderr, code := runPlugin(t, "list", "--context", "live")
	if code != 0 || !strings.Contains(stdout, "edge-a") {
		t.Fatalf("--context live: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	r := f.lastRequest()
	if got := r.Header.Get("Authorization"); got != "Bearer live-token" {
		t.Errorf("Authorization %q", got)
	}
	if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "kubectl-edgenode/") {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestServerAndTokenFlagsWithoutKubeconfig(t *testing.T) {
	f := newFakeAPI(t, pending("edge-a", "203.0.113.7", nil))
	ca := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(ca, f.caPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runPlugin(t, "--server", f.srv.URL, "--certificate-authority", ca, "--token", "flag-token", "token", "edge-a")
	if code != 0 || stdout == "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := f.lastRequest().Header.Get("Authorization"); got != "Bearer flag-token" {
		t.Errorf("Authorization %q", got)
	}
}

func TestMissingExplicitKubeconfigIsAnError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	_, stderr, code := runPlugin(t, "list", "--kubeconfig", missing)
	if code != 1 || !strings.HasPrefix(stderr, "error: stat "+missing) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
