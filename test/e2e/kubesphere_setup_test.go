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
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"
	apirequest "k8s.io/apiserver/pkg/endpoints/request"

	"github.com/edgewatcher/edgewatcher/pkg/legacy"
	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/kubesphere"
)

// KubeSphere users of the e2e tests: bound to edgewatcher-admin, to edgewatcher-viewer, and to nothing.
const (
	ksAdmin  = "ks-admin"
	ksViewer = "ks-viewer"
	ksNobody = "ks-nobody"
)

// trustedProxyIP is the loopback address the 4.1 stand-in dials from; the proxy-headers replica
// trusts it alone, so headers sent from 127.0.0.1 stand for headers from anywhere else.
const trustedProxyIP = "127.0.0.2"

// kubeSphereEnv is two ks-apiserver stand-ins in front of two EdgeWatcher replicas.
type kubeSphereEnv struct {
	// ks serves the 3.1 and 3.4 generic proxies and the 4.1 APIService, all to webhookAddr, and the
	// token webhook that replica asks.
	ks *kubesphere.Server
	// ks41 serves the 4.1 APIService to headersAddr, dialing from trustedProxyIP.
	ks41 *kubesphere.Server
	// webhookAddr is the console listener of the --legacy-auth=webhook replica.
	webhookAddr string
	// headersAddr is the console listener of the --legacy-auth=proxy-headers replica.
	headersAddr string
}

var (
	ksEnvOnce sync.Once
	ksEnv     *kubeSphereEnv
	ksEnvErr  error
)

// kubeSphere starts the stand-ins and the two replicas once, and binds the users' roles.
func kubeSphere(t *testing.T) *kubeSphereEnv {
	t.Helper()
	seedKubeEdge(t)
	ksEnvOnce.Do(func() { ksEnv, ksEnvErr = startKubeSphereEnv() })
	if ksEnvErr != nil {
		t.Fatalf("KubeSphere stand-ins: %v", ksEnvErr)
	}
	bindClusterRole(t, ksAdmin, "edgewatcher-admin")
	bindClusterRole(t, ksViewer, "edgewatcher-viewer")
	return ksEnv
}

func startKubeSphereEnv() (*kubeSphereEnv, error) {
	ports := make([]int, 2)
	for i := range ports {
		p, err := framework.FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	env := &kubeSphereEnv{webhookAddr: fmt.Sprintf("127.0.0.1:%d", ports[0]), headersAddr: fmt.Sprintf("127.0.0.1:%d", ports[1])}
	issuer, err := kubesphere.NewIssuer()
	if err != nil {
		return nil, err
	}
	users := []kubesphere.User{{Name: ksAdmin, UID: "uid-admin"}, {Name: ksViewer, UID: "uid-viewer"}, {Name: ksNobody, UID: "uid-nobody"}}
	if env.ks, err = kubesphere.Start(kubesphere.Options{
		Issuer: issuer, Users: users,
		KubeEdgeEndpoint:    "http://" + env.webhookAddr + "/api/",
		EdgeRuntimeEndpoint: "http://" + env.webhookAddr + "/api/",
		APIServices:         []kubesphere.APIService{{Group: kubesphere.KubeEdgeGroup, Version: "v1beta1", URL: "http://" + env.webhookAddr}},
	}); err != nil {
		return nil, err
	}
	if env.ks41, err = kubesphere.Start(kubesphere.Options{
		Issuer: issuer, Users: users, ProxySourceIP: trustedProxyIP,
		APIServices: []kubesphere.APIService{{Group: kubesphere.KubeEdgeGroup, Version: "v1beta1", URL: "http://" + env.headersAddr}},
	}); err != nil {
		return nil, err
	}
	webhookConfig := filepath.Join(cp.Dir, "ks-token-webhook.kubeconfig")
	if err := os.WriteFile(webhookConfig, []byte(tokenWebhookKubeconfig(env.ks.WebhookURL())), 0o600); err != nil {
		return nil, err
	}
	kubeconfig, err := serverAccountKubeconfig()
	if err != nil {
		return nil, err
	}
	common := []string{"--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig}
	for _, args := range [][]string{
		{"--legacy-listen-address=" + env.webhookAddr, "--legacy-auth=webhook", "--legacy-token-webhook-config-file=" + webhookConfig},
		{"--legacy-listen-address=" + env.headersAddr, "--legacy-auth=proxy-headers", "--legacy-trusted-proxy-cidrs=" + trustedProxyIP + "/32"},
	} {
		if _, err := cp.StartEdgeWatcher(context.Background(), framework.EdgeWatcherOptions{Unregistered: true, ExtraArgs: append(common, args...)}); err != nil {
			return nil, err
		}
	}
	return env, nil
}

// tokenWebhookKubeconfig is a --legacy-token-webhook-config-file for the webhook at url, as an
// operator writes it for ks-apiserver: a server and nothing else.
func tokenWebhookKubeconfig(url string) string {
	return `apiVersion: v1
kind: Config
clusters:
- name: ks-apiserver
  cluster:
    server: ` + url + `
users:
- name: edgewatcher
contexts:
- name: ks-apiserver
  context:
    cluster: ks-apiserver
    user: edgewatcher
current-context: ks-apiserver
`
}

// consoleCall sends the console's GET to base+path?query, with the bearer token (if any) and
// extra headers, and returns the status, Content-Type and body. base is a stand-in's URL or the
// http:// address of a console listener.
func consoleCall(t *testing.T, base, path, query, token string, extra http.Header) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path+"?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range extra {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	// The console's own headers.
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// v1beta1JoinPath is the join route of the KubeSphere 4.1 console, as the extension proxy forwards it.
const v1beta1JoinPath = "/kapis/kubeedge.kubesphere.io/v1beta1/nodes/join"

// v1beta1RouteServed reports whether this build serves v1beta1JoinPath as the join route: the
// route serves exactly the paths whose authorization RequestInfoResolver maps to
// edgenodes/joincommand, so its answer tells.
func v1beta1RouteServed(t *testing.T) bool {
	t.Helper()
	base := &apirequest.RequestInfoFactory{
		APIPrefixes:          map[string]sets.Empty{"api": {}, "apis": {}},
		GrouplessAPIPrefixes: map[string]sets.Empty{"api": {}},
	}
	req, err := http.NewRequest(http.MethodGet, v1beta1JoinPath+"?node_name=x", nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := legacy.RequestInfoResolver(base).NewRequestInfo(req)
	if err != nil {
		t.Fatal(err)
	}
	return info.Resource == "edgenodes" && info.Subresource == "joincommand"
}
