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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPrintTable(t *testing.T) {
	table := &metav1.Table{
		ColumnDefinitions: []metav1.TableColumnDefinition{{Name: "Name"}, {Name: "Kubelet-Port"}, {Name: "Phase", Priority: 1}},
		Rows: []metav1.TableRow{
			{Cells: []any{"edge-node-1", json.Number("10351"), "Joined"}},
			{Cells: []any{"n", nil, ""}},
			{Cells: []any{"short-row"}},
		},
	}
	for _, tc := range []struct {
		wide, noHeaders bool
		want            []string
	}{
		{false, false, []string{"NAME          KUBELET-PORT", "edge-node-1   10351", "n             <none>", "short-row     <none>"}},
		{true, false, []string{"NAME          KUBELET-PORT   PHASE", "edge-node-1   10351          Joined", "n             <none>         <none>", "short-row     <none>         <none>"}},
		{false, true, []string{"edge-node-1   10351", "n             <none>", "short-row     <none>"}},
	} {
		var b strings.Builder
		if err := printTable(&b, table, tc.wide, tc.noHeaders); err != nil {
			t.Fatal(err)
		}
		if got, want := b.String(), strings.Join(tc.want, "\n")+"\n"; got != want {
			t.Errorf("wide=%v noHeaders=%v:\n%s\nwant\n%s", tc.wide, tc.noHeaders, got, want)
		}
	}
}
