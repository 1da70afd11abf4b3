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
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregator "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// Where metrics-server is registered.
const (
	metricsAPIService = "v1beta1.metrics.k8s.io"
	metricsNamespace  = "kube-system"
	metricsService    = "metrics-server"
	// MetricsResolution is metrics-server's scrape interval, the minimum it allows.
	MetricsResolution = 10 * time.Second
)

// metricsServerArgs are the flags an operator needs so metrics-server reaches edge nodes through the syncer:
// the node's kubelet endpoint port (the cloudcore tunnel port), its InternalIP, and no verification of cloudcore's
// stream certificate, which has no edge-IP SANs. The resolution must exceed the request timeout.
var metricsServerArgs = []string{
	"--kubelet-use-node-status-port",
	"--kubelet-preferred-address-types=InternalIP",
	"--kubelet-insecure-tls",
	"--metric-resolution=" + MetricsResolution.String(),
	"--kubelet-request-timeout=" + (MetricsResolution / 2).String(),
}

// StartMetricsServerIn runs the real metrics-server (BinPath("metrics-server")) inside ns on a loopback port as the admin user, registers it
// as the metrics.k8s.io APIService behind an ExternalName Service pointing at localhost, and waits until the
// APIService is Available. It returns the process.
func StartMetricsServerIn(t testing.TB, ctx context.Context, cp *ControlPlane, ns *netns.Namespace) *Process {
	t.Helper()
	bin, err := BinPath("metrics-server")
	if err != nil {
		t.Fatal(err)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cp.Dir, "metrics-server")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	ca, err := NewCA("metrics-server-ca")
	if err != nil {
		t.Fatal(err)
	}
	serving, err := ca.IssueServing("metrics-server", []string{metricsService + "." + metricsNamespace + ".svc", "localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, err := serving.WriteFiles(dir, "serving")
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + certFile,
		"--tls-private-key-file=" + keyFile,
		"--kubeconfig=" + cp.AdminKubeconfig,
		"--authentication-kubeconfig=" + cp.AdminKubeconfig,
		"--authorization-kubeconfig=" + cp.AdminKubeconfig,
		"-v=2",
	}, metricsServerArgs...)
	name, args := commandIn(ns, bin, args)
	proc, err := StartProcess("metrics-server", filepath.Join(cp.Dir, "metrics-server.log"), name, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("----- metrics-server log tail -----\n%s", proc.LogTail(60))
		}
		_ = proc.Stop(5 * time.Second)
	})
	registerMetricsAPI(t, ctx, cp, int32(port), ca.CertPEM)
	agg, err := aggregator.NewForConfig(cp.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	Eventually(t, "APIService "+metricsAPIService+" Available", time.Minute, func() (bool, string) {
		if proc.Exited() {
			t.Fatalf("metrics-server exited: %v\n%s", proc.ExitError(), proc.LogTail(40))
		}
		svc, err := agg.ApiregistrationV1().APIServices().Get(ctx, metricsAPIService, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, c := range svc.Status.Conditions {
			if c.Type == apiregistrationv1.Available {
				return c.Status == apiregistrationv1.ConditionTrue, fmt.Sprintf("Available=%s (%s): %s", c.Status, c.Reason, c.Message)
			}
		}
		return false, "no Available condition"
	})
	return proc
}

// registerMetricsAPI creates the ExternalName Service and the APIService for metrics-server on port.
func registerMetricsAPI(t testing.TB, ctx context.Context, cp *ControlPlane, port int32, caPEM []byte) {
	t.Helper()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: metricsService, Namespace: metricsNamespace},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "localhost"},
	}
	if _, err := cp.Client().CoreV1().Services(metricsNamespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating service %s/%s: %v", metricsNamespace, metricsService, err)
	}
	agg, err := aggregator.NewForConfig(cp.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	_, err = agg.ApiregistrationV1().APIServices().Create(ctx, &apiregistrationv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: metricsAPIService},
		Spec: apiregistrationv1.APIServiceSpec{
			Group:                "metrics.k8s.io",
			Version:              "v1beta1",
			Service:              &apiregistrationv1.ServiceReference{Namespace: metricsNamespace, Name: metricsService, Port: &port},
			CABundle:             caPEM,
			GroupPriorityMinimum: 100,
			VersionPriority:      100,
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating APIService %s: %v", metricsAPIService, err)
	}
}
