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
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

func TestJoinSendsEveryFieldAndPrintsTheCommand(t *testing.T) {
	f := newFakeAPI(t)
	stdout, stderr, code := f.run("join", "edge-1", "--ip", "203.0.113.7", "--kubeedge-version", "v1.19.2",
		"--label", "zone=north,tier=gold", "--label", "team=edge", "--taint", "node-role.kubernetes.io/edge:NoSchedule",
		"--taint", "dedicated=edge:NoExecute", "--runtime-endpoint", "unix:///run/containerd/containerd.sock",
		"--cgroup-driver", "systemd", "--image-repository", "registry.example.com/kubeedge",
		"--cloudcore-address", "192.0.2.10", "--token-ttl", "90m", "--strict")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got v1alpha1.JoinCommand
	if err := json.Unmarshal([]byte(f.lastBody()), &got); err != nil {
		t.Fatal(err)
	}
	if got.APIVersion != "kubeedge.kubesphere.io/v1alpha1" || got.Kind != "JoinCommand" {
		t.Errorf("type meta %q %q", got.APIVersion, got.Kind)
	}
	s := got.Spec
	if s.InternalIP != "203.0.113.7" || s.KubeEdgeVersion != "v1.19.2" || s.RuntimeEndpoint != "unix:///run/containerd/containerd.sock" ||
		s.CgroupDriver != "systemd" || s.ImageRepository != "registry.example.com/kubeedge" || s.CloudCoreAddress != "192.0.2.10" ||
		!s.Strict || s.TokenTTLSeconds == nil || *s.TokenTTLSeconds != 5400 {
		t.Errorf("spec %+v", s)
	}
	if len(s.Labels) != 3 || s.Labels["zone"] != "north" || s.Labels["tier"] != "gold" || s.Labels["team"] != "edge" {
		t.Errorf("labels %v", s.Labels)
	}
	wantTaints := []v1alpha1.EdgeNodeTaint{{Key: "node-role.kubernetes.io/edge", Effect: "NoSchedule"}, {Key: "dedicated", Value: "edge", Effect: "NoExecute"}}
	if len(s.Taints) != 2 || s.Taints[0] != wantTaints[0] || s.Taints[1] != wantTaints[1] {
		t.Errorf("taints %v", s.Taints)
	}
	if path := f.lastRequest().URL.Path; path != groupPath+"/edge-1/joincommand" {
		t.Errorf("path %s", path)
	}
	if stdout != "keadm join '--edgenode-name=edge-1' '--kubeedge-version=v1.19.2'\n" {
		t.Errorf("stdout %q", stdout)
	}
	for _, want := range []string{
		`Edge node "edge-1" is reserved with internal IP 203.0.113.7; the command installs KubeEdge v1.19.2.`,
		"expires at 2031-05-06T07:08:09Z (in ",
		"Limitation: taints: keadm cannot register taints\n",
		"Warning: cloudcore is reached through NodePort 30000\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestJoinOmitsUnsetFields(t *testing.T) {
	f := newFakeAPI(t)
	if _, stderr, code := f.run("join", "edge-1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal([]byte(f.lastBody()), &body); err != nil {
		t.Fatal(err)
	}
	if spec := string(body["spec"]); spec != "{}" {
		t.Errorf("spec %s", spec)
	}
	if q := f.lastRequest().URL.RawQuery; q != "" {
		t.Errorf("query %q", q)
	}
}

func TestJoinDryRunAsksTheServer(t *testing.T) {
	f := newFakeAPI(t)
	_, stderr, code := f.run("join", "edge-1", "--ip", "203.0.113.7", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if q := f.lastRequest().URL.Query().Get("dryRun"); q != "All" {
		t.Errorf("dryRun=%q", q)
	}
	if !strings.HasPrefix(stderr, "Server dry run: nothing was reserved.\n") {
		t.Errorf("stderr %q", stderr)
	}
	if names := f.names(); len(names) != 0 {
		t.Errorf("dry run reserved %v", names)
	}
}

func TestJoinPrintsServerErrorsLikeKubectl(t *testing.T) {
	f := newFakeAPI(t, pending("holder", "203.0.113.7", nil))
	for _, tc := range []struct {
		ip, want string
	}{
		{"203.0.113.7", `Error from server (Conflict): Operation cannot be fulfilled on edgenodes.kubeedge.kubesphere.io "edge-2": address 203.0.113.7 is reserved for edge node "holder" by admin until 2031-05-06T07:08:09Z` + "\n"},
		{"bad", `The JoinCommand.kubeedge.kubesphere.io "edge-2" is invalid: spec.internalIP: Invalid value: "bad": must be a valid IP address` + "\n"},
	} {
		stdout, stderr, code := f.run("join", "edge-2", "--ip", tc.ip)
		if code != 1 || stdout != "" || stderr != tc.want {
			t.Errorf("--ip %s: exit %d, stdout %q, stderr %q; want stderr %q", tc.ip, code, stdout, stderr, tc.want)
		}
	}
}

func TestJoinOutputFormats(t *testing.T) {
	f := newFakeAPI(t)
	for _, format := range []string{"json", "yaml"} {
		stdout, stderr, code := f.run("join", "edge-1", "--ip", "203.0.113.7", "-o", format)
		if code != 0 {
			t.Fatalf("-o %s: exit %d: %s", format, code, stderr)
		}
		if stderr != "" {
			t.Errorf("-o %s wrote notes: %q", format, stderr)
		}
		var jc v1alpha1.JoinCommand
		if err := yaml.UnmarshalStrict([]byte(stdout), &jc); err != nil {
			t.Fatalf("-o %s: %v\n%s", format, err, stdout)
		}
		if jc.Kind != "JoinCommand" || jc.APIVersion != "kubeedge.kubesphere.io/v1alpha1" || jc.Name != "edge-1" ||
			jc.Status.InternalIP != "203.0.113.7" || len(jc.Status.Args) != 4 {
			t.Errorf("-o %s: %+v", format, jc)
		}
	}
}

func TestJoinRejectsBadFlagsBeforeAnyRequest(t *testing.T) {
	f := newFakeAPI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"join"}, "error: NAME is required\n"},
		{[]string{"join", "a", "b"}, `error: exactly one NAME is allowed, got 2: ["a" "b"]` + "\n"},
		{[]string{"join", "a", "--label", "zone"}, `error: --label: invalid label "zone": want key=value` + "\n"},
		{[]string{"join", "a", "--taint", "k=v:Sometimes"}, `error: --taint: invalid taint "k=v:Sometimes": the effect must be one of NoSchedule, PreferNoSchedule, NoExecute` + "\n"},
		{[]string{"join", "a", "--token-ttl", "0s"}, "error: --token-ttl: the token TTL must be positive, got 0s\n"},
		{[]string{"join", "a", "-o", "wide"}, `error: unable to match a printer suitable for the output format "wide", allowed formats are: text,json,yaml` + "\n"},
		{[]string{"join", "a", "--bogus"}, "error: unknown flag: --bogus\n"},
	} {
		stdout, stderr, code := f.run(tc.args...)
		want := tc.want + "See 'kubectl edgenode join -h' for help and examples\n"
		if code != 1 || stdout != "" || stderr != want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %q", tc.args, code, stdout, stderr, want)
		}
	}
	if n := f.requestCount(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}
