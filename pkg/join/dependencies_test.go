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

package join

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
)

// TestDependenciesMatchWhatRequestsAreTold breaks each KubeEdge object in turn: Dependencies reports exactly the
// error that joincommand, jointoken and the console route answer, naming the object once, and only that object.
func TestDependenciesMatchWhatRequestsAreTold(t *testing.T) {
	tests := []struct {
		name    string
		brk     func(f *fixture)
		broken  string // dependency reported unusable, "" for none
		message string // the whole error message
		token   bool   // whether jointoken fails too
	}{
		{"all usable", func(*fixture) {}, "", "", false},
		{"cloudcore ConfigMap deleted", func(f *fixture) { f.state.config = nil }, DependencyCloudCoreConfig,
			"ConfigMap kubeedge/cloudcore: not found; is cloudcore installed?", false},
		{"cloudcore.yaml key missing", func(f *fixture) { f.state.config.Data = map[string]string{"other": "x"} }, DependencyCloudCoreConfig,
			`ConfigMap kubeedge/cloudcore: has no key "cloudcore.yaml"`, false},
		{"cloudcore.yaml not YAML", func(f *fixture) { f.state.config.Data["cloudcore.yaml"] = "modules: [\n" }, DependencyCloudCoreConfig,
			"ConfigMap kubeedge/cloudcore: cloudcore.yaml: not valid YAML: yaml: line 1: did not find expected node content", false},
		{"cloudcore.yaml wrong type", func(f *fixture) {
			f.state.config.Data["cloudcore.yaml"] = strings.Replace(testCloudCoreYAML, "{port: 10000}", "{port: ten}", 1)
		}, DependencyCloudCoreConfig,
			`ConfigMap kubeedge/cloudcore: cloudcore.yaml: modules.cloudHub.websocket.port: must be an integer, got the string "ten"`, false},
		{"token secret deleted", func(f *fixture) { f.state.token = nil }, DependencyTokenSecret,
			"secret kubeedge/tokensecret: secret not found; cloudcore creates it when it starts, is cloudcore installed and running?", true},
		{"token key missing", func(f *fixture) { f.state.token.Data = map[string][]byte{"x": []byte("y")} }, DependencyTokenSecret,
			"secret kubeedge/tokensecret has no key tokendata (keys present: x): secret key missing or empty", true},
		{"token malformed", func(f *fixture) { f.state.token.Data["tokendata"] = []byte("garbage.token") }, DependencyTokenSecret,
			"secret kubeedge/tokensecret key tokendata: malformed join token: the token has 2 dot-separated parts, want 4 " +
				"(<CA hash>.<JWT header>.<payload>.<signature>)", true},
		{"console config malformed", func(f *fixture) {
			f.state.legacy = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kubeedge", Name: LegacyConfigName, ResourceVersion: "9"},
				Data: map[string]string{"region": "mars"}}
		}, DependencyConsoleConfig, `ConfigMap kubeedge/edge-watcher-config: key region: "mars" must be zh or en`, false},
		{"console config with a bad uri", func(f *fixture) {
			f.state.legacy = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kubeedge", Name: LegacyConfigName, ResourceVersion: "9"},
				Data: map[string]string{"uri": "ftp://mirror.example.com/keadm.tar.gz"}}
		}, DependencyConsoleConfig, `ConfigMap kubeedge/edge-watcher-config: key uri: "ftp://mirror.example.com/keadm.tar.gz": ` +
			`scheme must be https or http`, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.brk(f)
			deps := f.svc.Dependencies()
			if names := f.svc.DependencyNames(); len(deps) != len(names) {
				t.Fatalf("%d dependencies, %d names", len(deps), len(names))
			}
			for j, d := range deps {
				if d.Name != f.svc.DependencyNames()[j] {
					t.Errorf("dependency %d is %s, want %s", j, d.Name, f.svc.DependencyNames()[j])
				}
				if d.Ready() != (d.Name != tt.broken) {
					t.Errorf("%s ready = %v (%v)", d.Name, d.Ready(), d.Err)
				}
				if d.Name == tt.broken && (d.Err == nil || d.Err.Error() != tt.message) {
					t.Errorf("%s: %q\nwant %q", d.Name, d.Err, tt.message)
				}
			}
			if tt.broken == "" {
				return
			}
			if strings.Count(tt.message, "kubeedge/") != 1 {
				t.Errorf("the message names the object %d times: %q", strings.Count(tt.message, "kubeedge/"), tt.message)
			}
			yes := true
			_, err := f.svc.LegacyCommand(context.Background(), LegacyRequest{NodeName: "edge-d", NodeIP: "10.0.0.8", DefaultTaint: &yes})
			if !IsUnavailable(err) || err.Error() != tt.message {
				t.Errorf("console route: %v, want Unavailable %q", err, tt.message)
			}
			if tt.broken != DependencyConsoleConfig {
				_, err = f.svc.Command(context.Background(), CommandRequest{Reserve: ReserveRequest{NodeName: "edge-d", IP: "10.0.0.8"}})
				if !IsUnavailable(err) || err.Error() != tt.message {
					t.Errorf("joincommand: %v, want Unavailable %q", err, tt.message)
				}
			}
			if _, err = f.svc.Token(nil); (err != nil) != tt.token || (tt.token && err.Error() != tt.message) {
				t.Errorf("jointoken: %v, want failing %v with %q", err, tt.token, tt.message)
			}
			leases, err := f.client.CoordinationV1().Leases("kubeedge").List(context.Background(), metav1.ListOptions{})
			if err != nil || len(leases.Items) != 0 {
				t.Errorf("case %d: a failed join left reservation Leases: %v %v", i, leases, err)
			}
		})
	}
}

// TestDependenciesWhenMinting reports the CA secret instead of the token secret, with the versions of the objects.
func TestDependenciesWhenMinting(t *testing.T) {
	f := newFixture(t)
	f.svc.Tokens.Mint = true
	f.state.token = nil
	f.state.ca.ResourceVersion = "42"
	deps := f.svc.Dependencies()
	if deps[1].Name != DependencyCASecret || !deps[1].Ready() || deps[1].ResourceVersion != "42" || deps[1].Object != "Secret kubeedge/casecret" {
		t.Fatalf("minting: %+v", deps[1])
	}
	f.state.ca.Data[jointoken.CADataKey] = []byte("not DER")
	if d := f.svc.Dependencies()[1]; d.Ready() || !strings.Contains(d.Err.Error(), "kubeedge/casecret") {
		t.Fatalf("broken CA: %+v", d)
	}
	expired, _, _ := jointoken.Mint(f.ca[0], f.ca[1], time.Minute, testNow.Add(-time.Hour))
	f.svc.Tokens.Mint = false
	f.state.token = f.state.ca.DeepCopy()
	f.state.token.Data = map[string][]byte{"tokendata": []byte(expired)}
	if d := f.svc.Dependencies()[1]; d.Name != DependencyTokenSecret || d.Ready() || !strings.Contains(d.Err.Error(), "expired") {
		t.Fatalf("expired token: %+v", d)
	}
}
