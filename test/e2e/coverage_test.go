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
	"encoding/json"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// Syncer heartbeat Leases (as edgewatcher-syncer writes them) show up as the FORWARDING column,
// and a node a syncer refuses to forward becomes phase Conflict with IPUnique=False. A heartbeat
// that does not say which Node version it reflects counts as pending. The real syncer's heartbeat,
// and new nodes, are tested in test/e2e/syncer (TestCoverageOfNewNodes).
func TestForwardingCoverageFromSyncerHeartbeats(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	createNode(t, ctx, nodeSpec{name: "cov-ok", labels: edgeLabels("cov"), ip: "198.51.100.80", port: 10351, ready: corev1.ConditionTrue})
	createNode(t, ctx, nodeSpec{name: "cov-clash", labels: edgeLabels("cov"), ip: "198.51.100.81", port: 10352, ready: corev1.ConditionTrue})
	// The heartbeats say they reflect every Node up to now; a third, from a syncer before
	// observedNodeResourceVersion, covers nothing and shows as pending.
	nodes, err := cp.Client().CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	leases := cp.Client().CoordinationV1().Leases("kubeedge")
	for host, conflicts := range map[string][]string{"cov-cp-1": {"cov-clash"}, "cov-cp-2": nil, "cov-cp-old": nil} {
		synced := metav1.Now()
		observed := nodes.ResourceVersion
		if host == "cov-cp-old" {
			observed = ""
		}
		st, _ := json.Marshal(heartbeat.Status{NodeName: host, LastSyncTime: &synced, ConflictNodes: conflicts, ObservedNodeResourceVersion: observed})
		renew := metav1.NowMicro()
		lease := &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: heartbeat.LeaseName(host), Labels: map[string]string{heartbeat.ComponentLabel: heartbeat.Component},
				Annotations: map[string]string{heartbeat.Annotation: string(st)}},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To(host), RenewTime: &renew, LeaseDurationSeconds: ptr.To[int32](300)},
		}
		if _, err := leases.Create(ctx, lease, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = leases.Delete(context.Background(), lease.Name, metav1.DeleteOptions{}) })
	}
	framework.Eventually(t, "forwarding coverage of the cov edge nodes", 10*time.Second, framework.Succeeds(func() error {
		out := kubectl(t, ctx, "get", "edgenodes", "-l", "e2e-test=cov", "--no-headers", "-o", "custom-columns=NAME:.metadata.name,F:.status.forwarding.forwardingHosts,H:.status.forwarding.hosts,P:.status.forwarding.pendingHosts")
		got := map[string]string{}
		for _, r := range tableRows(out) {
			got[r[0]] = strings.Join(r[1:], " ")
		}
		if got["cov-ok"] != "2 3 1" || got["cov-clash"] != "1 3 1" {
			return errorf("FORWARDING %v", got)
		}
		return nil
	}))
	out := kubectl(t, ctx, "get", "edgenodes", "--field-selector", "status.phase=Conflict", "-l", "e2e-test=cov", "-o", "name")
	if strings.TrimSpace(out) != "edgenode.kubeedge.kubesphere.io/cov-clash" {
		t.Fatalf("Conflict selector: %q", out)
	}
	cond := kubectl(t, ctx, "get", "edgenode", "cov-clash", "-o", `jsonpath={.status.conditions[?(@.type=="IPUnique")].status}`)
	if cond != "False" {
		t.Fatalf("IPUnique = %q", cond)
	}
	if out := kubectl(t, ctx, "get", "edgenode", "cov-ok", "--no-headers"); !strings.Contains(out, "2/3 (1 pending)") {
		t.Fatalf("FORWARDING of cov-ok: %q, want 2/3 (1 pending)", out)
	}
}
