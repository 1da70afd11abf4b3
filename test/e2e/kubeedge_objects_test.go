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
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// kubeEdgeFault is one way to break one KubeEdge object.
type kubeEdgeFault struct {
	name string
	// object is the object broken, as it was before; restoring it must be enough to recover.
	object kubeEdgeObject
	// dependency is the gauge label that turns 0, empty when the join flow does not read the object.
	dependency string
	brk        func() error
	// message is the exact 503 message, or its start when prefix is set (it contains a time).
	message string
	prefix  bool
	// tokenFails says jointoken answers 503 too (it needs only the token).
	tokenFails bool
}

// TestJoinSurvivesBrokenKubeEdgeObjects deletes and corrupts the cloudcore ConfigMap, the token Secret and the
// tunnel-port record, one fault at a time, against the shared server. For each fault: joincommand (through
// kube-apiserver), jointoken and the console route answer exactly (503 with a message naming the object and what
// is wrong, in the console's format on its route, never a 500 nor a command) and reserve nothing; kubectl get
// edgenodes, /readyz and the APIService stay healthy; edgewatcher_join_dependency_ready and /joinz/<dependency>
// report it; one log line reports it. After the object is restored, joins work again within 10 seconds, from the
// restored data, with the same server process.
func TestJoinSurvivesBrokenKubeEdgeObjects(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	t.Cleanup(func() {
		if err := framework.SeedKubeEdge(context.Background(), cp.Client()); err != nil {
			t.Errorf("restoring the KubeEdge objects: %v", err)
		}
	})
	if _, err := createEdgeNode(ctx, "ko-tok", "203.0.113.150"); err != nil {
		t.Fatal(err)
	}
	pid := ew.Process().Pid()
	framework.Eventually(t, "every join dependency gauge at 1", 10*time.Second, framework.Succeeds(func() error { return wantGauges(t, "") }))

	cms, secrets := cp.Client().CoreV1().ConfigMaps("kubeedge"), cp.Client().CoreV1().Secrets("kubeedge")
	config := saveKubeEdgeObject(t, ctx, "cloudcore", false)
	token := saveKubeEdgeObject(t, ctx, "tokensecret", true)
	tunnel := saveKubeEdgeObject(t, ctx, "tunnelport", false)
	ca := saveKubeEdgeObject(t, ctx, "casecret", true).secret
	expired, _, err := jointoken.Mint(ca.Data["cadata"], ca.Data["cakeydata"], time.Minute, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	setConfig := func(yaml string) func() error {
		return func() error {
			cm := unconditional(config.configMap.DeepCopy())
			cm.Data = map[string]string{"cloudcore.yaml": yaml}
			_, err := cms.Update(ctx, cm, metav1.UpdateOptions{})
			return err
		}
	}
	setToken := func(data map[string][]byte) func() error {
		return func() error {
			s := token.secret.DeepCopy()
			s.UID, s.ResourceVersion = "", ""
			s.Data = data
			_, err := secrets.Update(ctx, s, metav1.UpdateOptions{})
			return err
		}
	}
	setRecord := func(record string) func() error {
		return func() error {
			cm := unconditional(tunnel.configMap.DeepCopy())
			cm.Annotations[framework.TunnelPortAnnotation] = record
			_, err := cms.Update(ctx, cm, metav1.UpdateOptions{})
			return err
		}
	}
	goodYAML := config.configMap.Data["cloudcore.yaml"]
	const cc, tok = "cloudcore-config", "token-secret"
	faults := []kubeEdgeFault{
		{name: "cloudcore ConfigMap deleted", object: config, dependency: cc,
			brk:     func() error { return cms.Delete(ctx, "cloudcore", metav1.DeleteOptions{}) },
			message: "ConfigMap kubeedge/cloudcore: not found; is cloudcore installed?"},
		{name: "cloudcore.yaml not YAML", object: config, dependency: cc, brk: setConfig("modules: [\n"),
			message: "ConfigMap kubeedge/cloudcore: cloudcore.yaml: not valid YAML: yaml: line 1: did not find expected node content"},
		{name: "cloudcore.yaml wrong type", object: config, dependency: cc,
			brk:     setConfig(strings.Replace(goodYAML, "port: 10000", `port: "ten"`, 1)),
			message: `ConfigMap kubeedge/cloudcore: cloudcore.yaml: modules.cloudHub.websocket.port: must be an integer, got the string "ten"`},
		{name: "cloudcore.yaml without modules", object: config, dependency: cc,
			brk:     setConfig("apiVersion: cloudcore.config.kubeedge.io/v1alpha2\nkind: CloudCore\n"),
			message: "ConfigMap kubeedge/cloudcore: cloudcore.yaml: modules: is required"},
		{name: "cloudcore ConfigMap without cloudcore.yaml", object: config, dependency: cc,
			brk: func() error {
				cm := unconditional(config.configMap.DeepCopy())
				cm.Data = map[string]string{"cloudcore.yml": goodYAML}
				_, err := cms.Update(ctx, cm, metav1.UpdateOptions{})
				return err
			},
			message: `ConfigMap kubeedge/cloudcore: has no key "cloudcore.yaml"`},
		{name: "token Secret deleted", object: token, dependency: tok, tokenFails: true,
			brk:     func() error { return secrets.Delete(ctx, "tokensecret", metav1.DeleteOptions{}) },
			message: "secret kubeedge/tokensecret: secret not found; cloudcore creates it when it starts, is cloudcore installed and running?"},
		{name: "token Secret without tokendata", object: token, dependency: tok, tokenFails: true,
			brk:     setToken(map[string][]byte{"token": token.secret.Data["tokendata"]}),
			message: "secret kubeedge/tokensecret has no key tokendata (keys present: token): secret key missing or empty"},
		{name: "token malformed", object: token, dependency: tok, tokenFails: true,
			brk: setToken(map[string][]byte{"tokendata": []byte("garbage.token")}),
			message: "secret kubeedge/tokensecret key tokendata: malformed join token: the token has 2 dot-separated parts, " +
				"want 4 (<CA hash>.<JWT header>.<payload>.<signature>)"},
		{name: "token expired", object: token, dependency: tok, tokenFails: true, prefix: true,
			brk:     setToken(map[string][]byte{"tokendata": []byte(expired)}),
			message: "secret kubeedge/tokensecret key tokendata: join token expired at "},
		{name: "tunnel-port record deleted", object: tunnel,
			brk: func() error { return cms.Delete(ctx, "tunnelport", metav1.DeleteOptions{}) }},
		{name: "tunnel-port record not JSON", object: tunnel, brk: setRecord(`{"ipTunnelPort":{`)},
		{name: "tunnel-port record wrong type", object: tunnel, brk: setRecord(`{"ipTunnelPort":{"192.0.2.10":"10351"}}`)},
	}
	var nodes []string
	t.Cleanup(func() {
		for _, n := range append(nodes, "ko-tok") {
			_, _, _ = cp.Kubectl(context.Background(), "delete", "edgenode", n, "--ignore-not-found")
		}
	})
	for i, f := range faults {
		node, ip := fmt.Sprintf("ko-%d", i), fmt.Sprintf("203.0.113.%d", 151+i)
		console, consoleIP := fmt.Sprintf("ko-console-%d", i), fmt.Sprintf("203.0.113.%d", 171+i)
		nodes = append(nodes, node, console)
		ok := t.Run(f.name, func(t *testing.T) {
			checkBroken(t, ctx, f, node, ip, console, consoleIP)
			checkRecovered(t, ctx, f, node, ip, console, consoleIP)
		})
		if !ok {
			f.object.restore(t, ctx)
			break
		}
	}
	if p := ew.Process(); p.Pid() != pid || p.Exited() {
		t.Errorf("edgewatcher-apiserver pid %d → %d (exited %v): recovery must need no restart", pid, p.Pid(), p.Exited())
	}
}

// checkBroken applies the fault and checks every path while it lasts.
func checkBroken(t *testing.T, ctx context.Context, f kubeEdgeFault, node, ip, console, consoleIP string) {
	logged := serverLogCount(t, "Join dependency unusable", `dependency="`+f.dependency+`"`)
	if err := f.brk(); err != nil {
		t.Fatal(err)
	}
	broke := time.Now()
	if f.dependency != "" {
		// The server reads the object from its informer; the gauge shows when it has seen the change.
		framework.Eventually(t, "gauge "+f.dependency+" at 0", 10*time.Second, framework.Succeeds(func() error { return wantGauges(t, f.dependency) }))
		t.Logf("gauge %s=0 %v after the write", f.dependency, time.Since(broke).Round(time.Millisecond))
	}
	want := func(what string, a joinAnswer, prefix string) {
		t.Helper()
		msg := strings.TrimPrefix(a.message, prefix)
		if a.code != http.StatusServiceUnavailable || a.command != "" || a.token != "" || !strings.HasPrefix(a.message, prefix) ||
			(f.prefix && !strings.HasPrefix(msg, f.message)) || (!f.prefix && msg != f.message) {
			t.Errorf("%s: %d %q (command %v, token %v), want 503 %q", what, a.code, a.message, a.command != "", a.token != "", prefix+f.message)
		}
	}
	jc := postJoinCommand(t, node, ip)
	jt := postJoinToken(t, "ko-tok")
	con := getConsoleJoin(t, console, consoleIP)
	if f.dependency == "" {
		if jc.code != http.StatusCreated || jt.code != http.StatusCreated || con.code != http.StatusOK {
			t.Errorf("the join flow does not read %s, yet joincommand %d %q, jointoken %d %q, console %d %q", f.object.name(),
				jc.code, jc.message, jt.code, jt.message, con.code, con.message)
		}
	} else {
		want("joincommand", jc, "")
		want("console route", con, "Service unavailable: ")
		if strings.Contains(con.message, "name") || strings.Contains(con.message, "IP") {
			t.Errorf("console message %q would be shown as a name or IP problem", con.message)
		}
		if f.tokenFails {
			want("jointoken", jt, "")
		} else if jt.code != http.StatusCreated || !strings.Contains(jt.token, ".") {
			t.Errorf("jointoken needs only the token Secret, yet answered %d %q", jt.code, jt.message)
		}
		for _, n := range []string{node, console} {
			if _, _, err := cp.Kubectl(ctx, "get", "edgenode", n); err == nil || !strings.Contains(err.Error(), "NotFound") {
				t.Errorf("a 503 reserved %s (%v)", n, err)
			}
		}
		checkJoinz(t, f)
	}
	if f.dependency == "cloudcore-config" {
		// The last good advertise address stays withheld while the ConfigMap is broken.
		_, err := createEdgeNode(ctx, "ko-on-cloudcore", framework.DemoCloudCoreAddress)
		wantErrContaining(t, err, "(Conflict)", "CloudCore configmap/cloudcore (AdvertiseAddress)")
	}
	checkAPIStaysUp(t, ctx)
	if f.dependency != "" {
		if n := serverLogCount(t, "Join dependency unusable", `dependency="`+f.dependency+`"`) - logged; n != 1 {
			t.Errorf("%d log lines report the broken %s after 3 requests, a scrape and 2 checks, want 1", n, f.dependency)
		}
	}
}

// checkRecovered restores the object and waits until every path works again, from the restored data.
func checkRecovered(t *testing.T, ctx context.Context, f kubeEdgeFault, node, ip, console, consoleIP string) {
	logged := serverLogCount(t, "Join dependency usable again", `dependency="`+f.dependency+`"`)
	f.object.restore(t, ctx)
	restored := time.Now()
	var jc joinAnswer
	framework.Eventually(t, "joincommand answered 201 after the restore", 10*time.Second, framework.Succeeds(func() error {
		if jc = postJoinCommand(t, node, ip); jc.code != http.StatusCreated {
			return fmt.Errorf("joincommand %d %q", jc.code, jc.message)
		}
		return nil
	}))
	took := time.Since(restored)
	framework.Eventually(t, "every join dependency gauge at 1", 10*time.Second, framework.Succeeds(func() error { return wantGauges(t, "") }))
	t.Logf("joincommand answered 201 %v after the restore, gauges all 1 within %v", took.Round(time.Millisecond),
		time.Since(restored).Round(time.Millisecond))
	secret, err := cp.Client().CoreV1().Secrets("kubeedge").Get(ctx, "tokensecret", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	current := string(secret.Data["tokendata"])
	if !strings.Contains(jc.command, "--token="+current) || !strings.Contains(jc.command, "--cloudcore-ipport="+framework.DemoCloudCoreAddress+":30000") {
		t.Errorf("the command after recovery is not built from the restored objects: %s", jc.command)
	}
	if jt := postJoinToken(t, "ko-tok"); jt.code != http.StatusCreated || jt.token != current {
		t.Errorf("jointoken after recovery: %d %q", jt.code, jt.message)
	}
	if con := getConsoleJoin(t, console, consoleIP); con.code != http.StatusOK || !strings.Contains(con.command, "--token="+current) {
		t.Errorf("console route after recovery: %d %q", con.code, con.message)
	}
	if f.dependency != "" {
		if n := serverLogCount(t, "Join dependency usable again", `dependency="`+f.dependency+`"`) - logged; n != 1 {
			t.Errorf("%d log lines report the recovery of %s, want 1", n, f.dependency)
		}
	}
}

// checkJoinz checks /joinz: the aggregate fails without the reason, the dependency's own path gives it, and
// neither is served to anonymous callers (unlike /readyz, it is authorized).
func checkJoinz(t *testing.T, f kubeEdgeFault) {
	t.Helper()
	if code, body := get(t, directClient(t, nil), ew.URL()+"/joinz/"+f.dependency, nil); code != http.StatusForbidden {
		t.Errorf("anonymous /joinz/%s = %d %q, want 403", f.dependency, code, body)
	}
	admin := directClient(t, cp.PKI.Admin)
	if code, body := get(t, admin, ew.URL()+"/joinz", nil); code != http.StatusInternalServerError ||
		!strings.Contains(body, "[-]"+f.dependency+" failed: reason withheld") {
		t.Errorf("/joinz = %d %q", code, body)
	}
	if code, body := get(t, admin, ew.URL()+"/joinz/"+f.dependency, nil); code != http.StatusInternalServerError ||
		!strings.Contains(body, f.message) {
		t.Errorf("/joinz/%s = %d %q, want 500 with %q", f.dependency, code, body, f.message)
	}
}

// checkAPIStaysUp checks that a broken KubeEdge object leaves the edgenodes API alone: real kubectl lists
// edgenodes, /readyz is 200 and the APIService stays Available.
func checkAPIStaysUp(t *testing.T, ctx context.Context) {
	t.Helper()
	rows := tableRows(kubectl(t, ctx, "get", "edgenodes"))
	found := false
	for _, r := range rows {
		found = found || (len(r) > 2 && r[0] == "ko-tok" && r[1] == "Pending")
	}
	if !found || rows[0][0] != "NAME" {
		t.Errorf("kubectl get edgenodes does not list ko-tok Pending:\n%v", rows)
	}
	if code, body := get(t, directClient(t, nil), ew.URL()+"/readyz", nil); code != http.StatusOK || body != "ok" {
		t.Errorf("/readyz = %d %q", code, body)
	}
	if got := kubectl(t, ctx, "get", "apiservice", framework.APIServiceName, "-o",
		`jsonpath={.status.conditions[?(@.type=="Available")].status}`); got != string(corev1.ConditionTrue) {
		t.Errorf("APIService Available = %q", got)
	}
}

// unconditional clears what makes an update conditional on the version saved: the object may have been recreated.
func unconditional(cm *corev1.ConfigMap) *corev1.ConfigMap {
	cm.UID, cm.ResourceVersion = "", ""
	return cm
}
