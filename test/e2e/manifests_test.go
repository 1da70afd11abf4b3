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
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/diff"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"sigs.k8s.io/yaml"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// The kustomize base applies to a real kube-apiserver with server-side validation: every
// object is schema-valid, references resolve, and field validation is strict.
func TestKustomizeBaseAppliesWithServerSideValidation(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	dir := filepath.Join("..", "..", "artifacts", "deploy")
	out := kubectl(t, ctx, "apply", "-k", dir, "--dry-run=server", "--validate=strict")
	for _, want := range []string{
		"deployment.apps/edgewatcher-apiserver", "service/edge-watcher", "poddisruptionbudget.policy/edgewatcher-apiserver",
		"networkpolicy.networking.k8s.io/edgewatcher-apiserver", "clusterrole.rbac.authorization.k8s.io/edgewatcher-viewer",
		"clusterrole.rbac.authorization.k8s.io/edgewatcher-admin", "role.rbac.authorization.k8s.io/edgewatcher-apiserver",
		"daemonset.apps/edgewatcher-syncer", "clusterrole.rbac.authorization.k8s.io/edgewatcher-syncer",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("apply -k output lacks %s:\n%s", want, out)
		}
	}
}

// certManagerOverlayDir is the kustomize overlay that takes the serving certificate from cert-manager.
var certManagerOverlayDir = filepath.Join("..", "..", "artifacts", "overlays", "cert-manager")

// certManagerGroup is the API group of cert-manager's Issuer and Certificate.
const certManagerGroup = "cert-manager.io"

// splitCertManager returns the rendering's cert-manager objects and the rest as one YAML stream.
func splitCertManager(m manifest) (cm []manifestObject, rest string) {
	var b strings.Builder
	for _, o := range m.Objects {
		if apiVersion, _ := o.Fields["apiVersion"].(string); strings.HasPrefix(apiVersion, certManagerGroup+"/") {
			cm = append(cm, o)
			continue
		}
		b.WriteString("---\n")
		b.Write(o.Raw)
		b.WriteString("\n")
	}
	return cm, b.String()
}

// The cert-manager overlay renders and its objects apply to a real kube-apiserver with server-side
// validation. cert-manager's CRDs are not installed in the test control plane, so only the other objects
// (the base as patched, and the APIService) are applied server-side; the Issuers and Certificates are
// checked here, in Go, against the fields of cert-manager.io/v1 (strictly decoded) and against the
// objects that use them: the Service's DNS names, the Deployment's Secret volume and TLS flags, and the
// APIService's inject-ca-from annotation.
func TestKustomizeCertManagerOverlayAppliesWithServerSideValidation(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	m := parseManifest(t, kubectl(t, ctx, "kustomize", certManagerOverlayDir))
	checkCertManagerObjects(t, m, "kubeedge")
	checkOverlayArgs(t, m)
	cmObjects, rest := splitCertManager(m)
	if len(cmObjects) != 4 {
		t.Errorf("the overlay has %d cert-manager objects, want 4 (two Issuers, two Certificates)", len(cmObjects))
	}
	out, stderr, err := cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: rest}, "apply", "-f", "-", "--dry-run=server", "--validate=strict")
	if err != nil {
		t.Fatalf("server-side dry-run apply: %v\n%s\nrendering:\n%s", err, stderr, rest)
	}
	if got, want := strings.Count(strings.TrimSpace(out), "\n")+1, len(m.Objects)-len(cmObjects); got != want {
		t.Errorf("kubectl applied %d objects, want %d:\n%s", got, want, out)
	}
	for _, want := range []string{"apiservice.apiregistration.k8s.io/v1alpha1.kubeedge.kubesphere.io", "deployment.apps/edgewatcher-apiserver"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %s:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(stderr, "\n") {
		// Objects created without kubectl apply (Namespace kubeedge by the seeding, the APIService by the
		// running server's registration) draw a warning about the missing last-applied annotation.
		if strings.HasPrefix(line, "Warning") && !strings.Contains(line, "last-applied-configuration") {
			t.Errorf("kubectl warned: %s", line)
		}
	}
}

// checkOverlayArgs checks that the overlay's apiserver arguments are the base's, without self-registration and
// the shared self-signed pair, plus the certificate files: the JSON patch's tests pin the indices it removes.
func checkOverlayArgs(t *testing.T, overlay manifest) {
	t.Helper()
	base := parseManifest(t, kubectl(t, context.Background(), "kustomize", filepath.Join("..", "..", "artifacts", "deploy")))
	want := slices.DeleteFunc(apiserverArgs(t, base, "kubeedge"), func(a string) bool {
		return a == "--register-apiservice" || strings.HasPrefix(a, "--serving-cert-secret=")
	})
	want = append(want, "--tls-cert-file=/var/run/edgewatcher/serving-cert/tls.crt", "--tls-private-key-file=/var/run/edgewatcher/serving-cert/tls.key")
	if got := apiserverArgs(t, overlay, "kubeedge"); !slices.Equal(got, want) {
		t.Errorf("overlay apiserver args\n %q\nwant\n %q", got, want)
	}
}

