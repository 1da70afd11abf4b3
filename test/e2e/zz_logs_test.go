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
	"os"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestTokensNeverAppearInLogsOrEvents runs last (file order): after every join test has
// fetched tokens and commands through every path, neither the JWT of the join token nor its
// signature appears in anything the processes printed, or in any Event.
func TestTokensNeverAppearInLogsOrEvents(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	if _, err := createEdgeNode(ctx, "logs-a", "203.0.113.90"); err != nil {
		t.Fatal(err)
	}
	if _, err := createRaw(ctx, "", edgeNodesPath+"/logs-a/joincommand", `{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinCommand"}`); err != nil {
		t.Fatal(err)
	}
	secret, err := cp.Client().CoreV1().Secrets("kubeedge").Get(ctx, "tokensecret", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(secret.Data["tokendata"]))
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		t.Fatalf("unexpected token shape")
	}
	// The JWT and its signature are the secret parts; the CA hash is public.
	needles := []string{parts[1] + "." + parts[2] + "." + parts[3], parts[3]}
	procs := cp.Processes()
	if len(procs) < 3 {
		t.Fatalf("only %d processes to check", len(procs))
	}
	for _, p := range procs {
		data, err := os.ReadFile(p.LogPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if strings.Contains(string(data), n) {
				t.Errorf("%s's log (%s) contains the join token", p.Name, p.LogPath)
			}
		}
	}
	events, err := cp.Client().CoreV1().Events("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events.Items {
		for _, n := range needles {
			if strings.Contains(ev.Message, n) {
				t.Errorf("event %s/%s contains the join token", ev.Namespace, ev.Name)
			}
		}
	}
}
