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
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// DefaultStartTimeout bounds how long each server may take to become ready.
const DefaultStartTimeout = 60 * time.Second

// ControlPlaneOptions configures StartControlPlane.
type ControlPlaneOptions struct {
	// Dir is used instead of a new temporary directory when set; it is created if missing.
	Dir string
	// KeepDir keeps the directory (certificates, logs, etcd data) after Stop.
	KeepDir bool
	// StartTimeout bounds how long etcd and kube-apiserver each may take to become ready; zero means DefaultStartTimeout.
	StartTimeout time.Duration
	// ExtraAPIServerArgs are appended to kube-apiserver's command line.
	ExtraAPIServerArgs []string
	// Netns, when set, runs etcd, kube-apiserver and kubectl inside this network namespace, on its loopback, and
	// makes the clients this package builds dial inside it; EdgeWatcher servers started on it run there too.
	Netns *netns.Namespace
	// ServingIPs, when set, makes kube-apiserver listen on every address of its namespace, not only loopback, with
	// these IPs in its serving certificate: clients in other namespaces (a cloudcore, say) reach it through them.
	ServingIPs []net.IP
	// Logf, if set, receives progress messages.
	Logf func(format string, args ...any)
}

// ControlPlane is a running etcd plus kube-apiserver pair serving on 127.0.0.1 (of ControlPlaneOptions.Netns, if set).
type ControlPlane struct {
	// Dir holds certificates, kubeconfigs, logs and etcd data.
	Dir string
	// URL is kube-apiserver's address, https://127.0.0.1:<port>.
	URL string
	// AdminKubeconfig is a kubeconfig file for user admin in group system:masters that verifies the server CA.
	AdminKubeconfig string
	// EtcdURL is etcd's client URL.
	EtcdURL string
	// PKI holds the control plane's certificates and keys.
	PKI *PKI
	// Etcd is the etcd process.
	Etcd *Process
	// KubeAPIServer is the kube-apiserver process.
	KubeAPIServer *Process

	opts        ControlPlaneOptions
	client      kubernetes.Interface
	kubeconfigs atomic.Int64

	mu       sync.Mutex
	children []*EdgeWatcher
	stopped  bool
}

// StartControlPlane starts etcd and kube-apiserver with certificate authentication, RBAC and the aggregation
// layer configured, and returns once kube-apiserver is ready and has published its request-header configuration.
func StartControlPlane(ctx context.Context, opts ControlPlaneOptions) (cp *ControlPlane, err error) {
	if err := CheckBinaries(); err != nil {
		return nil, err
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = DefaultStartTimeout
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "edgewatcher-cp-"); err != nil {
			return nil, fmt.Errorf("create control plane dir: %w", err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create control plane dir: %w", err)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, fmt.Errorf("resolve control plane dir: %w", err)
	}
	cp = &ControlPlane{Dir: dir, opts: opts}
	defer func() {
		if err != nil {
			_ = cp.Stop()
		}
	}()

	if cp.PKI, err = GeneratePKI(filepath.Join(dir, "pki"), opts.ServingIPs...); err != nil {
		return nil, err
	}
	opts.Logf("starting etcd (logs: %s)", filepath.Join(dir, "etcd.log"))
	if cp.Etcd, cp.EtcdURL, err = startEtcd(ctx, dir, opts.Netns, opts.StartTimeout); err != nil {
		return nil, err
	}
	opts.Logf("etcd is healthy at %s; starting kube-apiserver (logs: %s)", cp.EtcdURL, filepath.Join(dir, "kube-apiserver.log"))
	if cp.KubeAPIServer, cp.URL, err = startKubeAPIServer(ctx, dir, opts.Netns, cp.PKI, cp.EtcdURL, opts.apiServerArgs(), opts.StartTimeout); err != nil {
		return nil, err
	}
	cp.AdminKubeconfig = filepath.Join(dir, "admin.kubeconfig")
	if err := writeKubeconfig(cp.AdminKubeconfig, cp.URL, cp.PKI.ServerCA.CertPEM, cp.PKI.Admin); err != nil {
		return nil, err
	}
	if cp.client, err = kubernetes.NewForConfig(cp.RestConfig()); err != nil {
		return nil, fmt.Errorf("build admin client: %w", err)
	}
	if err := cp.waitForAuthenticationConfigMap(ctx); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, cp.LogTail(30))
	}
	opts.Logf("kube-apiserver is ready at %s", cp.URL)
	return cp, nil
}

// apiServerArgs returns the flags added to kube-apiserver's defaults; later flags win.
func (opts ControlPlaneOptions) apiServerArgs() []string {
	var args []string
	if len(opts.ServingIPs) > 0 {
		args = append(args, "--bind-address=0.0.0.0")
	}
	return append(args, opts.ExtraAPIServerArgs...)
}

