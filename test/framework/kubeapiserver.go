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
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// startKubeAPIServer starts kube-apiserver on a free 127.0.0.1 port (of ns, if not nil) against etcdURL and waits
// until /readyz is OK. It returns the process and the server URL.
func startKubeAPIServer(ctx context.Context, dir string, ns *netns.Namespace, pki *PKI, etcdURL string, extraArgs []string, timeout time.Duration) (*Process, string, error) {
	bin, err := BinPath("kube-apiserver")
	if err != nil {
		return nil, "", err
	}
	logPath := filepath.Join(dir, "kube-apiserver.log")
	var lastErr error
	for range startAttempts {
		proc, url, err := startKubeAPIServerOnce(ctx, bin, dir, logPath, ns, pki, etcdURL, extraArgs, timeout)
		if err == nil {
			return proc, url, nil
		}
		lastErr = err
		if !addressInUse(proc) {
			break
		}
	}
	return nil, "", fmt.Errorf("start kube-apiserver: %w\n%s", lastErr, formatTail("kube-apiserver log", logPath, 40))
}

// kubeAPIServerArgs returns the kube-apiserver command line for the given port.
func kubeAPIServerArgs(dir string, pki *PKI, etcdURL string, port int) []string {
	return []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + filepath.Join(dir, "kube-apiserver-certs"),
		"--tls-cert-file=" + pki.ServingCertFile,
		"--tls-private-key-file=" + pki.ServingKeyFile,
		"--client-ca-file=" + pki.ClientCAFile,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		fmt.Sprintf("--service-account-issuer=https://127.0.0.1:%d", port),
		"--service-account-key-file=" + pki.ServiceAccountPubFile,
		"--service-account-signing-key-file=" + pki.ServiceAccountKeyFile,
		"--allow-privileged=true",
		"--proxy-client-cert-file=" + pki.ProxyClientCertFile,
		"--proxy-client-key-file=" + pki.ProxyClientKeyFile,
		"--requestheader-client-ca-file=" + pki.FrontProxyCAFile,
		"--requestheader-allowed-names=" + FrontProxyClientName,
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-username-headers=X-Remote-User",
	}
}

// startKubeAPIServerOnce makes one attempt at starting kube-apiserver; on failure the returned process (if any) has been stopped.
func startKubeAPIServerOnce(ctx context.Context, bin, dir, logPath string, ns *netns.Namespace, pki *PKI, etcdURL string, extraArgs []string, timeout time.Duration) (*Process, string, error) {
	port, err := FreePort()
	if err != nil {
		return nil, "", err
	}
	url := fmt.Sprintf("https://127.0.0.1:%d", port)
	bin, args := commandIn(ns, bin, append(kubeAPIServerArgs(dir, pki, etcdURL, port), extraArgs...))
	proc, err := StartProcess("kube-apiserver", logPath, bin, args...)
	if err != nil {
		return nil, "", err
	}
	client, err := kubernetes.NewForConfig(dialingIn(restConfigFor(url, pki.ServerCA.CertPEM, pki.Admin), ns))
	if err != nil {
		_ = proc.Stop(time.Second)
		return proc, "", fmt.Errorf("build admin client: %w", err)
	}
	ready := func(ctx context.Context) (bool, error) {
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return false, fmt.Errorf("GET /readyz: %w: %s", err, body)
		}
		return true, nil
	}
	if err := waitUntil(ctx, timeout, "kube-apiserver /readyz", ready, proc); err != nil {
		_ = proc.Stop(5 * time.Second)
		return proc, "", err
	}
	return proc, url, nil
}
