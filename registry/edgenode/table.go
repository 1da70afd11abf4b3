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
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

var columns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name", Description: "Name of the edge node."},
	{Name: "Status", Type: "string", Description: "Readiness of a joined node (Ready, NotReady, Unknown); the phase of a reservation (Pending, Expired)."},
	{Name: "Internal-IP", Type: "string", Description: "The Node's InternalIP address."},
	{Name: "Kubelet-Port", Type: "integer", Description: "status.daemonEndpoints.kubeletEndpoint.Port: the port cloudcore's tunnel owns."},
	{Name: "KubeEdge", Type: "string", Description: "KubeEdge version the node reports."},
	{Name: "Forwarding", Type: "string", Description: "Syncer hosts forwarding the node's kubelet port, of those reporting, and how many have not reported on it yet (status.forwarding)."},
	{Name: "Age", Type: "string", Description: "Time since the node was created."},
	{Name: "Phase", Type: "string", Priority: 1, Description: "Lifecycle phase: Pending, Joined, Expired or Conflict."},
}

// tableConvertor prints EdgeNodes for kubectl get.
type tableConvertor struct{}

// ConvertToTable implements rest.TableConvertor.
func (tableConvertor) ConvertToTable(_ context.Context, obj runtime.Object, _ runtime.Object) (*metav1.Table, error) {
	table := &metav1.Table{ColumnDefinitions: columns}
	switch t := obj.(type) {
	case *kubeedge.EdgeNode:
		table.Rows = []metav1.TableRow{row(t)}
	case *kubeedge.EdgeNodeList:
		table.Rows = make([]metav1.TableRow, len(t.Items))
		for i := range t.Items {
			table.Rows[i] = row(&t.Items[i])
		}
	default:
		return nil, fmt.Errorf("cannot print %T as an edgenodes table", obj)
	}
	if m, err := meta.ListAccessor(obj); err == nil {
		table.ResourceVersion = m.GetResourceVersion()
		table.Continue = m.GetContinue()
	} else if m, err := meta.Accessor(obj); err == nil {
		table.ResourceVersion = m.GetResourceVersion()
	}
	return table, nil
}

func row(en *kubeedge.EdgeNode) metav1.TableRow {
	return metav1.TableRow{
		Object: runtime.RawExtension{Object: en},
		Cells: []interface{}{
			en.Name,
			statusCell(en),
			orNone(first(en.Status.InternalIP, en.Spec.InternalIP)),
			portCell(en.Status.KubeletPort),
			orNone(first(en.Status.KubeEdgeVersion, en.Spec.KubeEdgeVersion)),
			forwardingCell(en.Status.Forwarding),
			age(en.CreationTimestamp),
			string(en.Status.Phase),
		},
	}
}

// forwardingCell prints the coverage as forwarding/hosts, like 3/3, and the hosts that have not reported on the
// node yet, like 0/1 (1 pending).
func forwardingCell(f *kubeedge.EdgeNodeForwarding) string {
	if f == nil {
		return "<none>"
	}
	if f.PendingHosts > 0 {
		return fmt.Sprintf("%d/%d (%d pending)", f.ForwardingHosts, f.Hosts, f.PendingHosts)
	}
	return fmt.Sprintf("%d/%d", f.ForwardingHosts, f.Hosts)
}

// statusCell is the readiness of a joined node, else the reservation's phase.
func statusCell(en *kubeedge.EdgeNode) string {
	if en.Status.Readiness != "" {
		return string(en.Status.Readiness)
	}
	return string(en.Status.Phase)
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func portCell(port int32) interface{} {
	if port == 0 {
		return "<none>"
	}
	return int64(port)
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func age(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}
