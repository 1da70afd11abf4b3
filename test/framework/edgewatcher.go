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
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
)

// EdgeWatcher API coordinates that the server registers with the aggregator.
const (
	// EdgeWatcherGroup is the API group served by edgewatcher-apiserver.
	EdgeWatcherGroup = "kubeedge.kubesphere.io"
	// EdgeWatcherVersion is the served API version.
	EdgeWatcherVersion = "v1alpha1"
	// APIServiceName is the name of the APIService the server registers.
	APIServiceName = EdgeWatcherVersion + "." + EdgeWatcherGroup
	// EdgeWatcherNamespace is the namespace of the Service the APIService points at.
	EdgeWatcherNamespace = "kubeedge"
	// EdgeWatcherServiceName is the name of the Service the APIService points at.
	EdgeWatcherServiceName = "edge-watcher"
)

// EdgeWatcherOptions configures StartEdgeWatcher.
type EdgeWatcherOptions struct {
	// ExtraArgs are appended to the server's command line.
	ExtraArgs []string
	// ReadyTimeout bounds the wait for readiness; zero means DefaultStartTimeout.
	ReadyTimeout time.Duration
	// Binary overrides EdgeWatcherBinary() when set.
	Binary string
	// Unregistered starts an extra replica that does not register the APIService; readiness is its own /readyz.
	Unregistered bool
}

// EdgeWatcher is a running edgewatcher-apiserver registered with a ControlPlane's aggregator.
type EdgeWatcher struct {
	// Addr is the server's own listen address, 127.0.0.1:<port>.
	Addr string
	// LogPath is the file receiving the server's output.
	LogPath string
	// CertDir is the --cert-dir holding the server's self-signed certificate.
	CertDir string

	cp      *ControlPlane
	bin     string
	args    []string
	timeout time.Duration
	// unregistered replicas are not behind the APIService.
	unregistered bool

	mu   sync.Mutex
	proc *Process
}

// StartEdgeWatcher builds (once) and starts edgewatcher-apiserver against this control plane, and waits until it is
// ready itself, its APIService is Available and kube-apiserver serves its group through discovery.
// With ControlPlaneOptions.Netns set, the server runs inside that namespace, beside kube-apiserver.
func (cp *ControlPlane) StartEdgeWatcher(ctx context.Context, opts EdgeWatcherOptions) (*EdgeWatcher, error) {
	bin := opts.Binary
	if bin == "" {
		var err error
		if bin, err = EdgeWatcherBinary(); err != nil {
			return nil, err
		}
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = DefaultStartTimeout
	}
	if err := EnsureEdgeWatcherService(ctx, cp); err != nil {
		return nil, err
	}
	suffix := ""
	if n := cp.edgeWatcherCount(); n > 0 {
		suffix = "-" + strconv.Itoa(n+1)
	}
	ew := &EdgeWatcher{
		LogPath:      filepath.Join(cp.Dir, "edgewatcher-apiserver"+suffix+".log"),
		CertDir:      filepath.Join(cp.Dir, "edgewatcher-certs"+suffix),
		cp:           cp,
		bin:          bin,
		timeout:      opts.ReadyTimeout,
		unregistered: opts.Unregistered,
	}
	if err := os.MkdirAll(ew.CertDir, 0o700); err != nil {
		return nil, fmt.Errorf("create edgewatcher cert dir: %w", err)
	}
	var lastErr error
	for range startAttempts {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		ew.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		ew.args = append(edgeWatcherArgs(cp, ew.CertDir, port, !opts.Unregistered), opts.ExtraArgs...)
		if lastErr = ew.start(ctx); lastErr == nil {
			cp.track(ew)
			return ew, nil
		}
		if !addressInUse(ew.Process()) {
			break
		}
	}
	return nil, lastErr
}

// edgeWatcherArgs returns the command line contract of edgewatcher-apiserver for the given port.
func edgeWatcherArgs(cp *ControlPlane, certDir string, port int, register bool) []string {
	p := strconv.Itoa(port)
	args := []string{
		"--bind-address=127.0.0.1",
		"--secure-port=" + p,
		"--cert-dir=" + certDir,
		"--kubeconfig=" + cp.AdminKubeconfig,
		"--authentication-kubeconfig=" + cp.AdminKubeconfig,
		"--authorization-kubeconfig=" + cp.AdminKubeconfig,
		"--service-namespace=" + EdgeWatcherNamespace,
		"--service-name=" + EdgeWatcherServiceName,
		"--service-port=" + p,
		"-v=2",
	}
	if register {
		args = append(args, "--register-apiservice")
	}
	return args
}

