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

package plugin

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// groupPath is where the fake serves edgenodes.
const groupPath = "/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes"

// fakeExpiry is the expiry of every token the fake issues.
var fakeExpiry = metav1.NewTime(time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC))

// fakeAPI serves the edgenodes resource and its subresources like edgewatcher-apiserver, in memory.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	nodes    map[string]*v1alpha1.EdgeNode
	requests []*http.Request
	bodies   []string
}

// newFakeAPI starts a fake holding nodes.
func newFakeAPI(t *testing.T, nodes ...*v1alpha1.EdgeNode) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, nodes: map[string]*v1alpha1.EdgeNode{}}
	for _, n := range nodes {
		f.nodes[n.Name] = n
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+groupPath+"/{name}/joincommand", f.joinCommand)
	mux.HandleFunc("POST "+groupPath+"/{name}/jointoken", f.joinToken)
	mux.HandleFunc("GET "+groupPath, f.list)
	mux.HandleFunc("DELETE "+groupPath+"/{name}", f.delete)
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r)
		f.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// pending returns a Pending reservation of name at ip.
func pending(name, ip string, lbls map[string]string) *v1alpha1.EdgeNode {
	return &v1alpha1.EdgeNode{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls},
		Spec:       v1alpha1.EdgeNodeSpec{InternalIP: ip, KubeEdgeVersion: "v1.19.2"},
		Status:     v1alpha1.EdgeNodeStatus{Phase: v1alpha1.EdgeNodePending, InternalIP: ip, ReservedBy: "admin"},
	}
}

// kubeconfig writes a kubeconfig for the fake and returns its path.
func (f *fakeAPI) kubeconfig() string {
	f.t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["fake"] = &clientcmdapi.Cluster{Server: f.srv.URL, CertificateAuthorityData: f.caPEM()}
	cfg.AuthInfos["fake"] = &clientcmdapi.AuthInfo{Token: "fake-token"}
	cfg.Contexts["fake"] = &clientcmdapi.Context{Cluster: "fake", AuthInfo: "fake"}
	cfg.CurrentContext = "fake"
	path := filepath.Join(f.t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// caPEM returns the fake's serving certificate, which is self-signed, as PEM.
func (f *fakeAPI) caPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw})
}

// run executes the plugin against the fake and returns stdout, stderr and the exit code.
func (f *fakeAPI) run(args ...string) (stdout, stderr string, code int) {
	f.t.Helper()
	return runPlugin(f.t, append(args, "--kubeconfig="+f.kubeconfig())...)
}

// runPlugin executes the plugin with args and returns stdout, stderr and the exit code.
func runPlugin(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut strings.Builder
	code = Run(t.Context(), args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return out.String(), errOut.String(), code
}

// lastBody returns the body of the last request that had one.
func (f *fakeAPI) lastBody() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bodies) == 0 {
		return ""
	}
	return f.bodies[len(f.bodies)-1]
}

// lastRequest returns the last request the fake received.
func (f *fakeAPI) lastRequest() *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		f.t.Fatal("the fake received no request")
	}
	return f.requests[len(f.requests)-1]
}

// names returns the names of the fake's edge nodes, sorted.
func (f *fakeAPI) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	names := make([]string, 0, len(f.nodes))
	for n := range f.nodes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// requestCount returns how many requests the fake received.
func (f *fakeAPI) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// decode reads a JSON body into obj and keeps it for lastBody.
func (f *fakeAPI) decode(r *http.Request, obj any) {
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		f.t.Errorf("decoding request body: %v", err)
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, string(raw))
	f.mu.Unlock()
	if err := json.Unmarshal(raw, obj); err != nil {
		f.t.Errorf("decoding request body %s: %v", raw, err)
	}
}

// joinCommand reserves like the server: 422 for the address "bad", 409 for an address another node holds.
func (f *fakeAPI) joinCommand(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var req v1alpha1.JoinCommand
	f.decode(r, &req)
	f.mu.Lock()
	defer f.mu.Unlock()
	ip := req.Spec.InternalIP
	if ip == "bad" {
		writeStatus(w, apierrors.NewInvalid(schema.GroupKind{Group: v1alpha1.GroupName, Kind: "JoinCommand"}, name, field.ErrorList{
			field.Invalid(field.NewPath("spec", "internalIP"), ip, "must be a valid IP address"),
		}))
		return
	}
	for _, n := range f.nodes {
		if ip != "" && n.Spec.InternalIP == ip && n.Name != name {
			writeStatus(w, apierrors.NewConflict(v1alpha1.Resource("edgenodes"), name,
				fmt.Errorf("address %s is reserved for edge node %q by admin until 2031-05-06T07:08:09Z", ip, n.Name)))
			return
		}
	}
	if existing, ok := f.nodes[name]; ok {
		ip = existing.Spec.InternalIP
	} else if r.URL.Query().Get("dryRun") == "" {
		f.nodes[name] = pending(name, ip, req.Spec.Labels)
	}
	version := orDefault(req.Spec.KubeEdgeVersion, "v1.23.1")
	req.Name = name
	req.Status = v1alpha1.JoinCommandStatus{
		Args:            []string{"keadm", "join", "--edgenode-name=" + name, "--kubeedge-version=" + version},
		KubeEdgeVersion: version,
		InternalIP:      ip,
		TokenExpiresAt:  fakeExpiry,
		Warnings:        []string{"cloudcore is reached through NodePort 30000"},
	}
	req.Status.Command = "keadm join '--edgenode-name=" + name + "' '--kubeedge-version=" + version + "'"
	if len(req.Spec.Taints) > 0 {
		req.Status.Limitations = []string{"taints: keadm cannot register taints"}
	}
	writeJSON(w, http.StatusCreated, &req)
}

