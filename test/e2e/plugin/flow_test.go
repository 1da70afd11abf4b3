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
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// tokenPattern is keadm's "<sha256 hex of the CA>.<JWT>" token form.
var tokenPattern = regexp.MustCompile(`^[0-9a-f]{64}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)

func TestJoinListTokenReleaseThroughKubectl(t *testing.T) {
	join := []string{"edgenode", "join", "e2e-p1", "--ip", "203.0.113.60", "--kubeedge-version", "v1.19.2",
		"--label", "e2e-plugin=flow", "--taint", "node-role.kubernetes.io/edge:NoSchedule"}
	r := kubectlOK(t, join...)
	t.Logf("kubectl %s\nstdout:\n%sstderr:\n%s", strings.Join(join, " "), r.stdout, r.stderr)
	words := framework.ShellWords(t, strings.TrimSuffix(r.stdout, "\n"))
	for _, w := range []string{"--edgenode-name=e2e-p1", "--kubeedge-version=v1.19.2", "--labels=e2e-plugin=flow"} {
		if !slices.Contains(words, w) {
			t.Errorf("command words %q lack %q", words, w)
		}
	}
	if words[0] != "keadm" || words[1] != "join" {
		t.Errorf("command starts %q", words[:2])
	}
	for _, w := range []string{`Edge node "e2e-p1" is reserved with internal IP 203.0.113.60; the command installs KubeEdge v1.19.2.`,
		"Its join token expires at ", "Limitation: taints: keadm cannot register taints"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("join notes lack %q:\n%s", w, r.stderr)
		}
	}

	// The same reservation again, as an object: argv equals the shell words of the printed line.
	var jc v1alpha1.JoinCommand
	if err := json.Unmarshal([]byte(kubectlOK(t, append(join, "-o", "json")...).stdout), &jc); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(jc.Status.Args, words) || jc.Kind != "JoinCommand" || jc.Status.InternalIP != "203.0.113.60" {
		t.Errorf("JoinCommand args %q, want %q; %+v", jc.Status.Args, words, jc.TypeMeta)
	}

	if got := kubectlOK(t, "get", "edgenode", "e2e-p1", "-o", "jsonpath={.status.phase} {.spec.internalIP}").stdout; got != "Pending 203.0.113.60" {
		t.Fatalf("kubectl get: %q", got)
	}
	if row := fields(kubectlOK(t, "get", "edgenode", "e2e-p1", "--no-headers").stdout); len(row) != 1 || row[0][1] != "Pending" {
		t.Fatalf("kubectl get row: %q", row)
	}

	checkList(t)

	token := kubectlOK(t, "edgenode", "token", "e2e-p1")
	value := strings.TrimSuffix(token.stdout, "\n")
	if !tokenPattern.MatchString(value) {
		t.Fatalf("token %q is not caHash.JWT", value)
	}
	if !strings.Contains(token.stderr, `The join token for edge node "e2e-p1" expires at `) || !strings.Contains(token.stderr, "source: cloudcore's kubeedge/tokensecret") {
		t.Errorf("token notes: %q", token.stderr)
	}
	if !slices.Contains(words, "--token="+value) {
		t.Errorf("the join command does not carry the token %q: %q", value, words)
	}
	verifyToken(t, value)

	kubectlFails(t, []string{"edgenode", "join", "e2e-p2", "--ip", "203.0.113.60"},
		"Error from server (Conflict): ", "203.0.113.60", `reserved for edge node "e2e-p1"`)
	kubectlFails(t, []string{"edgenode", "join", "e2e-p3", "--ip", "203.0.113.061"}, "is invalid", "spec.internalIP")
	kubectlFails(t, []string{"edgenode", "token", "e2e-p9"}, `Error from server (NotFound): edgenodes.kubeedge.kubesphere.io "e2e-p9" not found`)

	if r := kubectlOK(t, "edgenode", "release", "e2e-p1"); r.stdout != `edgenode.kubeedge.kubesphere.io "e2e-p1" deleted`+"\n" {
		t.Errorf("release: %q", r.stdout)
	}
	kubectlFails(t, []string{"get", "edgenode", "e2e-p1"}, "NotFound")
	kubectlFails(t, []string{"edgenode", "release", "e2e-p1"}, "Error from server (NotFound)")
	framework.Eventually(t, "e2e-p2 joined at the released address", 10*time.Second, framework.Succeeds(func() error {
		if r := kubectlRun(t, asAdmin(), "edgenode", "join", "e2e-p2", "--ip", "203.0.113.60"); r.code != 0 {
			return errorf("the released address is not free: %s", r.stderr)
		}
		return nil
	}))
	kubectlOK(t, "edgenode", "release", "e2e-p2")
}

// checkList compares kubectl edgenode list with kubectl get edgenodes for the flow's reservation.
func checkList(t *testing.T) {
	t.Helper()
	// Every column but AGE, which may tick between the two calls.
	want := []string{"e2e-p1", "Pending", "203.0.113.60", "<none>", "v1.19.2", "<none>"}
	get := fields(kubectlOK(t, "get", "edgenodes", "-l", "e2e-plugin=flow").stdout)
	list := fields(kubectlOK(t, "edgenode", "list", "-l", "e2e-plugin=flow").stdout)
	if len(list) != 2 || len(get) != 2 || !slices.Equal(list[0], get[0]) || len(list[1]) != len(want)+1 ||
		!slices.Equal(list[1][:len(want)], want) || !slices.Equal(get[1][:len(want)], want) {
		t.Fatalf("kubectl edgenode list %q, kubectl get %q", list, get)
	}
	wide := fields(kubectlOK(t, "edgenode", "list", "-o", "wide", "-l", "e2e-plugin=flow").stdout)
	if len(wide) != 2 || wide[0][len(wide[0])-1] != "PHASE" || wide[1][len(wide[1])-1] != "Pending" {
		t.Fatalf("-o wide: %q", wide)
	}
	all := fields(kubectlOK(t, "edgenode", "list").stdout)
	if !slices.ContainsFunc(all, func(row []string) bool { return row[0] == "e2e-p1" }) {
		t.Fatalf("unfiltered list lacks e2e-p1: %q", all)
	}
	var nodes v1alpha1.EdgeNodeList
	if err := yaml.UnmarshalStrict([]byte(kubectlOK(t, "edgenode", "list", "-o", "yaml", "-l", "e2e-plugin=flow").stdout), &nodes); err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 1 || nodes.Kind != "EdgeNodeList" || nodes.Items[0].Name != "e2e-p1" || nodes.Items[0].Status.Phase != v1alpha1.EdgeNodePending {
		t.Fatalf("-o yaml: %+v", nodes)
	}
	if r := kubectlOK(t, "edgenode", "list", "-l", "e2e-plugin=none"); r.stdout != "" || r.stderr != "No resources found\n" {
		t.Fatalf("empty list: %q %q", r.stdout, r.stderr)
	}
}

// verifyToken checks the token against the CA in kubeedge/casecret, as cloudcore would.
func verifyToken(t *testing.T, token string) {
	t.Helper()
	ca, err := cp.Client().CoreV1().Secrets("kubeedge").Get(context.Background(), "casecret", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jointoken.Verify(token, ca.Data["cadata"], ca.Data["cakeydata"], time.Now()); err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
}