// KubeconfigVia writes an admin kubeconfig whose server is https://<ip>:<port> instead of loopback, for clients in
// other network namespaces; ip must be one of ControlPlaneOptions.ServingIPs.
func (cp *ControlPlane) KubeconfigVia(ip net.IP) (string, error) {
	if !slices.ContainsFunc(cp.opts.ServingIPs, ip.Equal) {
		return "", fmt.Errorf("%s is not one of the control plane's serving IPs %v", ip, cp.opts.ServingIPs)
	}
	u, err := url.Parse(cp.URL)
	if err != nil {
		return "", err
	}
	path := filepath.Join(cp.Dir, fmt.Sprintf("admin-via-%s.kubeconfig", ip))
	server := "https://" + net.JoinHostPort(ip.String(), u.Port())
	if err := writeKubeconfig(path, server, cp.PKI.ServerCA.CertPEM, cp.PKI.Admin); err != nil {
		return "", err
	}
	return path, nil
}

// waitForAuthenticationConfigMap waits until kube-system/extension-apiserver-authentication holds the request-header CA,
// which aggregated servers read at start-up.
func (cp *ControlPlane) waitForAuthenticationConfigMap(ctx context.Context) error {
	published := func(ctx context.Context) (bool, error) {
		cm, err := cp.client.CoreV1().ConfigMaps("kube-system").Get(ctx, "extension-apiserver-authentication", metav1.GetOptions{})
		if err != nil {
			return false, fmt.Errorf("get extension-apiserver-authentication: %w", err)
		}
		if cm.Data["requestheader-client-ca-file"] == "" || cm.Data["client-ca-file"] == "" {
			return false, errors.New("extension-apiserver-authentication lacks client-ca-file or requestheader-client-ca-file")
		}
		return true, nil
	}
	return waitUntil(ctx, cp.opts.StartTimeout, "kube-system/extension-apiserver-authentication", published, cp.KubeAPIServer, cp.Etcd)
}

// RestConfig returns a new client config for the admin user.
func (cp *ControlPlane) RestConfig() *rest.Config {
	return dialingIn(restConfigFor(cp.URL, cp.PKI.ServerCA.CertPEM, cp.PKI.Admin), cp.opts.Netns)
}

// Client returns a clientset authenticated as the admin user.
func (cp *ControlPlane) Client() kubernetes.Interface {
	return cp.client
}

// unsafeFileChars matches characters that are not kept when a user name becomes part of a file name.
var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// KubeconfigFor mints a client certificate for user in groups and writes a kubeconfig using it; it returns the file path.
func (cp *ControlPlane) KubeconfigFor(user string, groups ...string) (string, error) {
	kp, err := cp.PKI.ClientCA.IssueClient(user, groups...)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cp.Dir, "kubeconfigs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create kubeconfig dir: %w", err)
	}
	name := fmt.Sprintf("%s-%d.kubeconfig", unsafeFileChars.ReplaceAllString(user, "_"), cp.kubeconfigs.Add(1))
	path := filepath.Join(dir, name)
	if err := writeKubeconfig(path, cp.URL, cp.PKI.ServerCA.CertPEM, kp); err != nil {
		return "", err
	}
	return path, nil
}

// LogTail returns the last n lines of the etcd and kube-apiserver logs, for diagnostics.
func (cp *ControlPlane) LogTail(n int) string {
	return formatTail("etcd log", filepath.Join(cp.Dir, "etcd.log"), n) +
		formatTail("kube-apiserver log", filepath.Join(cp.Dir, "kube-apiserver.log"), n)
}

// Processes returns the running processes this control plane started, in start order, including EdgeWatcher servers.
func (cp *ControlPlane) Processes() []*Process {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	var procs []*Process
	for _, p := range []*Process{cp.Etcd, cp.KubeAPIServer} {
		if p != nil {
			procs = append(procs, p)
		}
	}
	for _, ew := range cp.children {
		if p := ew.Process(); p != nil {
			procs = append(procs, p)
		}
	}
	return procs
}

// Stop stops every EdgeWatcher started from this control plane, then kube-apiserver, then etcd, and removes Dir
// unless KeepDir was set. It is safe to call more than once.
func (cp *ControlPlane) Stop() error {
	cp.mu.Lock()
	if cp.stopped {
		cp.mu.Unlock()
		return nil
	}
	cp.stopped = true
	children := cp.children
	cp.mu.Unlock()

	var errs []error
	for i := len(children) - 1; i >= 0; i-- {
		errs = append(errs, children[i].Stop())
	}
	if cp.KubeAPIServer != nil {
		errs = append(errs, cp.KubeAPIServer.Stop(DefaultStopTimeout))
	}
	if cp.Etcd != nil {
		errs = append(errs, cp.Etcd.Stop(DefaultStopTimeout))
	}
	if !cp.opts.KeepDir && cp.Dir != "" {
		if err := os.RemoveAll(cp.Dir); err != nil {
			errs = append(errs, fmt.Errorf("remove control plane dir: %w", err))
		}
	}
	return errors.Join(errs...)
}

// track registers an EdgeWatcher so that Stop stops it first.
func (cp *ControlPlane) track(ew *EdgeWatcher) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.children = append(cp.children, ew)
}