// edgeWatcherCount returns how many EdgeWatcher servers this control plane has started so far.
func (cp *ControlPlane) edgeWatcherCount() int {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return len(cp.children)
}

// EnsureEdgeWatcherService creates namespace kubeedge and the ExternalName Service kubeedge/edge-watcher pointing at
// localhost, which lets kube-apiserver reach a server listening on loopback.
func EnsureEdgeWatcherService(ctx context.Context, cp *ControlPlane) error {
	if err := ensureNamespace(ctx, cp.Client(), EdgeWatcherNamespace); err != nil {
		return err
	}
	services := cp.Client().CoreV1().Services(EdgeWatcherNamespace)
	want := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name:   EdgeWatcherServiceName,
			Labels: map[string]string{"app.kubernetes.io/name": "edgewatcher-apiserver"},
		},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "localhost"},
	}
	got, err := services.Get(ctx, want.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		_, err = services.Create(ctx, want, metav1.CreateOptions{})
	case err != nil:
	case got.Spec.Type != corev1.ServiceTypeExternalName:
		if err = services.Delete(ctx, want.Name, metav1.DeleteOptions{}); err == nil {
			_, err = services.Create(ctx, want, metav1.CreateOptions{})
		}
	default:
		got.Spec.ExternalName = want.Spec.ExternalName
		_, err = services.Update(ctx, got, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("ensure service %s/%s: %w", EdgeWatcherNamespace, EdgeWatcherServiceName, err)
	}
	return nil
}

// start launches the process with ew.args and waits until it is ready; on failure it stops the process.
func (ew *EdgeWatcher) start(ctx context.Context) error {
	bin, args := commandIn(ew.cp.opts.Netns, ew.bin, ew.args)
	proc, err := StartProcess("edgewatcher-apiserver", ew.LogPath, bin, args...)
	if err != nil {
		return err
	}
	ew.mu.Lock()
	ew.proc = proc
	ew.mu.Unlock()
	if err := ew.waitReady(ctx, proc); err != nil {
		_ = proc.Stop(5 * time.Second)
		return fmt.Errorf("edgewatcher-apiserver on %s did not become ready: %w\n%s\n%s",
			ew.Addr, err, ew.apiServiceConditions(context.Background()), formatTail("edgewatcher-apiserver log", ew.LogPath, 40))
	}
	return nil
}

// waitReady waits for the server's own /readyz, the APIService's Available condition, and discovery through kube-apiserver.
func (ew *EdgeWatcher) waitReady(ctx context.Context, proc *Process) error {
	probe := &http.Client{
		Timeout: 5 * time.Second,
		// The probe only checks liveness of our own listener; everything that matters is verified through the aggregator.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // readiness probe only
	}
	if ns := ew.cp.opts.Netns; ns != nil {
		probe.Transport.(*http.Transport).DialContext = DialContextIn(ns)
	}
	defer probe.CloseIdleConnections()
	agg, err := aggregator.NewForConfig(ew.cp.RestConfig())
	if err != nil {
		return fmt.Errorf("build aggregator client: %w", err)
	}
	deadline := time.Now().Add(ew.timeout)
	remaining := func() time.Duration { return max(time.Until(deadline), time.Second) }

	selfReady := func(ctx context.Context) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+ew.Addr+"/readyz", nil)
		if err != nil {
			return false, fmt.Errorf("build /readyz request: %w", err)
		}
		resp, err := probe.Do(req)
		if err != nil {
			return false, fmt.Errorf("GET /readyz: %w", err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Errorf("GET /readyz: %s", resp.Status)
		}
		return true, nil
	}
	if err := waitUntil(ctx, remaining(), "edgewatcher-apiserver /readyz", selfReady, proc); err != nil {
		return err
	}
	if ew.unregistered {
		return nil
	}
	available := func(ctx context.Context) (bool, error) {
		svc, err := agg.ApiregistrationV1().APIServices().Get(ctx, APIServiceName, metav1.GetOptions{})
		if err != nil {
			return false, fmt.Errorf("get APIService %s: %w", APIServiceName, err)
		}
		if svc.Spec.Service == nil || svc.Spec.Service.Port == nil || strconv.Itoa(int(*svc.Spec.Service.Port)) != portOf(ew.Addr) {
			return false, fmt.Errorf("APIService %s does not point at port %s yet", APIServiceName, portOf(ew.Addr))
		}
		for _, c := range svc.Status.Conditions {
			if c.Type == apiregistrationv1.Available {
				if c.Status == apiregistrationv1.ConditionTrue {
					return true, nil
				}
				return false, fmt.Errorf("APIService %s Available=%s (%s): %s", APIServiceName, c.Status, c.Reason, c.Message)
			}
		}
		return false, fmt.Errorf("APIService %s has no Available condition", APIServiceName)
	}
	if err := waitUntil(ctx, remaining(), "APIService "+APIServiceName+" Available", available, proc); err != nil {
		return err
	}
	discovered := func(ctx context.Context) (bool, error) {
		return groupDiscovered(ctx, ew.cp)
	}
	return waitUntil(ctx, remaining(), "discovery of "+EdgeWatcherGroup+" through kube-apiserver", discovered, proc)
}

