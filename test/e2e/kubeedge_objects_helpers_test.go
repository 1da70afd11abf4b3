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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// joinAnswer is what one join path answered: the HTTP status and the message (a Status message or the
// console's message), or the command and token on success.
type joinAnswer struct {
	code    int
	message string
	command string
	token   string
}

// postThroughAggregator POSTs body to path through kube-apiserver as admin and returns status and body.
func postThroughAggregator(t *testing.T, path, body string) (int, []byte) {
	t.Helper()
	hc, err := rest.HTTPClientFor(cp.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Post(cp.RestConfig().Host+path, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// decodeAnswer fills a joinAnswer from a Status on failure, or from the object on success.
func decodeAnswer(t *testing.T, code int, body []byte, success any) joinAnswer {
	t.Helper()
	a := joinAnswer{code: code}
	if code >= 300 {
		var st metav1.Status
		if err := json.Unmarshal(body, &st); err != nil || st.Kind != "Status" || int(st.Code) != code {
			t.Fatalf("%d answered without a Status: %s", code, body)
		}
		a.message = st.Message
		return a
	}
	if err := json.Unmarshal(body, success); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return a
}

// postJoinCommand asks for node's keadm command, reserving ip.
func postJoinCommand(t *testing.T, node, ip string) joinAnswer {
	t.Helper()
	code, body := postThroughAggregator(t, edgeNodesPath+"/"+node+"/joincommand",
		`{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinCommand","spec":{"internalIP":"`+ip+`"}}`)
	var jc v1alpha1.JoinCommand
	a := decodeAnswer(t, code, body, &jc)
	a.command = jc.Status.Command
	return a
}

// postJoinToken asks for the join token of a reserved node.
func postJoinToken(t *testing.T, node string) joinAnswer {
	t.Helper()
	code, body := postThroughAggregator(t, edgeNodesPath+"/"+node+"/jointoken", `{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinToken"}`)
	var jt v1alpha1.JoinToken
	a := decodeAnswer(t, code, body, &jt)
	a.token = jt.Status.Token
	return a
}

// getConsoleJoin calls the console route on the server's secure port as admin, reserving with the default taint.
func getConsoleJoin(t *testing.T, node, ip string) joinAnswer {
	t.Helper()
	code, body := get(t, directClient(t, cp.PKI.Admin), ew.URL()+"/api/v1alpha1/nodes/join?node_name="+node+"&node_ip="+ip+"&add_default_taint=true", nil)
	r := decodeConsole(t, body)
	wantStatus := "Failure"
	if code == http.StatusOK {
		wantStatus = "Succeeded"
	}
	if r.Code != code || r.Status != wantStatus {
		t.Fatalf("console body %q does not match status %d", body, code)
	}
	return joinAnswer{code: code, message: r.Message, command: r.Data}
}

// joinGauges returns edgewatcher_join_dependency_ready by dependency, from the server's /metrics.
func joinGauges(t *testing.T) map[string]float64 {
	t.Helper()
	code, body := get(t, directClient(t, cp.PKI.Admin), ew.URL()+"/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	out := map[string]float64{}
	for l := range strings.Lines(body) {
		rest, ok := strings.CutPrefix(l, `edgewatcher_join_dependency_ready{dependency="`)
		if !ok {
			continue
		}
		name, value, _ := strings.Cut(rest, `"} `)
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			t.Fatalf("gauge line %q: %v", l, err)
		}
		out[name] = v
	}
	return out
}

// wantGauges fails unless every join dependency gauge is 1, except broken, which is 0.
func wantGauges(t *testing.T, broken string) error {
	t.Helper()
	got := joinGauges(t)
	want := map[string]float64{"cloudcore-config": 1, "token-secret": 1, "console-config": 1}
	if broken != "" {
		want[broken] = 0
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("edgewatcher_join_dependency_ready = %v, want %v", got, want)
	}
	return nil
}

// serverLogCount counts the lines of the server's log that contain every part.
func serverLogCount(t *testing.T, parts ...string) int {
	t.Helper()
	b, err := os.ReadFile(ew.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for l := range strings.Lines(string(b)) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			n++
		}
	}
	return n
}

// kubeEdgeObject is one of the objects under test, saved at the start so it can be put back.
type kubeEdgeObject struct {
	configMap *corev1.ConfigMap
	secret    *corev1.Secret
}

// saveKubeEdgeObject reads kubeedge/<name>, a ConfigMap or (secret true) a Secret.
func saveKubeEdgeObject(t *testing.T, ctx context.Context, name string, secret bool) kubeEdgeObject {
	t.Helper()
	var o kubeEdgeObject
	var err error
	if secret {
		o.secret, err = cp.Client().CoreV1().Secrets("kubeedge").Get(ctx, name, metav1.GetOptions{})
	} else {
		o.configMap, err = cp.Client().CoreV1().ConfigMaps("kubeedge").Get(ctx, name, metav1.GetOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// name is the object's kind and name, for messages.
func (o kubeEdgeObject) name() string {
	if o.secret != nil {
		return "Secret kubeedge/" + o.secret.Name
	}
	return "ConfigMap kubeedge/" + o.configMap.Name
}

// restore puts the saved object back, creating it if it was deleted.
func (o kubeEdgeObject) restore(t *testing.T, ctx context.Context) {
	t.Helper()
	var err error
	if o.secret != nil {
		api := cp.Client().CoreV1().Secrets("kubeedge")
		want := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: o.secret.Name, Namespace: "kubeedge"}, Type: o.secret.Type, Data: o.secret.Data}
		if _, err = api.Create(ctx, want, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
			_, err = api.Update(ctx, want, metav1.UpdateOptions{})
		}
	} else {
		api := cp.Client().CoreV1().ConfigMaps("kubeedge")
		want := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: o.configMap.Name, Namespace: "kubeedge",
			Labels: o.configMap.Labels, Annotations: o.configMap.Annotations}, Data: o.configMap.Data}
		if _, err = api.Create(ctx, want, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
			_, err = api.Update(ctx, want, metav1.UpdateOptions{})
		}
	}
	if err != nil {
		t.Fatalf("restoring: %v", err)
	}
}
