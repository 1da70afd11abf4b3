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
	"crypto/x509"
	"fmt"
	"maps"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/jointoken"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// KubeEdge object names that SeedDemo creates, as cloudcore and its Helm chart name them.
const (
	// KubeEdgeNamespace is the namespace cloudcore runs in.
	KubeEdgeNamespace = "kubeedge"
	// CloudCoreConfigMap holds cloudcore.yaml.
	CloudCoreConfigMap = "cloudcore"
	// TunnelPortConfigMap records which tunnel port each cloudcore owns, in an annotation.
	TunnelPortConfigMap = "tunnelport"
	// TunnelPortAnnotation is the annotation on TunnelPortConfigMap holding the JSON record.
	TunnelPortAnnotation = "tunnelportrecord.kubeedge.io"
	// TokenSecret holds the current join token under key tokendata.
	TokenSecret = "tokensecret"
	// CASecret holds cloudcore's CA under keys cadata and cakeydata.
	CASecret = "casecret"
	// EdgeRoleLabel marks a Node as a KubeEdge edge node.
	EdgeRoleLabel = "node-role.kubernetes.io/edge"
	// DemoCloudCoreAddress is the cloudcore advertise address used in the demo data (a documentation address).
	DemoCloudCoreAddress = "192.0.2.10"
)

// DemoEdgeNodes are the names of the edge Nodes SeedDemo creates.
var DemoEdgeNodes = []string{"edge-node-1", "edge-node-2"}

// DemoCloudNodes are the names of the non-edge Nodes SeedDemo creates.
var DemoCloudNodes = []string{"cloud-node-1"}

// demoCloudCoreYAML is a cloudcore.yaml shaped like the one the KubeEdge cloudcore Helm chart writes.
const demoCloudCoreYAML = `apiVersion: cloudcore.config.kubeedge.io/v1alpha2
kind: CloudCore
kubeAPIConfig:
  kubeConfig: ""
  master: ""
  qps: 100
  burst: 200
modules:
  cloudHub:
    advertiseAddress:
    - ` + DemoCloudCoreAddress + `
    dnsNames:
    - cloudcore.kubeedge.svc
    nodeLimit: 1000
    tlsCAFile: /etc/kubeedge/ca/rootCA.crt
    tlsCertFile: /etc/kubeedge/certs/edge.crt
    tlsPrivateKeyFile: /etc/kubeedge/certs/edge.key
    tokenRefreshDuration: 12
    unixsocket:
      address: unix:///var/lib/kubeedge/kubeedge.sock
      enable: true
    websocket:
      address: 0.0.0.0
      enable: true
      port: 10000
    quic:
      address: 0.0.0.0
      enable: false
      maxIncomingStreams: 10000
      port: 10001
    https:
      address: 0.0.0.0
      enable: true
      port: 10002
  cloudStream:
    enable: true
    streamPort: 10003
    tunnelPort: 10004
    tlsStreamCAFile: /etc/kubeedge/ca/streamCA.crt
    tlsStreamCertFile: /etc/kubeedge/certs/stream.crt
    tlsStreamPrivateKeyFile: /etc/kubeedge/certs/stream.key
    tlsTunnelCAFile: /etc/kubeedge/ca/rootCA.crt
    tlsTunnelCertFile: /etc/kubeedge/certs/server.crt
    tlsTunnelPrivateKeyFile: /etc/kubeedge/certs/server.key
  deviceController:
    enable: true
  dynamicController:
    enable: true
  edgeController:
    enable: true
  router:
    enable: false
  iptablesManager:
    enable: true
    mode: external
  taskManager:
    enable: false
`

// demoTunnelPortRecord says two cloudcore replicas own tunnel ports 10351 and 10352, matching the demo edge nodes.
const demoTunnelPortRecord = `{"ipTunnelPort":{"192.0.2.10":10351,"192.0.2.11":10352},"port":{"10351":true,"10352":true}}`

