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

package edgenode

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

func TestConvertToTable(t *testing.T) {
	ready := node("edge-a", 1, true, "198.51.100.1", corev1.ConditionTrue)
	bare := node("edge-b", 2, true, "", corev1.ConditionUnknown)
	bare.Status.Addresses = nil
	bare.Status.DaemonEndpoints.KubeletEndpoint.Port = 0
	bare.Status.NodeInfo.KubeletVersion = ""
	r, _ := newTestREST(t, ready, bare)

	list, err := r.List(context.Background(), &metainternalversion.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	table, err := r.ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	var header []string
	for _, c := range table.ColumnDefinitions {
		if c.Priority == 0 {
			header = append(header, c.Name)
		}
	}
	wantHeader := []string{"Name", "Status", "Internal-IP", "Kubelet-Port", "KubeEdge", "Forwarding", "Age"}
	if len(header) != len(wantHeader) {
		t.Fatalf("columns = %v, want %v", header, wantHeader)
	}
	for i := range header {
		if header[i] != wantHeader[i] {
			t.Fatalf("columns = %v, want %v", header, wantHeader)
		}
	}
	if len(table.Rows) != 2 || table.ResourceVersion != "2" {
		t.Fatalf("rows = %d, rv = %q", len(table.Rows), table.ResourceVersion)
	}
	want := [][]interface{}{
		{"edge-a", "Ready", "198.51.100.1", int64(10351), "v1.23.1", "<none>", "90m", "Joined"},
		{"edge-b", "Unknown", "<none>", "<none>", "<none>", "<none>", "90m", "Joined"},
	}
	for i, row := range table.Rows {
		if len(row.Cells) != len(table.ColumnDefinitions) {
			t.Fatalf("row %d has %d cells for %d columns", i, len(row.Cells), len(table.ColumnDefinitions))
		}
		for j, cell := range row.Cells {
			if cell != want[i][j] {
				t.Errorf("row %d cell %s = %#v, want %#v", i, table.ColumnDefinitions[j].Name, cell, want[i][j])
			}
		}
		if row.Object.Object == nil {
			t.Errorf("row %d carries no object", i)
		}
	}

	one, _ := r.Get(context.Background(), "edge-a", &metav1.GetOptions{})
	single, err := r.ConvertToTable(context.Background(), one, nil)
	if err != nil || len(single.Rows) != 1 || single.ResourceVersion != "1" {
		t.Fatalf("single object table: %v %+v", err, single)
	}
	if _, err := r.ConvertToTable(context.Background(), &metav1.Status{}, nil); err == nil {
		t.Error("converting a foreign object must fail")
	}
}

func TestForwardingCell(t *testing.T) {
	for _, tc := range []struct {
		f    *kubeedge.EdgeNodeForwarding
		want string
	}{
		{nil, "<none>"},
		{&kubeedge.EdgeNodeForwarding{Hosts: 3, ForwardingHosts: 3}, "3/3"},
		{&kubeedge.EdgeNodeForwarding{Hosts: 2, ForwardingHosts: 1, ConflictHosts: 1}, "1/2"},
		{&kubeedge.EdgeNodeForwarding{Hosts: 1, PendingHosts: 1}, "0/1 (1 pending)"},
		{&kubeedge.EdgeNodeForwarding{Hosts: 3, ForwardingHosts: 1, PendingHosts: 2}, "1/3 (2 pending)"},
	} {
		if got := forwardingCell(tc.f); got != tc.want {
			t.Errorf("forwardingCell(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
