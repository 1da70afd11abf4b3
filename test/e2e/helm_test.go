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
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/wait"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// helmNamespace is where the chart's value set with a custom namespace installs; the test creates it.
const helmNamespace = "edgewatcher-helm"

// helmPath looks _output/bin/helm up once; `make testbins` builds it from hack/tools/helm.
var helmPath = sync.OnceValues(func() (string, error) { return framework.BinPath("helm") })

// requireHelm returns the helm binary, or skips the test when it is missing (fails it when $CI is set).
func requireHelm(t *testing.T) string {
	t.Helper()
	p, err := helmPath()
	if err == nil {
		return p
	}
	if errors.Is(err, framework.ErrBinaryMissing) && os.Getenv("CI") == "" {
		t.Skipf("skipping: %v (it is built from hack/tools/helm; set CI=1 to make this a failure)", err)
	}
	t.Fatalf("helm is required: %v", err)
	return ""
}

// manifestObject is one document of a rendering.
type manifestObject struct {
	Kind, Namespace, Name string
	// Raw is the document as rendered.
	Raw []byte
	// Fields is the document decoded into JSON-compatible maps.
	Fields map[string]any
}

// key identifies the object in error messages and maps.
func (o manifestObject) key() string { return o.Kind + "/" + o.Namespace + "/" + o.Name }

// manifest is a multi-document YAML rendering.
type manifest struct {
	Text    string
	Objects []manifestObject
}

