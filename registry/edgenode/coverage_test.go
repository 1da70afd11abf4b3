package edgenode

import (
	"context"
	"testing"

	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	"k8s.io/apimachinery/pkg/fields"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

func TestCoverageShowsForwardingAndConflicts(t *testing.T) {
	r, view := newTestREST(t, node("fwd", 1, true, "198.51.100.1", "True"), node("clash", 2, true, "198.51.100.2", "True"))
	r.WithCoverage(func(name string) (int, int, int) {
		if name == "clash" {
			return 3, 1, 2
		}
		return 3, 3, 0
	})
	obj, err := r.Get(context.Background(), "fwd", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := obj.(*kubeedge.EdgeNode).Status.Forwarding; f == nil || f.Hosts != 3 || f.ForwardingHosts != 3 {
		t.Fatalf("forwarding %+v", f)
	}
	sel, _ := fields.ParseSelector("status.phase=Conflict")
	list, err := r.List(context.Background(), &metainternalversion.ListOptions{FieldSelector: sel})
	if err != nil {
		t.Fatal(err)
	}
	items := list.(*kubeedge.EdgeNodeList).Items
	if len(items) != 1 || items[0].Name != "clash" || items[0].Status.Phase != kubeedge.EdgeNodeConflict {
		t.Fatalf("conflict list %+v", items)
	}
	conds := items[0].Status.Conditions
	if c := conds[len(conds)-1]; c.Type != ConditionIPUnique || c.Status != "False" {
		t.Fatalf("condition %+v", c)
	}
	// The view itself is never modified.
	if en, _, _ := view.Get("clash"); en.Status.Phase != kubeedge.EdgeNodeJoined || en.Status.Forwarding != nil {
		t.Fatal("decoration leaked into the view")
	}
}