// The cert-manager.io/v1 fields the manifests use. decodeExact fails on any other field, including one that
// differs only in case (which encoding/json would accept).
type (
	cmMeta struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace,omitempty"`
		Labels      map[string]string `json:"labels,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}
	cmIssuerRef struct {
		Name  string `json:"name"`
		Kind  string `json:"kind"`
		Group string `json:"group"`
	}
	cmIssuer struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   cmMeta `json:"metadata"`
		Spec       struct {
			SelfSigned *struct{} `json:"selfSigned,omitempty"`
			CA         *struct {
				SecretName string `json:"secretName"`
			} `json:"ca,omitempty"`
		} `json:"spec"`
	}
	cmCertificate struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   cmMeta `json:"metadata"`
		Spec       struct {
			SecretName  string   `json:"secretName"`
			CommonName  string   `json:"commonName,omitempty"`
			DNSNames    []string `json:"dnsNames,omitempty"`
			IsCA        bool     `json:"isCA,omitempty"`
			Duration    string   `json:"duration,omitempty"`
			RenewBefore string   `json:"renewBefore,omitempty"`
			Usages      []string `json:"usages,omitempty"`
			PrivateKey  *struct {
				Algorithm      string `json:"algorithm,omitempty"`
				Size           int    `json:"size,omitempty"`
				RotationPolicy string `json:"rotationPolicy,omitempty"`
			} `json:"privateKey,omitempty"`
			IssuerRef cmIssuerRef `json:"issuerRef"`
		} `json:"spec"`
	}
)

// checkCertManagerObjects checks the cert-manager objects of a rendering (the overlay or the chart with
// certManager.enabled) in namespace ns and how the apiserver Deployment, its RBAC and the APIService use them.
func checkCertManagerObjects(t *testing.T, m manifest, ns string) {
	t.Helper()
	issuers := map[string]cmIssuer{}
	certs := map[string]cmCertificate{}
	for _, o := range m.Objects {
		apiVersion, _ := o.Fields["apiVersion"].(string)
		if !strings.HasPrefix(apiVersion, certManagerGroup+"/") {
			continue
		}
		if apiVersion != certManagerGroup+"/v1" || o.Namespace != ns {
			t.Errorf("%s: apiVersion %s in namespace %q, want %s/v1 in %s", o.key(), apiVersion, o.Namespace, certManagerGroup, ns)
		}
		switch o.Kind {
		case "Issuer":
			var i cmIssuer
			decodeExact(t, o, &i)
			issuers[o.Name] = i
		case "Certificate":
			var c cmCertificate
			decodeExact(t, o, &c)
			certs[o.Name] = c
		default:
			t.Errorf("unexpected cert-manager object %s", o.key())
		}
	}
	// Each Certificate's issuer exists, and the chain ends in a self-signed Issuer.
	issuerOf := func(c cmCertificate) (cmIssuer, bool) {
		ref := c.Spec.IssuerRef
		i, ok := issuers[ref.Name]
		return i, ok && ref.Kind == "Issuer" && ref.Group == certManagerGroup
	}
	if i, ok := issuers["edgewatcher-selfsigned"]; !ok || i.Spec.SelfSigned == nil {
		t.Errorf("no self-signed Issuer edgewatcher-selfsigned: %+v", i)
	}
	ca, ok := certs["edgewatcher-ca"]
	if i, issued := issuerOf(ca); !ok || !ca.Spec.IsCA || !issued || i.Spec.SelfSigned == nil {
		t.Errorf("Certificate edgewatcher-ca is not a CA issued by the self-signed Issuer: %+v", ca.Spec)
	}
	serving, ok := certs["edgewatcher-apiserver"]
	if !ok {
		t.Fatal("no Certificate edgewatcher-apiserver")
	}
	if i, issued := issuerOf(serving); !issued || i.Spec.CA == nil || i.Spec.CA.SecretName != ca.Spec.SecretName || serving.Spec.IsCA {
		t.Errorf("Certificate edgewatcher-apiserver is not issued by the CA Issuer of Secret %q: issuerRef %+v, issuer %+v", ca.Spec.SecretName, serving.Spec.IssuerRef, i.Spec)
	}
	if !slices.Contains(serving.Spec.Usages, "server auth") {
		t.Errorf("serving certificate usages %q lack server auth", serving.Spec.Usages)
	}
	// The DNS names cover Service edge-watcher: kube-aggregator dials <service>.<namespace>.svc.
	var svc corev1.Service
	decodeObject(t, m, "Service", ns, "edge-watcher", &svc)
	for _, name := range []string{svc.Name + "." + ns + ".svc", svc.Name + "." + ns, svc.Name, svc.Name + "." + ns + ".svc.cluster.local"} {
		if !slices.Contains(serving.Spec.DNSNames, name) {
			t.Errorf("serving certificate DNS names %q lack %s", serving.Spec.DNSNames, name)
		}
	}
	// The Deployment serves that Secret's tls.crt and tls.key.
	var d appsv1.Deployment
	decodeObject(t, m, "Deployment", ns, "edgewatcher-apiserver", &d)
	pod := d.Spec.Template.Spec
	var mountPath string
	for _, v := range pod.Volumes {
		if v.Secret != nil && v.Secret.SecretName == serving.Spec.SecretName {
			for _, vm := range pod.Containers[0].VolumeMounts {
				if vm.Name == v.Name && vm.ReadOnly {
					mountPath = vm.MountPath
				}
			}
		}
	}
	if mountPath == "" {
		t.Fatalf("the apiserver does not mount Secret %s read-only: volumes %+v", serving.Spec.SecretName, pod.Volumes)
	}
	args := pod.Containers[0].Args
	for _, want := range []string{"--tls-cert-file=" + mountPath + "/tls.crt", "--tls-private-key-file=" + mountPath + "/tls.key"} {
		if !slices.Contains(args, want) {
			t.Errorf("apiserver args %q lack %s", args, want)
		}
	}
	for _, a := range args {
		if a == "--register-apiservice" || strings.HasPrefix(a, "--register-apiservice=") || strings.HasPrefix(a, "--serving-cert-secret") {
			t.Errorf("apiserver still has %s, which would overwrite the injected caBundle or share a self-signed pair", a)
		}
	}
	// The APIService trusts what cainjector injects from that Certificate, and points at the Service.
	var api apiregistrationv1.APIService
	decodeObject(t, m, "APIService", "", "v1alpha1.kubeedge.kubesphere.io", &api)
	if got, want := api.Annotations["cert-manager.io/inject-ca-from"], ns+"/edgewatcher-apiserver"; got != want {
		t.Errorf("APIService inject-ca-from %q, want %q", got, want)
	}
	if api.Spec.InsecureSkipTLSVerify || len(api.Spec.CABundle) != 0 {
		t.Errorf("APIService insecureSkipTLSVerify %v with a %d-byte caBundle; want false and none (cainjector fills it)", api.Spec.InsecureSkipTLSVerify, len(api.Spec.CABundle))
	}
	if s := api.Spec.Service; s == nil || s.Namespace != ns || s.Name != svc.Name || s.Port == nil ||
		!slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == *s.Port && p.TargetPort.String() == "https" }) {
		t.Errorf("APIService service %+v does not point at the HTTPS port of Service %s/%s", api.Spec.Service, ns, svc.Name)
	}
	if api.Spec.Group != "kubeedge.kubesphere.io" || api.Spec.Version != "v1alpha1" {
		t.Errorf("APIService serves %s/%s", api.Spec.Group, api.Spec.Version)
	}
	// Least privilege: no APIService writes and no Secret writes remain.
	var cr rbacv1.ClusterRole
	decodeObject(t, m, "ClusterRole", "", "edgewatcher-apiserver", &cr)
	for _, r := range cr.Rules {
		if slices.Contains(r.APIGroups, "apiregistration.k8s.io") {
			t.Errorf("the apiserver ClusterRole still grants %+v", r)
		}
	}
	var role rbacv1.Role
	decodeObject(t, m, "Role", ns, "edgewatcher-apiserver", &role)
	for _, r := range role.Rules {
		if slices.Contains(r.Resources, "secrets") && slices.ContainsFunc(r.Verbs, func(v string) bool { return v != "get" && v != "list" && v != "watch" }) {
			t.Errorf("the apiserver Role still grants %+v", r)
		}
	}
}

// decodeExact decodes o into out and fails the test unless encoding out again gives back exactly o's fields:
// an unknown field, or a known one spelt in another case, does not survive the round trip.
func decodeExact(t *testing.T, o manifestObject, out any) {
	t.Helper()
	if err := yaml.UnmarshalStrict(o.Raw, out); err != nil {
		t.Errorf("%s does not decode strictly as cert-manager.io/v1: %v\n%s", o.key(), err, o.Raw)
		return
	}
	again, err := yaml.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := yaml.Unmarshal(again, &fields); err != nil {
		t.Fatal(err)
	}
	if d := diff.Diff(o.Fields, fields); d != "" {
		t.Errorf("%s has fields cert-manager.io/v1 does not know (-rendered +known):\n%s", o.key(), d)
	}
}
