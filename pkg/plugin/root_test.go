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
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestHelpEverywhere(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"kubectl edgenode [command]", "join ", "list ", "token ", "release ", "version ", "--kubeconfig", "--context"}},
		{nil, []string{"kubectl edgenode [command]"}},
		{[]string{"join", "--help"}, []string{"kubectl edgenode join NAME", "--ip", "--kubeedge-version", "--label", "--taint", "--runtime-endpoint",
			"--cgroup-driver", "--image-repository", "--cloudcore-address", "--token-ttl", "--strict", "--dry-run", "--output", "--kubeconfig"}},
		{[]string{"list", "-h"}, []string{"kubectl edgenode list", "--selector", "--output", "--no-headers"}},
		{[]string{"token", "--help"}, []string{"kubectl edgenode token NAME", "--ttl", "--output"}},
		{[]string{"release", "--help"}, []string{"kubectl edgenode release NAME..."}},
		{[]string{"version", "--help"}, []string{"kubectl edgenode version"}},
		{[]string{"help", "join"}, []string{"kubectl edgenode join NAME"}},
	} {
		stdout, stderr, code := runPlugin(t, tc.args...)
		if code != 0 || stderr != "" {
			t.Errorf("%q: exit %d, stderr %q", tc.args, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%q: help lacks %q:\n%s", tc.args, w, stdout)
			}
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	_, stderr, code := runPlugin(t, "reserve", "x")
	if code != 1 || stderr != "error: unknown command \"reserve\" for \"kubectl edgenode\"\nSee 'kubectl edgenode -h' for help and examples\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	stdout, stderr, code := runPlugin(t, "version")
	if code != 0 || stderr != "" || !regexp.MustCompile(`^kubectl-edgenode \S+ \(.*go1\.\d+.*\)\n$`).MatchString(stdout) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	old := version
	t.Cleanup(func() { version = old })
	version = "v9.8.7"
	if stdout, _, _ := runPlugin(t, "version"); !strings.HasPrefix(stdout, "kubectl-edgenode v9.8.7 (") {
		t.Errorf("with a linked version: %q", stdout)
	}
	if ua := userAgent(); !strings.HasPrefix(ua, "kubectl-edgenode/v9.8.7 (") {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestDescribeExpiry(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(90 * time.Minute), "2030-01-01T13:30:00Z (in 90m)"},
		{now.Add(-3 * time.Hour), "2030-01-01T09:00:00Z (3h ago)"},
	} {
		if got := describeExpiry(metav1.NewTime(tc.at), now); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
