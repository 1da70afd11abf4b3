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
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/legacy"
)

// tokenWebhookValueSet renders the console listener in webhook mode against ks-apiserver: the
// ConfigMap must hold a config file the server accepts, mounted where the flag points.
var tokenWebhookValueSet = helmValueSet{
	name:      "console listener with KubeSphere's token webhook",
	args:      []string{"--set", "legacy.auth=webhook", "--set", "legacy.tokenWebhook.cacheTTL=30s"},
	namespace: "kubeedge",
	check: func(t *testing.T, m manifest) {
		const file = "/etc/edgewatcher/token-webhook/kubeconfig"
		args := apiserverArgs(t, m, "kubeedge")
		for _, want := range []string{"--legacy-auth=webhook", "--legacy-token-webhook-config-file=" + file, "--legacy-token-webhook-cache-ttl=30s"} {
			if !slices.Contains(args, want) {
				t.Errorf("apiserver args %q lack %s", args, want)
			}
		}
		var d appsv1.Deployment
		decodeObject(t, m, "Deployment", "kubeedge", "edgewatcher-apiserver", &d)
		pod := d.Spec.Template.Spec
		if !slices.ContainsFunc(pod.Containers[0].VolumeMounts, func(v corev1.VolumeMount) bool {
			return v.Name == "token-webhook" && v.MountPath == filepath.Dir(file) && v.ReadOnly
		}) || !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool {
			return v.Name == "token-webhook" && v.ConfigMap != nil && v.ConfigMap.Name == "edgewatcher-token-webhook"
		}) {
			t.Errorf("the token webhook config is not mounted at %s", filepath.Dir(file))
		}
		var cm corev1.ConfigMap
		decodeObject(t, m, "ConfigMap", "kubeedge", "edgewatcher-token-webhook", &cm)
		config := cm.Data[filepath.Base(file)]
		if !strings.Contains(config, "http://ks-apiserver.kubesphere-system.svc/oauth/authenticate") {
			t.Errorf("webhook config:\n%s", config)
		}
		// The rendered file passes the server's own startup validation.
		path := filepath.Join(t.TempDir(), "kubeconfig")
		if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		o := legacy.NewOptions()
		o.Auth, o.TokenWebhookConfigFile = legacy.AuthWebhook, path
		if errs := o.Validate(); len(errs) != 0 {
			t.Errorf("the server refuses the rendered config file: %v", errs)
		}
	},
}

// proxyHeadersValueSet renders the console listener trusting KubeSphere 4.1's proxy headers.
var proxyHeadersValueSet = helmValueSet{
	name:      "console listener trusting proxy headers",
	args:      []string{"--set", "legacy.auth=proxy-headers", "--set", "legacy.trustedProxyCIDRs={10.233.64.0/18,fd00:10::/64}"},
	namespace: "kubeedge",
	check: func(t *testing.T, m manifest) {
		args := apiserverArgs(t, m, "kubeedge")
		for _, want := range []string{"--legacy-auth=proxy-headers", "--legacy-trusted-proxy-cidrs=10.233.64.0/18,fd00:10::/64"} {
			if !slices.Contains(args, want) {
				t.Errorf("apiserver args %q lack %s", args, want)
			}
		}
		if !m.has("NetworkPolicy") {
			t.Error("header trust without the NetworkPolicy")
		}
		if m.find("ConfigMap", "kubeedge", "edgewatcher-token-webhook") != nil {
			t.Error("a token webhook config without webhook mode")
		}
	},
}

func init() { helmValueSets = append(helmValueSets, tokenWebhookValueSet, proxyHeadersValueSet) }

// Header trust without its networks, and malformed auth values, are refused before anything renders.
func TestHelmChartRefusesIncompleteConsoleAuth(t *testing.T) {
	bin := requireHelm(t)
	for _, tc := range []struct{ set, want string }{
		{"legacy.auth=proxy-headers", "legacy.trustedProxyCIDRs"},
		{"legacy.trustedProxyCIDRs={not-a-cidr}", "schema"},
		{"legacy.tokenWebhook.server=ks-apiserver/oauth/authenticate", "schema"},
		{"legacy.tokenWebhook.cacheTTL=soon", "schema"},
	} {
		cmd := exec.Command(bin, "template", "edgewatcher", chartDir(t), "--set", tc.set)
		cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("--set %s: err %v, want an error with %q:\n%.500s", tc.set, err, tc.want, out)
		}
	}
}
