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

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// runEnv describes what `make run` exposes to the user.
type runEnv struct {
	kubeconfig string
	envFile    string
	addr       string
	clientCert string
	clientKey  string
	// servingCA is the edgewatcher-apiserver certificate file to trust, or "" if the server did not write one.
	servingCA string
	// legacyAddr is the console route's plain-HTTP listener.
	legacyAddr string
	// consoleToken is a bearer token allowed to use the console route.
	consoleToken string
	// forwarding describes the running forwarding demo; nil when it is off.
	forwarding *forwardingInfo
	// forwardingOff says why the forwarding demo is off; empty when it runs.
	forwardingOff string
}

// newRunEnv describes the running control plane and edgewatcher-apiserver; write puts it on disk.
func newRunEnv(cp *framework.ControlPlane, ew *framework.EdgeWatcher, runDir string) *runEnv {
	env := &runEnv{
		kubeconfig: filepath.Join(runDir, "kubeconfig"),
		envFile:    filepath.Join(runDir, "env"),
		addr:       ew.Addr,
		clientCert: cp.PKI.AdminCertFile,
		clientKey:  cp.PKI.AdminKeyFile,
	}
	if p := filepath.Join(ew.CertDir, "apiserver.crt"); fileExists(p) {
		env.servingCA = p
	}
	return env
}

// write writes <runDir>/kubeconfig (admin) and then, in one rename, the shell-sourceable <runDir>/env, so the
// env file appears only when everything is ready.
func (env *runEnv) write(cp *framework.ControlPlane, binDir string) error {
	data, err := os.ReadFile(cp.AdminKubeconfig)
	if err != nil {
		return fmt.Errorf("read admin kubeconfig: %w", err)
	}
	if err := os.WriteFile(env.kubeconfig, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", env.kubeconfig, err)
	}
	var b strings.Builder
	export := func(name, value string) { fmt.Fprintf(&b, "export %s=%s\n", name, shellQuote(value)) }
	fmt.Fprintf(&b, "# Written by `make run` (go run ./test/localup); valid while it runs.\n")
	export("KUBECONFIG", env.kubeconfig)
	export("KUBECTL", filepath.Join(binDir, "kubectl"))
	fmt.Fprintf(&b, "export PATH=%s:\"$PATH\"\n", shellQuote(binDir))
	export("EDGEWATCHER_ADDR", env.addr)
	export("EDGEWATCHER_CLIENT_CERT", env.clientCert)
	export("EDGEWATCHER_CLIENT_KEY", env.clientKey)
	if env.servingCA != "" {
		export("EDGEWATCHER_CA", env.servingCA)
	}
	export("KUBE_APISERVER_URL", cp.URL)
	export("EDGEWATCHER_LEGACY_ADDR", env.legacyAddr)
	export("EDGEWATCHER_CONSOLE_TOKEN", env.consoleToken)
	if f := env.forwarding; f != nil {
		export("EDGEWATCHER_NETNS", f.cpNetns)
		export("EDGEWATCHER_STANDIN_NETNS", f.ccNetns)
		export("EDGEWATCHER_EDGE_URL", f.edges[0].url)
		export("EDGEWATCHER_SYNCER_ADDR", f.syncerAddr)
	}
	tmp := env.envFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, env.envFile); err != nil {
		return fmt.Errorf("write %s: %w", env.envFile, err)
	}
	return nil
}

// printReady prints the ready line and the commands to try.
func printReady(env *runEnv) {
	port := env.addr[strings.LastIndex(env.addr, ":")+1:]
	curl := `curl --cert "$EDGEWATCHER_CLIENT_CERT" --key "$EDGEWATCHER_CLIENT_KEY" -k "https://$EDGEWATCHER_ADDR/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes"`
	if env.servingCA != "" {
		host := framework.EdgeWatcherServiceName + "." + framework.EdgeWatcherNamespace + ".svc"
		curl = fmt.Sprintf(`curl --cacert "$EDGEWATCHER_CA" --resolve %s:%s:127.0.0.1 --cert "$EDGEWATCHER_CLIENT_CERT" --key "$EDGEWATCHER_CLIENT_KEY" "https://%s:%s/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes"`, host, port, host, port)
	}
	fmt.Printf(`
EdgeWatcher is ready.

Try, in another shell:
  source %s
  kubectl get edgenodes
  kubectl get edgenodes -o yaml
  kubectl get edgenodes -w
  kubectl explain edgenodes.status
  %s

Join an edge node:
  kubectl create -f artifacts/examples/edgenode.yaml          # reserve edge-node-3 and 203.0.113.7
  kubectl create --raw /apis/kubeedge.kubesphere.io/v1alpha1/edgenodes/edge-node-3/joincommand -f artifacts/examples/joincommand.json
  kubectl create --raw /apis/kubeedge.kubesphere.io/v1alpha1/edgenodes/edge-node-3/jointoken -f - <<< '{"kind":"JoinToken","apiVersion":"kubeedge.kubesphere.io/v1alpha1"}'
  # the KubeSphere 3.x console's call, then 4.1's (no IP field: the address comes from --edge-ip-pool)
  curl -H "Authorization: Bearer $EDGEWATCHER_CONSOLE_TOKEN" "http://$EDGEWATCHER_LEGACY_ADDR/api/v1alpha1/nodes/join?node_name=edge-node-4&node_ip=203.0.113.9&add_default_taint=true"
  curl -H "Authorization: Bearer $EDGEWATCHER_CONSOLE_TOKEN" "http://$EDGEWATCHER_LEGACY_ADDR/kapis/kubeedge.kubesphere.io/v1beta1/nodes/join?node_name=edge-node-6&add_default_taint=true"
%s
Press Ctrl-C to stop.
`, displayPath(env.envFile), curl, forwardingBanner(env))
}

// displayPath returns path relative to the working directory when it lies below it, otherwise path itself.
func displayPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return path
	}
	return rel
}

// shellQuote single-quotes s for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fileExists reports whether path names an existing regular file.
func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
