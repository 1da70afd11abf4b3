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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// TestConsoleMirrorFromEdgeWatcherConfig writes kubeedge/edge-watcher-config through kube-apiserver, step by
// step, and asks the console route after each change: without the ConfigMap the line downloads KubeEdge's
// release and verifies it; a KubeSphere mirror without an explicit "none" is a 503 naming the key, reserves
// nothing and drops the console-config gauge; with it, or through the old region key, the line downloads
// from KubeSphere and warns that it is unverified; a template is verified against its sibling checksum.
// Each change is picked up from the watch, with no restart.
func TestConsoleMirrorFromEdgeWatcherConfig(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	cms := cp.Client().CoreV1().ConfigMaps("kubeedge")
	var nodes []string
	t.Cleanup(func() {
		_ = cms.Delete(context.Background(), "edge-watcher-config", metav1.DeleteOptions{})
		for _, n := range nodes {
			_, _, _ = cp.Kubectl(context.Background(), "delete", "edgenode", n, "--ignore-not-found")
		}
	})
	setConfig := func(data map[string]string) {
		t.Helper()
		if data == nil {
			if err := cms.Delete(ctx, "edge-watcher-config", metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
			return
		}
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kubeedge", Name: "edge-watcher-config"}, Data: data}
		if _, err := cms.Create(ctx, cm, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
			_, err = cms.Update(ctx, cm, metav1.UpdateOptions{})
			if err != nil {
				t.Fatal(err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
	}
	const (
		official = `https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/keadm-v1.23.1-linux-"$arch".tar.gz`
		qingstor = `https://kubeedge.pek3b.qingstor.com/bin/v1.23.1/"$arch"/keadm-v1.23.1-linux-"$arch".tar.gz`
		tmpl     = "https://mirror.example.com/kubeedge/{version}/keadm-{version}-linux-{arch}.tar.gz"
	)
	steps := []struct {
		name     string
		data     map[string]string
		message  string   // the whole 503 message as the join flow words it, or "" for a command
		contains []string // in the command
		verified bool
	}{
		{"no ConfigMap", nil, "", []string{official, `checksum_keadm-v1.23.1-linux-"$arch".tar.gz.txt`, `./keadm-v1.23.1-linux-"$arch"/keadm/keadm join `}, true},
		{"named KubeSphere mirror without none", map[string]string{"mirror": "kubesphere-zh"},
			`ConfigMap kubeedge/edge-watcher-config: key mirrorChecksum: mirror kubesphere-zh publishes no checksum files: ` +
				`set an https checksum URL template, or "none" to download keadm unverified`, nil, false},
		{"named KubeSphere mirror, unverified by choice", map[string]string{"mirror": "kubesphere-zh", "mirrorChecksum": "none"}, "",
			[]string{qingstor, "x86_64) arch=x86_64;;", "&& ./keadm join "}, false},
		{"old region key", map[string]string{"region": "zh", "version": "v1.23.1"}, "", []string{qingstor, "&& ./keadm join "}, false},
		{"mirror and region together", map[string]string{"region": "zh", "mirror": "kubeedge"},
			"ConfigMap kubeedge/edge-watcher-config: key mirror: cannot be combined with key region; set mirror to kubesphere-zh or kubesphere-en instead", nil, false},
		{"template", map[string]string{"mirror": tmpl}, "", []string{
			`https://mirror.example.com/kubeedge/v1.23.1/keadm-v1.23.1-linux-"$arch".tar.gz`,
			`https://mirror.example.com/kubeedge/v1.23.1/checksum_keadm-v1.23.1-linux-"$arch".tar.gz.txt`}, true},
		{"ConfigMap deleted", nil, "", []string{official}, true},
	}
	for i, s := range steps {
		node, ip := fmt.Sprintf("mirror-%d", i), fmt.Sprintf("203.0.113.%d", 230+i)
		nodes = append(nodes, node)
		t.Run(s.name, func(t *testing.T) {
			setConfig(s.data)
			var a joinAnswer
			framework.Eventually(t, "the console join answer", 10*time.Second, framework.Succeeds(func() error {
				a = getConsoleJoin(t, node, ip)
				if s.message != "" {
					// The console route words it as every 503 it sends (see TestJoinSurvivesBrokenKubeEdgeObjects).
					if want := "Service unavailable: " + s.message; a.code != http.StatusServiceUnavailable || a.message != want {
						return fmt.Errorf("%d %q, want 503 %q", a.code, a.message, want)
					}
					return wantGauges(t, "console-config")
				}
				if a.code != http.StatusOK {
					return fmt.Errorf("%d %q", a.code, a.message)
				}
				for _, want := range s.contains {
					if !strings.Contains(a.command, want) {
						return fmt.Errorf("command lacks %q: %s", want, a.command)
					}
				}
				return wantGauges(t, "")
			}))
			if s.message != "" {
				if _, _, err := cp.Kubectl(ctx, "get", "edgenode", node); err == nil {
					t.Errorf("a 503 reserved %s", node)
				}
				return
			}
			if verified := strings.Contains(a.command, " | sha512sum -c - && "); verified != s.verified ||
				strings.Contains(a.command, "is not verified") == s.verified {
				t.Errorf("verified %v, want %v: %s", verified, s.verified, a.command)
			}
		})
	}
}
