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
)

// Syncer heartbeat Leases (as edgewatcher-syncer writes them) show up as the FORWARDING column,
// and a node a syncer refuses to forward becomes phase Conflict with IPUnique=False.
func TestForwardingCoverageFromSyncerHeartbeats(t *testing.T) {
	seedKubeEdge(t)
	ctx := context.Background()
	createNode(t, ctx, nodeSpec{name: "cov-ok", labels: edgeLabels("cov"), ip: "198.51.100.80", port: 10351, ready: corev1.ConditionTrue})
	createNode(t, ctx, nodeSpec{name: "cov-clash", labels: edgeLabels("cov"), ip: "198.51.100.81", port: 10352, ready: corev1.ConditionTrue})
	leases := cp.Client().CoordinationV1().Leases("kubeedge")
	for host, conflicts := range map[string][]string{"cov-cp-1": {"cov-clash"}, "cov-cp-2": nil} {
		synced := metav1.Now()
		st, _ := json.Marshal(heartbeat.Status{NodeName: host, LastSyncTime: &synced, ConflictNodes: conflicts})
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
	eventually(t, 10*time.Second, func() error {
		rows := tableRows(kubectl(t, ctx, "get", "edgenodes", "-l", "e2e-test=cov", "--no-headers"))
		got := map[string]string{}
		for _, r := range rows {
			got[r[0]] = r[5]
		}
		if got["cov-ok"] != "2/2" || got["cov-clash"] != "1/2" {
			return errorf("FORWARDING %v", got)
		}
		return nil
	})
	out := kubectl(t, ctx, "get", "edgenodes", "--field-selector", "status.phase=Conflict", "-l", "e2e-test=cov", "-o", "name")
	if strings.TrimSpace(out) != "edgenode.kubeedge.kubesphere.io/cov-clash" {
		t.Fatalf("Conflict selector: %q", out)
	}
	cond := kubectl(t, ctx, "get", "edgenode", "cov-clash", "-o", `jsonpath={.status.conditions[?(@.type=="IPUnique")].status}`)
	if cond != "False" {
		t.Fatalf("IPUnique = %q", cond)
	}
}