// parseManifest splits text into its non-empty documents.
func parseManifest(t *testing.T, text string) manifest {
	t.Helper()
	m := manifest{Text: text}
	r := k8syaml.NewYAMLReader(bufio.NewReader(strings.NewReader(text)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading a YAML document: %v", err)
		}
		var fields map[string]any
		if err := yaml.Unmarshal(doc, &fields); err != nil {
			t.Fatalf("decoding a YAML document: %v\n%s", err, doc)
		}
		if len(fields) == 0 {
			continue
		}
		var meta struct {
			Kind     string            `json:"kind"`
			Metadata metav1.ObjectMeta `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatalf("decoding kind and metadata: %v\n%s", err, doc)
		}
		m.Objects = append(m.Objects, manifestObject{Kind: meta.Kind, Namespace: meta.Metadata.Namespace, Name: meta.Metadata.Name, Raw: doc, Fields: fields})
	}
	if len(m.Objects) == 0 {
		t.Fatalf("the rendering has no objects:\n%s", text)
	}
	return m
}

// find returns the object of that kind, namespace and name, or nil.
func (m manifest) find(kind, namespace, name string) *manifestObject {
	for i := range m.Objects {
		if o := &m.Objects[i]; o.Kind == kind && o.Namespace == namespace && o.Name == name {
			return o
		}
	}
	return nil
}

// has reports whether any object is of kind.
func (m manifest) has(kind string) bool {
	return slices.ContainsFunc(m.Objects, func(o manifestObject) bool { return o.Kind == kind })
}

// only returns the documents of the given kinds as one multi-document YAML stream.
func (m manifest) only(kinds ...string) string {
	var b strings.Builder
	for _, o := range m.Objects {
		if slices.Contains(kinds, o.Kind) {
			b.WriteString("---\n")
			b.Write(o.Raw)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// decodeObject decodes the named object into out, failing the test when it is missing.
func decodeObject(t *testing.T, m manifest, kind, namespace, name string, out any) {
	t.Helper()
	o := m.find(kind, namespace, name)
	if o == nil {
		t.Fatalf("the rendering lacks %s %s/%s", kind, namespace, name)
	}
	if err := yaml.Unmarshal(o.Raw, out); err != nil { // unknown fields are the server's to refuse
		t.Fatalf("decoding %s: %v\n%s", o.key(), err, o.Raw)
	}
}

// chartDir is artifacts/charts/edgewatcher.
func chartDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "artifacts", "charts", "edgewatcher"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// helmTemplate runs `helm template edgewatcher <chart> --namespace kubeedge` with args (such as --set) and
// parses the rendering. helm's cache, config and data live in a temporary directory.
func helmTemplate(t *testing.T, args ...string) manifest {
	t.Helper()
	bin := requireHelm(t)
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	full := append([]string{"template", "edgewatcher", chartDir(t), "--namespace", "kubeedge"}, args...)
	cmd := exec.CommandContext(ctx, bin, full...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"), "HELM_DATA_HOME="+filepath.Join(home, "data"))
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(full, " "), err, errOut.String())
	}
	return parseManifest(t, out.String())
}

// helmValueSet is one set of chart values and what its rendering must show.
type helmValueSet struct {
	name string
	args []string
	// namespace is the chart's namespace value.
	namespace string
	check     func(t *testing.T, m manifest)
}

var helmValueSets = []helmValueSet{
	{
		name:      "defaults",
		namespace: "kubeedge",
		check: func(t *testing.T, m manifest) {
			for _, kind := range []string{"Namespace", "NetworkPolicy", "DaemonSet", "PodDisruptionBudget"} {
				if !m.has(kind) {
					t.Errorf("the default rendering has no %s", kind)
				}
			}
			checkServicePorts(t, m, "kubeedge", []int32{443, 80})
			checkSecretNames(t, m, "kubeedge", []string{"tokensecret"})
			args := apiserverArgs(t, m, "kubeedge")
			for _, want := range []string{"--legacy-listen-address=:8081", "--legacy-auth=delegated"} {
				if !slices.Contains(args, want) {
					t.Errorf("apiserver args %q lack %s", args, want)
				}
			}
		},
	},
	{
		name:      "no legacy listener, minted tokens, no syncer",
		args:      []string{"--set", "legacy.enabled=false", "--set", "mintTokens=true", "--set", "syncer.enabled=false"},
		namespace: "kubeedge",
		check: func(t *testing.T, m manifest) {
			for _, kind := range []string{"NetworkPolicy", "DaemonSet"} {
				if m.has(kind) {
					t.Errorf("the rendering has a %s", kind)
				}
			}
			for _, o := range m.Objects {
				if strings.Contains(o.Name, "syncer") {
					t.Errorf("syncer.enabled=false still renders %s", o.key())
				}
			}
			checkServicePorts(t, m, "kubeedge", []int32{443})
			checkSecretNames(t, m, "kubeedge", []string{"tokensecret", "casecret"})
			args := apiserverArgs(t, m, "kubeedge")
			if !slices.Contains(args, "--mint-tokens") {
				t.Errorf("apiserver args %q lack --mint-tokens", args)
			}
			for _, a := range args {
				if strings.HasPrefix(a, "--legacy-") {
					t.Errorf("legacy.enabled=false still passes %s", a)
				}
			}
		},
	},
	{
		name: "custom namespace, images, pools and syncer ports",
		args: []string{
			"--set", "namespace=" + helmNamespace, "--set", "createNamespace=false",
			"--set", "images.apiserver.repository=registry.example/ew/apiserver", "--set", "images.apiserver.tag=v9.9.9",
			"--set", "images.syncer.pullPolicy=Always", "--set", "apiserver.replicas=3",
			"--set", "legacy.auth=none", "--set", "edgeIPPool={198.51.100.0/24,2001:db8::/64}",
			"--set", "serviceClusterIPRange={10.96.0.0/12}", "--set", "reservationTTL=2h", "--set", "kubeEdgeVersion=v1.20.0",
			"--set", "syncer.extraPorts={10250,10255}", "--set", "syncer.defaultTarget=192.0.2.10",
			"--set", "syncer.resyncPeriod=30s", "--set", "syncer.iptablesBackend=nft",
		},
		namespace: helmNamespace,
		check: func(t *testing.T, m manifest) {
			if m.has("Namespace") {
				t.Error("createNamespace=false still renders a Namespace")
			}
			for _, o := range m.Objects {
				switch {
				case o.Namespace == "" || o.Namespace == helmNamespace:
				case o.Kind == "RoleBinding" && o.Name == "edgewatcher-apiserver-auth-reader" && o.Namespace == "kube-system":
				case o.Name == "edgewatcher-syncer-events" && o.Namespace == "default":
				default:
					t.Errorf("%s is not in namespace %s", o.key(), helmNamespace)
				}
			}
			args := apiserverArgs(t, m, helmNamespace)
			for _, want := range []string{
				"--service-namespace=" + helmNamespace, "--kubeedge-namespace=" + helmNamespace, "--reservation-namespace=" + helmNamespace,
				"--legacy-auth=none", "--edge-ip-pool=198.51.100.0/24", "--edge-ip-pool=2001:db8::/64",
				"--service-cluster-ip-range=10.96.0.0/12", "--reservation-ttl=2h", "--kubeedge-version=v1.20.0",
			} {
				if !slices.Contains(args, want) {
					t.Errorf("apiserver args %q lack %s", args, want)
				}
			}
			var d appsv1.Deployment
			decodeObject(t, m, "Deployment", helmNamespace, "edgewatcher-apiserver", &d)
			if got := d.Spec.Template.Spec.Containers[0].Image; got != "registry.example/ew/apiserver:v9.9.9" {
				t.Errorf("apiserver image %q", got)
			}
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 3 {
				t.Errorf("apiserver replicas %v, want 3", d.Spec.Replicas)
			}
			var ds appsv1.DaemonSet
			decodeObject(t, m, "DaemonSet", helmNamespace, "edgewatcher-syncer", &ds)
			c := ds.Spec.Template.Spec.Containers[0]
			for _, want := range []string{
				"--kubeedge-namespace=" + helmNamespace, "--extra-ports=10250,10255", "--default-target=192.0.2.10",
				"--resync-period=30s", "--iptables-backend=nft",
			} {
				if !slices.Contains(c.Args, want) {
					t.Errorf("syncer args %q lack %s", c.Args, want)
				}
			}
			if c.ImagePullPolicy != corev1.PullAlways {
				t.Errorf("syncer pull policy %q", c.ImagePullPolicy)
			}
			for _, o := range m.Objects {
				if o.Kind != "RoleBinding" && o.Kind != "ClusterRoleBinding" {
					continue
				}
				var b rbacv1.RoleBinding // a ClusterRoleBinding has the same subjects field
				if err := yaml.Unmarshal(o.Raw, &b); err != nil {
					t.Fatal(err)
				}
				for _, s := range b.Subjects {
					if s.Kind == rbacv1.ServiceAccountKind && s.Namespace != helmNamespace {
						t.Errorf("%s binds ServiceAccount %s/%s", o.key(), s.Namespace, s.Name)
					}
				}
			}
		},
	},
}

// certManagerValueSet renders the chart with cert-manager issuing the serving certificate, and the syncer
// removing the old EdgeWatcher agent's rules.
var certManagerValueSet = helmValueSet{
	name:      "cert-manager and legacy rule cleanup",
	args:      []string{"--set", "certManager.enabled=true", "--set", "syncer.cleanLegacyRules=true"},
	namespace: "kubeedge",
	check: func(t *testing.T, m manifest) {
		checkCertManagerObjects(t, m, "kubeedge")
		var ds appsv1.DaemonSet
		decodeObject(t, m, "DaemonSet", "kubeedge", "edgewatcher-syncer", &ds)
		if args := ds.Spec.Template.Spec.Containers[0].Args; !slices.Contains(args, "--clean-legacy-rules") {
			t.Errorf("syncer args %q lack --clean-legacy-rules", args)
		}
	},
}

func init() { helmValueSets = append(helmValueSets, certManagerValueSet) }

// apiserverArgs returns the arguments of the apiserver container, after checking its hardening.
func apiserverArgs(t *testing.T, m manifest, namespace string) []string {
	t.Helper()
	var d appsv1.Deployment
	decodeObject(t, m, "Deployment", namespace, "edgewatcher-apiserver", &d)
	pod := d.Spec.Template.Spec
	if pod.ServiceAccountName != "edgewatcher-apiserver" {
		t.Errorf("apiserver runs as ServiceAccount %q", pod.ServiceAccountName)
	}
	if psc := pod.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("apiserver pod security context %+v: want non-root and seccomp RuntimeDefault", psc)
	}
	if pod.Affinity == nil || pod.Affinity.PodAntiAffinity == nil {
		t.Error("apiserver pods have no anti-affinity")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("apiserver pod has %d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil ||
		!slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
		t.Errorf("apiserver container security context %+v", sc)
	}
	if c.ReadinessProbe == nil || c.LivenessProbe == nil || c.Resources.Requests.Cpu().IsZero() {
		t.Error("apiserver container lacks probes or requests")
	}
	return c.Args
}

// checkServicePorts checks the ports of Service edge-watcher.
func checkServicePorts(t *testing.T, m manifest, namespace string, want []int32) {
	t.Helper()
	var svc corev1.Service
	decodeObject(t, m, "Service", namespace, "edge-watcher", &svc)
	var got []int32
	for _, p := range svc.Spec.Ports {
		got = append(got, p.Port)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Service edge-watcher ports %v, want %v", got, want)
	}
}

// checkSecretNames checks that the apiserver Role reads exactly the named KubeEdge secrets.
func checkSecretNames(t *testing.T, m manifest, namespace string, want []string) {
	t.Helper()
	var role rbacv1.Role
	decodeObject(t, m, "Role", namespace, "edgewatcher-apiserver", &role)
	for _, r := range role.Rules {
		if slices.Contains(r.Resources, "secrets") && slices.Contains(r.Verbs, "get") && !slices.Contains(r.Verbs, "update") {
			if !slices.Equal(r.ResourceNames, want) {
				t.Errorf("the apiserver reads secrets %q, want %q", r.ResourceNames, want)
			}
			return
		}
	}
	t.Errorf("the apiserver Role has no read rule for secrets: %+v", role.Rules)
}

// checkSyncerDaemonSet checks the syncer's placement and privileges.
func checkSyncerDaemonSet(t *testing.T, m manifest, namespace string) {
	t.Helper()
	var ds appsv1.DaemonSet
	decodeObject(t, m, "DaemonSet", namespace, "edgewatcher-syncer", &ds)
	pod := ds.Spec.Template.Spec
	if !pod.HostNetwork || pod.ServiceAccountName != "edgewatcher-syncer" || pod.HostPID || pod.HostIPC {
		t.Errorf("syncer pod: hostNetwork %v, ServiceAccount %q, hostPID %v, hostIPC %v", pod.HostNetwork, pod.ServiceAccountName, pod.HostPID, pod.HostIPC)
	}
	for _, want := range []corev1.Toleration{
		{Key: "node-role.kubernetes.io/control-plane", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: "node-role.kubernetes.io/master", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists},
	} {
		if !slices.Contains(pod.Tolerations, want) {
			t.Errorf("syncer tolerations %+v lack %+v", pod.Tolerations, want)
		}
	}
	excludesEdge := false
	if a := pod.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			excludesEdge = slices.ContainsFunc(term.MatchExpressions, func(r corev1.NodeSelectorRequirement) bool {
				return r.Key == "node-role.kubernetes.io/edge" && r.Operator == corev1.NodeSelectorOpDoesNotExist
			})
			if !excludesEdge {
				break // every term must exclude edge nodes, as terms are ORed
			}
		}
	}
	if !excludesEdge {
		t.Errorf("syncer node affinity %+v does not exclude node-role.kubernetes.io/edge", pod.Affinity)
	}
	if len(pod.Containers) != 1 || len(pod.InitContainers) != 0 {
		t.Fatalf("syncer pod has %d containers and %d init containers", len(pod.Containers), len(pod.InitContainers))
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
		!slices.Equal(sc.Capabilities.Add, []corev1.Capability{"NET_ADMIN"}) || (sc.Privileged != nil && *sc.Privileged) ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("syncer container security context %+v: want only NET_ADMIN, unprivileged, read-only root", sc)
	}
	nodeName := false
	for _, e := range c.Env {
		nodeName = nodeName || e.Name == "NODE_NAME" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "spec.nodeName"
	}
	if !nodeName || !slices.Contains(c.Args, "--node-name=$(NODE_NAME)") {
		t.Errorf("syncer does not take its node name from spec.nodeName: env %+v, args %q", c.Env, c.Args)
	}
}

// The chart renders with each value set, the rendering shows the values, and it applies to a real
// kube-apiserver with server-side dry-run and strict field validation.
func TestHelmChartAppliesWithServerSideValidation(t *testing.T) {
	requireHelm(t)
	seedKubeEdge(t)
	ctx := context.Background()
	if _, _, err := cp.Kubectl(ctx, "create", "namespace", helmNamespace); err != nil && !strings.Contains(err.Error(), "AlreadyExists") {
		t.Fatal(err)
	}
	for _, vs := range helmValueSets {
		t.Run(vs.name, func(t *testing.T) {
			m := helmTemplate(t, vs.args...)
			vs.check(t, m)
			if m.has("DaemonSet") {
				checkSyncerDaemonSet(t, m, vs.namespace)
			}
			// cert-manager's CRDs are not installed in the test control plane: its Issuers and Certificates are
			// checked structurally by the value set's check (checkCertManagerObjects), the rest server-side.
			cmObjects, text := splitCertManager(m)
			out, stderr, err := cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: text}, "apply", "-f", "-", "--dry-run=server", "--validate=strict")
			if err != nil {
				t.Fatalf("server-side dry-run apply: %v\n%s\nrendering:\n%s", err, stderr, text)
			}
			if got, want := strings.Count(strings.TrimSpace(out), "\n")+1, len(m.Objects)-len(cmObjects); got != want {
				t.Errorf("kubectl applied %d objects, want %d of the rendering's %d:\n%s", got, want, len(m.Objects), out)
			}
			for _, line := range strings.Split(stderr, "\n") {
				// Objects that the seeding created without kubectl apply, such as Namespace kubeedge, draw a
				// warning about the missing last-applied annotation; any other warning is a finding.
				if strings.HasPrefix(line, "Warning") && !strings.Contains(line, "last-applied-configuration") {
					t.Errorf("kubectl warned: %s", line)
				}
			}
		})
	}
}

// Invalid values are refused by values.schema.json before anything renders.
func TestHelmChartSchemaRefusesInvalidValues(t *testing.T) {
	bin := requireHelm(t)
	for _, set := range []string{
		"legacy.auth=anonymous", "namespace=Kube_Edge", "edgeIPPool={not-a-cidr}", "syncer.extraPorts={70000}",
		"images.apiserver.pullPolicy=Sometimes", "apiserver.replicas=-1", "typo=1",
		"certManager.enabled=yes", "certManager.issuer=x", "syncer.cleanLegacyRules=yes",
		"kubesphere.extensionAPIService.enabled=yes", "kubesphere.extensionAPIService.url=x",
	} {
		cmd := exec.Command(bin, "template", "edgewatcher", chartDir(t), "--set", set)
		cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "schema") {
			t.Errorf("--set %s: err %v, want a schema error:\n%.500s", set, err, out)
		}
	}
}

// normalizedForComparison drops what the chart adds on purpose: labels and annotations (helm's
// app.kubernetes.io/instance, managed-by, version and chart) and the explicit image pull policy.
func normalizedForComparison(t *testing.T, o manifestObject) map[string]any {
	t.Helper()
	var fields map[string]any
	if err := yaml.Unmarshal(o.Raw, &fields); err != nil {
		t.Fatal(err)
	}
	dropLabels := func(obj map[string]any, path ...string) {
		for _, p := range path {
			next, ok := obj[p].(map[string]any)
			if !ok {
				return
			}
			obj = next
		}
		delete(obj, "labels")
		delete(obj, "annotations")
	}
	dropLabels(fields, "metadata")
	dropLabels(fields, "spec", "template", "metadata")
	if spec, ok := fields["spec"].(map[string]any); ok {
		if tpl, ok := spec["template"].(map[string]any); ok {
			if podSpec, ok := tpl["spec"].(map[string]any); ok {
				for _, key := range []string{"containers", "initContainers"} {
					cs, _ := podSpec[key].([]any)
					for _, c := range cs {
						if cm, ok := c.(map[string]any); ok {
							delete(cm, "imagePullPolicy")
						}
					}
				}
			}
		}
	}
	return fields
}

// Every object of the kustomize base is in the default helm rendering, with the same content apart
// from labels and the image pull policy. The chart may render more (the syncer).
func TestHelmChartRendersTheKustomizeBase(t *testing.T) {
	compareKustomizeWithChart(t, filepath.Join("..", "..", "artifacts", "deploy"))
}

// Every object of the cert-manager overlay is in the rendering with certManager.enabled, likewise.
func TestHelmChartRendersTheCertManagerOverlay(t *testing.T) {
	compareKustomizeWithChart(t, certManagerOverlayDir, "--set", "certManager.enabled=true")
}

// compareKustomizeWithChart checks that every object `kubectl kustomize dir` renders is in the chart's rendering
// with helmArgs, with the same content apart from labels, annotations and the image pull policy.
func compareKustomizeWithChart(t *testing.T, dir string, helmArgs ...string) {
	t.Helper()
	requireHelm(t)
	ctx := context.Background()
	base := parseManifest(t, kubectl(t, ctx, "kustomize", dir))
	chart := helmTemplate(t, helmArgs...)
	// The base's Role lists casecret even though it does not pass --mint-tokens; the chart lists it only
	// with mintTokens=true, so that Role is compared with that rendering.
	minted := helmTemplate(t, append(slices.Clone(helmArgs), "--set", "mintTokens=true")...)
	compareWith := map[string]manifest{"Role/kubeedge/edgewatcher-apiserver": minted}
	for _, b := range base.Objects {
		m, ok := compareWith[b.key()]
		if !ok {
			m = chart
		}
		c := m.find(b.Kind, b.Namespace, b.Name)
		if c == nil {
			t.Errorf("the default helm rendering lacks %s of the kustomize base", b.key())
			continue
		}
		if d := diff.Diff(normalizedForComparison(t, b), normalizedForComparison(t, *c)); d != "" {
			t.Errorf("%s differs between the kustomize base and the chart (-base +chart):\n%s", b.key(), d)
		}
	}
}

// sarCheck is one SubjectAccessReview and its expected answer.
type sarCheck struct {
	allowed bool
	attrs   authorizationv1.ResourceAttributes
}

func (c sarCheck) String() string {
	a := c.attrs
	res := strings.TrimSuffix(a.Resource+"/"+a.Subresource, "/")
	if a.Group != "" {
		res = a.Group + "/" + res
	}
	return fmt.Sprintf("%s %s %q in namespace %q", a.Verb, res, a.Name, a.Namespace)
}

// ra builds ResourceAttributes: group, resource (with an optional /subresource), verb, namespace, name.
func ra(group, resource, verb, namespace, name string) authorizationv1.ResourceAttributes {
	res, sub, _ := strings.Cut(resource, "/")
	return authorizationv1.ResourceAttributes{Group: group, Resource: res, Subresource: sub, Verb: verb, Namespace: namespace, Name: name}
}

// The ServiceAccounts of the default rendering get what they need and nothing more: RBAC objects of
// the chart applied for real, then SubjectAccessReviews for each ServiceAccount's identity.
func TestHelmChartRBACIsLeastPrivilege(t *testing.T) {
	requireHelm(t)
	seedKubeEdge(t)
	ctx := context.Background()
	m := helmTemplate(t)
	rbacOnly := m.only("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
	// The chart's apiserver Role drops casecret, which artifacts/deploy/server-rbac.yaml grants; other tests
	// run a replica with exactly the base's rights, so the base is restored afterwards.
	t.Cleanup(func() {
		for _, f := range []string{"server-rbac.yaml", "user-roles.yaml"} {
			manifest, err := os.ReadFile(filepath.Join("..", "..", "artifacts", "deploy", f))
			if err != nil {
				t.Error(err)
				continue
			}
			if _, stderr, err := cp.KubectlWith(context.Background(), framework.KubectlOptions{Stdin: string(manifest)}, "apply", "-f", "-"); err != nil {
				t.Errorf("restoring artifacts/deploy/%s: %v\n%s", f, err, stderr)
			}
		}
	})
	if _, stderr, err := cp.KubectlWith(ctx, framework.KubectlOptions{Stdin: rbacOnly}, "apply", "-f", "-", "--validate=strict"); err != nil {
		t.Fatalf("applying the chart's RBAC: %v\n%s", err, stderr)
	}

	const ns = "kubeedge"
	coord, authn, apireg := "coordination.k8s.io", "authentication.k8s.io", "apiregistration.k8s.io"
	accounts := map[string][]sarCheck{
		"edgewatcher-apiserver": {
			// Needed.
			{true, ra("", "secrets", "get", ns, "tokensecret")},
			{true, ra("", "secrets", "watch", ns, "tokensecret")},
			{true, ra("", "secrets", "update", ns, "edgewatcher-serving-cert")},
			{true, ra("", "nodes", "list", "", "")},
			{true, ra("", "nodes", "delete", "", "edge-node-1")},
			{true, ra(authn, "tokenreviews", "create", "", "")},
			{true, ra("authorization.k8s.io", "subjectaccessreviews", "create", "", "")},
			{true, ra("", "configmaps", "get", "kube-system", "extension-apiserver-authentication")},
			{true, ra("", "configmaps", "get", ns, "cloudcore")},
			{true, ra(coord, "leases", "create", ns, "")},
			{true, ra(apireg, "apiservices", "update", "", "v1alpha1.kubeedge.kubesphere.io")},
			// Not excessive: no secret outside the KubeEdge namespace, none there but by name.
			{false, ra("", "secrets", "get", "default", "tokensecret")},
			{false, ra("", "secrets", "get", "kube-system", "tokensecret")},
			{false, ra("", "secrets", "list", "", "")},
			{false, ra("", "secrets", "get", "", "tokensecret")},
			{false, ra("", "secrets", "watch", "", "")},
			{false, ra("", "secrets", "list", ns, "")},
			{false, ra("", "secrets", "get", ns, "casecret")}, // mintTokens is off by default
			{false, ra("", "secrets", "get", ns, "cloudcore")},
			{false, ra("", "secrets", "update", ns, "tokensecret")},
			{false, ra("", "configmaps", "get", ns, "kube-root-ca.crt")},
			{false, ra("", "configmaps", "update", ns, "cloudcore")},
			{false, ra("", "nodes", "patch", "", "edge-node-1")},
			{false, ra("", "pods", "list", "", "")},
			{false, ra(coord, "leases", "create", "default", "")},
			{false, ra(apireg, "apiservices", "update", "", "v1.apps")},
			{false, ra("kubeedge.kubesphere.io", "edgenodes/jointoken", "create", "", "edge-node-1")},
		},
		"edgewatcher-syncer": {
			// Needed.
			{true, ra("", "nodes", "list", "", "")},
			{true, ra("", "nodes", "watch", "", "")},
			{true, ra("", "nodes", "get", "", "edge-node-1")},
			{true, ra("", "configmaps", "list", ns, "tunnelport")},
			{true, ra("", "configmaps", "watch", ns, "cloudcore")},
			{true, ra("", "services", "watch", ns, "cloudcore")},
			{true, ra("", "pods", "list", ns, "")},
			{true, ra("", "pods", "watch", ns, "")},
			{true, ra(coord, "leases", "create", ns, "")},
			{true, ra(coord, "leases", "update", ns, "edgewatcher-syncer-node-1")},
			{true, ra("", "events", "create", "default", "")},
			{true, ra("", "events", "patch", "default", "")},
			// Not excessive: no writes to Nodes, no secrets anywhere.
			{false, ra("", "nodes", "update", "", "edge-node-1")},
			{false, ra("", "nodes", "patch", "", "edge-node-1")},
			{false, ra("", "nodes", "delete", "", "edge-node-1")},
			{false, ra("", "nodes", "create", "", "")},
			{false, ra("", "nodes/status", "patch", "", "edge-node-1")},
			{false, ra("", "nodes/status", "update", "", "edge-node-1")},
			{false, ra("", "nodes/proxy", "get", "", "edge-node-1")},
			{false, ra("", "secrets", "get", ns, "tokensecret")},
			{false, ra("", "secrets", "get", ns, "casecret")},
			{false, ra("", "secrets", "list", ns, "")},
			{false, ra("", "secrets", "get", "default", "x")},
			{false, ra("", "secrets", "list", "", "")},
			{false, ra("", "configmaps", "list", ns, "")},
			{false, ra("", "configmaps", "get", ns, "edge-watcher-config")},
			{false, ra("", "configmaps", "update", ns, "tunnelport")},
			{false, ra("", "services", "list", ns, "")},
			{false, ra("", "pods", "list", "", "")},
			{false, ra("", "pods", "create", ns, "")},
			{false, ra(coord, "leases", "delete", ns, "edgewatcher-syncer-node-1")},
			{false, ra(coord, "leases", "create", "kube-node-lease", "")},
			{false, ra("", "events", "create", ns, "")},
			{false, ra("kubeedge.kubesphere.io", "edgenodes", "list", "", "")},
		},
	}
	for sa, checks := range accounts {
		t.Run(sa, func(t *testing.T) {
			// RBAC reaches the authorizer through informers: wait for every grant first, so that a denial
			// afterwards is not an artifact of a cache that has not seen the new bindings yet.
			slices.SortStableFunc(checks, func(a, b sarCheck) int {
				if a.allowed == b.allowed {
					return 0
				}
				if a.allowed {
					return -1
				}
				return 1
			})
			for _, c := range checks {
				var got bool
				var reason string
				err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
					sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
						User:               "system:serviceaccount:" + ns + ":" + sa,
						Groups:             []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
						ResourceAttributes: &c.attrs,
					}}
					res, err := cp.Client().AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
					if err != nil {
						return false, err
					}
					got, reason = res.Status.Allowed, res.Status.Reason
					return got == c.allowed, nil
				})
				if err != nil {
					t.Errorf("%s may %s: allowed=%v (%s), want %v: %v", sa, c, got, reason, c.allowed, err)
				}
			}
		})
	}
}