// SeedDemo creates or updates realistic KubeEdge demo data: what SeedKubeEdge creates, plus two edge Nodes and
// one cloud Node with status.
func SeedDemo(ctx context.Context, client kubernetes.Interface) error {
	if err := SeedKubeEdge(ctx, client); err != nil {
		return err
	}
	for _, n := range demoNodes(time.Now()) {
		if err := applyNode(ctx, client, n); err != nil {
			return err
		}
	}
	return nil
}

// SeedKubeEdge creates or updates what a cloudcore installation leaves in the cluster: namespace kubeedge, the
// cloudcore and tunnelport ConfigMaps, the cloudcore NodePort Service, and the casecret and tokensecret Secrets
// (a join token valid for 24 hours, signed the way cloudcore signs one).
func SeedKubeEdge(ctx context.Context, client kubernetes.Interface) error {
	if err := ensureNamespace(ctx, client, KubeEdgeNamespace); err != nil {
		return err
	}
	cloudcore := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: CloudCoreConfigMap, Namespace: KubeEdgeNamespace, Labels: map[string]string{"k8s-app": "kubeedge", "kubeedge": "cloudcore"}},
		Data:       map[string]string{"cloudcore.yaml": demoCloudCoreYAML},
	}
	if err := applyConfigMap(ctx, client, cloudcore); err != nil {
		return err
	}
	tunnel := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: TunnelPortConfigMap, Namespace: KubeEdgeNamespace,
		Annotations: map[string]string{TunnelPortAnnotation: demoTunnelPortRecord},
	}}
	if err := applyConfigMap(ctx, client, tunnel); err != nil {
		return err
	}
	ca, err := ensureCloudCoreCA(ctx, client)
	if err != nil {
		return err
	}
	token, _, err := jointoken.Mint(ca.CertDER, ca.KeyDER, 24*time.Hour, time.Now())
	if err != nil {
		return err
	}
	tokenSecret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: TokenSecret, Namespace: KubeEdgeNamespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"tokendata": []byte(token)},
	}
	if err := applySecret(ctx, client, tokenSecret); err != nil {
		return err
	}
	return applyCloudCoreService(ctx, client)
}

// applyCloudCoreService creates the cloudcore Service as the KubeEdge chart does in NodePort mode.
func applyCloudCoreService(ctx context.Context, client kubernetes.Interface) error {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "cloudcore", Namespace: KubeEdgeNamespace, Labels: map[string]string{"k8s-app": "kubeedge", "kubeedge": "cloudcore"}},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeNodePort,
			Selector: map[string]string{"k8s-app": "kubeedge", "kubeedge": "cloudcore"},
			Ports: []corev1.ServicePort{
				{Name: "cloudhub", Port: 10000, TargetPort: intstr.FromInt32(10000), NodePort: 30000, Protocol: corev1.ProtocolTCP},
				{Name: "cloudhub-quic", Port: 10001, TargetPort: intstr.FromInt32(10001), NodePort: 30001, Protocol: corev1.ProtocolUDP},
				{Name: "cloudhub-https", Port: 10002, TargetPort: intstr.FromInt32(10002), NodePort: 30002, Protocol: corev1.ProtocolTCP},
				{Name: "cloudstream", Port: 10003, TargetPort: intstr.FromInt32(10003), NodePort: 30003, Protocol: corev1.ProtocolTCP},
				{Name: "tunnelport", Port: 10004, TargetPort: intstr.FromInt32(10004), NodePort: 30004, Protocol: corev1.ProtocolTCP},
			},
		},
	}
	// An existing Service is kept: re-creating it would clash with its own allocated node ports.
	if _, err := client.CoreV1().Services(KubeEdgeNamespace).Get(ctx, svc.Name, metav1.GetOptions{}); err == nil || !apierrors.IsNotFound(err) {
		return err
	}
	_, err := client.CoreV1().Services(KubeEdgeNamespace).Create(ctx, svc, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// ensureCloudCoreCA returns the CA in kubeedge/casecret, creating the secret with a new CA if it is missing or invalid.
func ensureCloudCoreCA(ctx context.Context, client kubernetes.Interface) (*CloudCoreCA, error) {
	got, err := client.CoreV1().Secrets(KubeEdgeNamespace).Get(ctx, CASecret, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("get secret %s/%s: %w", KubeEdgeNamespace, CASecret, err)
	}
	if err == nil {
		ca := &CloudCoreCA{CertDER: got.Data["cadata"], KeyDER: got.Data["cakeydata"]}
		if _, certErr := x509.ParseCertificate(ca.CertDER); certErr == nil {
			if _, keyErr := x509.ParseECPrivateKey(ca.KeyDER); keyErr == nil {
				return ca, nil
			}
		}
	}
	ca, err := NewCloudCoreCA()
	if err != nil {
		return nil, err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: CASecret, Namespace: KubeEdgeNamespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"cadata": ca.CertDER, "cakeydata": ca.KeyDER},
	}
	if err := applySecret(ctx, client, secret); err != nil {
		return nil, err
	}
	return ca, nil
}