// joinToken issues a token for a Pending reservation and answers 404 otherwise.
func (f *fakeAPI) joinToken(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var req v1alpha1.JoinToken
	f.decode(r, &req)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.nodes[name]; !ok {
		writeStatus(w, apierrors.NewNotFound(v1alpha1.Resource("edgenodes"), name))
		return
	}
	req.Name = name
	req.Status = v1alpha1.JoinTokenStatus{Token: strings.Repeat("ab", 32) + ".eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln", ExpiresAt: fakeExpiry, Source: "tokensecret"}
	writeJSON(w, http.StatusCreated, &req)
}

// list answers a Table when asked as kubectl asks, else an EdgeNodeList.
func (f *fakeAPI) list(w http.ResponseWriter, r *http.Request) {
	sel, err := labels.Parse(r.URL.Query().Get("labelSelector"))
	if r.URL.Query().Get("labelSelector") == "forbidden" {
		writeStatus(w, apierrors.NewForbidden(v1alpha1.Resource("edgenodes"), "", errors.New(`User "nobody" cannot list resource "edgenodes"`)))
		return
	}
	if err != nil {
		writeStatus(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	f.mu.Lock()
	var items []v1alpha1.EdgeNode
	for _, n := range f.nodes {
		if sel.Matches(labels.Set(n.Labels)) {
			items = append(items, *n)
		}
	}
	f.mu.Unlock()
	slices.SortFunc(items, func(a, b v1alpha1.EdgeNode) int { return strings.Compare(a.Name, b.Name) })
	if !strings.Contains(r.Header.Get("Accept"), "as=Table") {
		writeJSON(w, http.StatusOK, &v1alpha1.EdgeNodeList{TypeMeta: metav1.TypeMeta{APIVersion: "kubeedge.kubesphere.io/v1alpha1", Kind: "EdgeNodeList"}, Items: items})
		return
	}
	table := &metav1.Table{
		TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "Table"},
		ColumnDefinitions: []metav1.TableColumnDefinition{
			{Name: "Name", Type: "string"}, {Name: "Status", Type: "string"}, {Name: "Internal-IP", Type: "string"},
			{Name: "Kubelet-Port", Type: "integer"}, {Name: "KubeEdge", Type: "string"}, {Name: "Age", Type: "string"},
			{Name: "Phase", Type: "string", Priority: 1},
		},
	}
	for _, n := range items {
		table.Rows = append(table.Rows, metav1.TableRow{Cells: []any{n.Name, string(n.Status.Phase), n.Status.InternalIP, "<none>", n.Spec.KubeEdgeVersion, "5m", string(n.Status.Phase)}})
	}
	writeJSON(w, http.StatusOK, table)
}

// delete removes a node, or answers 404.
func (f *fakeAPI) delete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.nodes[name]; !ok {
		writeStatus(w, apierrors.NewNotFound(v1alpha1.Resource("edgenodes"), name))
		return
	}
	delete(f.nodes, name)
	writeJSON(w, http.StatusOK, &metav1.Status{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Status"}, Status: metav1.StatusSuccess})
}

// writeStatus writes err's Status with its code.
func writeStatus(w http.ResponseWriter, err *apierrors.StatusError) {
	s := err.ErrStatus
	s.APIVersion, s.Kind = "v1", "Status"
	writeJSON(w, int(s.Code), &s)
}

// writeJSON writes obj as JSON with code.
func writeJSON(w http.ResponseWriter, code int, obj any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(obj)
}

// TestMain keeps a developer's own kubeconfig out of the tests.
func TestMain(m *testing.M) {
	_ = os.Setenv("KUBECONFIG", filepath.Join(os.TempDir(), "kubectl-edgenode-tests-no-such-kubeconfig"))
	os.Exit(m.Run())
}