// groupDiscovered reports whether kube-apiserver's discovery (the aggregated document kubectl reads) lists the
// EdgeWatcher group version with its resources, and whether kube-apiserver proxies the version document to the server.
func groupDiscovered(ctx context.Context, cp *ControlPlane) (bool, error) {
	gv := EdgeWatcherGroup + "/" + EdgeWatcherVersion
	_, lists, err := cp.Client().Discovery().ServerGroupsAndResources()
	var failed *discovery.ErrGroupDiscoveryFailed
	switch {
	case errors.As(err, &failed):
		if gvErr, ok := failed.Groups[schema.GroupVersion{Group: EdgeWatcherGroup, Version: EdgeWatcherVersion}]; ok {
			return false, fmt.Errorf("discovery of %s: %w", gv, gvErr)
		}
	case err != nil:
		return false, fmt.Errorf("discovery: %w", err)
	}
	listed := false
	for _, l := range lists {
		if l.GroupVersion == gv && len(l.APIResources) > 0 {
			listed = true
		}
	}
	if !listed {
		return false, fmt.Errorf("%s is not listed with resources in kube-apiserver discovery yet", gv)
	}
	body, err := cp.Client().Discovery().RESTClient().Get().AbsPath("/apis", EdgeWatcherGroup, EdgeWatcherVersion).DoRaw(ctx)
	if err != nil {
		return false, fmt.Errorf("GET /apis/%s through kube-apiserver: %w: %s", gv, err, body)
	}
	return true, nil
}

// apiServiceConditions renders the APIService's status conditions for error messages.
func (ew *EdgeWatcher) apiServiceConditions(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	agg, err := aggregator.NewForConfig(ew.cp.RestConfig())
	if err != nil {
		return fmt.Sprintf("APIService %s: cannot build client: %v", APIServiceName, err)
	}
	svc, err := agg.ApiregistrationV1().APIServices().Get(ctx, APIServiceName, metav1.GetOptions{})
	if err != nil {
		return fmt.Sprintf("APIService %s: %v", APIServiceName, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "APIService %s conditions:", APIServiceName)
	if len(svc.Status.Conditions) == 0 {
		b.WriteString(" none")
	}
	for _, c := range svc.Status.Conditions {
		fmt.Fprintf(&b, "\n  %s=%s (%s): %s", c.Type, c.Status, c.Reason, c.Message)
	}
	return b.String()
}

// portOf returns the port part of a host:port address.
func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// Process returns the current server process; it changes on Restart.
func (ew *EdgeWatcher) Process() *Process {
	ew.mu.Lock()
	defer ew.mu.Unlock()
	return ew.proc
}

// URL returns the server's own base URL, https://127.0.0.1:<port>.
func (ew *EdgeWatcher) URL() string {
	return "https://" + ew.Addr
}

// Stop terminates the server (SIGTERM, then SIGKILL after DefaultStopTimeout).
func (ew *EdgeWatcher) Stop() error {
	if p := ew.Process(); p != nil {
		return p.Stop(DefaultStopTimeout)
	}
	return nil
}

// Restart stops the server and starts it again on the same port and flags, then waits until it is ready again.
func (ew *EdgeWatcher) Restart(ctx context.Context) error {
	if err := ew.Stop(); err != nil {
		return fmt.Errorf("stop edgewatcher-apiserver: %w", err)
	}
	if err := ew.start(ctx); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	return nil
}

// LogTail returns the last n lines of the server log.
func (ew *EdgeWatcher) LogTail(n int) string {
	return tailFile(ew.LogPath, n)
}