// ensureNamespace creates the namespace if it does not exist.
func ensureNamespace(ctx context.Context, client kubernetes.Interface, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}

// applyConfigMap creates want, or replaces the data, labels and annotations of the existing ConfigMap.
func applyConfigMap(ctx context.Context, client kubernetes.Interface, want *corev1.ConfigMap) error {
	api := client.CoreV1().ConfigMaps(want.Namespace)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		got, err := api.Get(ctx, want.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			_, err = api.Create(ctx, want, metav1.CreateOptions{})
			return err
		}
		if err != nil {
			return err
		}
		got.Data, got.BinaryData = want.Data, want.BinaryData
		got.Labels = mergeMaps(got.Labels, want.Labels)
		got.Annotations = mergeMaps(got.Annotations, want.Annotations)
		_, err = api.Update(ctx, got, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("apply configmap %s/%s: %w", want.Namespace, want.Name, err)
	}
	return nil
}

// applySecret creates want, or replaces the type-compatible data and labels of the existing Secret.
func applySecret(ctx context.Context, client kubernetes.Interface, want *corev1.Secret) error {
	api := client.CoreV1().Secrets(want.Namespace)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		got, err := api.Get(ctx, want.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			_, err = api.Create(ctx, want, metav1.CreateOptions{})
			return err
		}
		if err != nil {
			return err
		}
		got.Data = want.Data
		got.Labels = mergeMaps(got.Labels, want.Labels)
		_, err = api.Update(ctx, got, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("apply secret %s/%s: %w", want.Namespace, want.Name, err)
	}
	return nil
}

// applyNode creates or updates the Node's labels and spec, then writes its status through the status subresource.
func applyNode(ctx context.Context, client kubernetes.Interface, want *corev1.Node) error {
	api := client.CoreV1().Nodes()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		got, err := api.Get(ctx, want.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			_, err = api.Create(ctx, &corev1.Node{ObjectMeta: want.ObjectMeta, Spec: want.Spec}, metav1.CreateOptions{})
			return err
		}
		if err != nil {
			return err
		}
		got.Labels = mergeMaps(got.Labels, want.Labels)
		got.Spec.Taints = want.Spec.Taints
		got.Spec.Unschedulable = want.Spec.Unschedulable
		_, err = api.Update(ctx, got, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("apply node %s: %w", want.Name, err)
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		got, err := api.Get(ctx, want.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		got.Status = want.Status
		_, err = api.UpdateStatus(ctx, got, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("update status of node %s: %w", want.Name, err)
	}
	return nil
}

// mergeMaps returns dst with every entry of src set; dst is allocated when nil.
func mergeMaps(dst, src map[string]string) map[string]string {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[string]string, len(src))
	}
	maps.Copy(dst, src)
	return dst
}
