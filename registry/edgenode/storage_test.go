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
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
)

func node(name string, rv int, edge bool, ip string, ready corev1.ConditionStatus, extraLabels ...string) *corev1.Node {
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, ResourceVersion: strconv.Itoa(rv), Labels: map[string]string{},
			CreationTimestamp: metav1.NewTime(time.Now().Add(-90 * time.Minute))},
		Status: corev1.NodeStatus{
			Addresses:       []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}},
			Conditions:      []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10351}},
			NodeInfo:        corev1.NodeSystemInfo{KubeletVersion: "v1.31.5-kubeedge-v1.23.1"},
		},
	}
	if edge {
		n.Labels[edgeview.EdgeRoleLabel] = ""
	}
	for i := 0; i+1 < len(extraLabels); i += 2 {
		n.Labels[extraLabels[i]] = extraLabels[i+1]
	}
	return n
}

func newTestREST(t *testing.T, nodes ...*corev1.Node) (*REST, *edgeview.Cache) {
	t.Helper()
	view := edgeview.NewCache(100)
	for _, n := range nodes {
		view.OnAdd(n, true)
	}
	view.MarkSynced("")
	return NewREST(view, nil), view
}

func TestGet(t *testing.T) {
	r, _ := newTestREST(t, node("edge-1", 1, true, "198.51.100.1", corev1.ConditionTrue), node("cloud-1", 2, false, "192.0.2.1", corev1.ConditionTrue))
	obj, err := r.Get(context.Background(), "edge-1", &metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if en := obj.(*kubeedge.EdgeNode); en.Name != "edge-1" || en.Status.InternalIP != "198.51.100.1" {
		t.Errorf("Get = %+v", en)
	}
	for _, name := range []string{"cloud-1", "missing"} {
		_, err := r.Get(context.Background(), name, &metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			t.Errorf("Get(%s): err = %v, want NotFound", name, err)
		}
	}
}

func TestList(t *testing.T) {
	r, _ := newTestREST(t,
		node("edge-c", 3, true, "198.51.100.3", corev1.ConditionTrue, "zone", "b"),
		node("edge-a", 1, true, "198.51.100.1", corev1.ConditionTrue, "zone", "a"),
		node("edge-b", 2, true, "198.51.100.2", corev1.ConditionFalse, "zone", "a"),
		node("cloud-1", 4, false, "192.0.2.1", corev1.ConditionTrue, "zone", "a"),
	)
	tests := []struct {
		name  string
		label string
		field string
		want  []string
	}{
		{"all edge nodes sorted", "", "", []string{"edge-a", "edge-b", "edge-c"}},
		{"label selector", "zone=a", "", []string{"edge-a", "edge-b"}},
		{"console selector", "node-role.kubernetes.io/edge=", "", []string{"edge-a", "edge-b", "edge-c"}},
		{"name field", "", "metadata.name=edge-c", []string{"edge-c"}},
		{"not-equal field", "", "metadata.name!=edge-c", []string{"edge-a", "edge-b"}},
		{"readiness field", "", "status.readiness=NotReady", []string{"edge-b"}},
		{"ip field", "", "status.internalIP=198.51.100.1", []string{"edge-a"}},
		{"both", "zone=a", "status.readiness=Ready", []string{"edge-a"}},
		{"nothing", "zone=z", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &metainternalversion.ListOptions{}
			var err error
			if opts.LabelSelector, err = labels.Parse(tt.label); err != nil {
				t.Fatal(err)
			}
			if opts.FieldSelector, err = fields.ParseSelector(tt.field); err != nil {
				t.Fatal(err)
			}
			obj, err := r.List(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			list := obj.(*kubeedge.EdgeNodeList)
			var got []string
			for _, en := range list.Items {
				got = append(got, en.Name)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
			if list.ResourceVersion != "4" {
				t.Errorf("list resourceVersion = %q, want 4", list.ResourceVersion)
			}
		})
	}
}

func TestListResourceVersionSemantics(t *testing.T) {
	r, _ := newTestREST(t, node("edge-a", 1, true, "198.51.100.1", corev1.ConditionTrue))
	if _, err := r.List(context.Background(), &metainternalversion.ListOptions{ResourceVersion: "1"}); err != nil {
		t.Errorf("list at a reached version: %v", err)
	}
	obj, err := r.List(context.Background(), &metainternalversion.ListOptions{ResourceVersion: "1", ResourceVersionMatch: metav1.ResourceVersionMatchExact})
	if err != nil || obj.(*kubeedge.EdgeNodeList).ResourceVersion != "1" {
		t.Errorf("Exact match at the current version: %v, %v", obj, err)
	}
	_, err = r.List(context.Background(), &metainternalversion.ListOptions{ResourceVersion: "bogus"})
	if !apierrors.IsBadRequest(err) {
		t.Errorf("bad version: err = %v, want BadRequest", err)
	}
}

func TestWatchErrors(t *testing.T) {
	r, _ := newTestREST(t, node("edge-a", 10, true, "198.51.100.1", corev1.ConditionTrue))
	_, err := r.Watch(context.Background(), &metainternalversion.ListOptions{ResourceVersion: "3"})
	if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
		t.Errorf("too old: err = %v, want 410 Gone", err)
	}
	if status, ok := err.(apierrors.APIStatus); !ok || status.Status().Code != 410 {
		t.Errorf("too old: status = %v, want code 410", err)
	}
	unsynced := NewREST(edgeview.NewCache(1), nil)
	_, err = unsynced.Watch(context.Background(), &metainternalversion.ListOptions{})
	if !apierrors.IsServiceUnavailable(err) {
		t.Errorf("unsynced: err = %v, want ServiceUnavailable", err)
	}
}

func TestWatchWithSelector(t *testing.T) {
	r, view := newTestREST(t, node("edge-a", 1, true, "198.51.100.1", corev1.ConditionTrue, "zone", "a"))
	sel, _ := labels.Parse("zone=a")
	w, err := r.Watch(context.Background(), &metainternalversion.ListOptions{ResourceVersion: "1", LabelSelector: sel})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	view.OnAdd(node("edge-b", 2, true, "198.51.100.2", corev1.ConditionTrue, "zone", "b"), false)
	view.OnAdd(node("edge-c", 3, true, "198.51.100.3", corev1.ConditionTrue, "zone", "a"), false)
	select {
	case ev := <-w.ResultChan():
		if ev.Type != watch.Added || ev.Object.(*kubeedge.EdgeNode).Name != "edge-c" {
			t.Fatalf("got %s %v, want ADDED edge-c", ev.Type, ev.Object)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
}

func TestResourceMetadata(t *testing.T) {
	r, _ := newTestREST(t)
	if r.NamespaceScoped() || r.GetSingularName() != "edgenode" || r.ShortNames()[0] != "en" || r.Kind() != "EdgeNode" {
		t.Errorf("unexpected resource metadata")
	}
	if _, ok := r.New().(*kubeedge.EdgeNode); !ok {
		t.Error("New must return an EdgeNode")
	}
	if _, ok := r.NewList().(*kubeedge.EdgeNodeList); !ok {
		t.Error("NewList must return an EdgeNodeList")
	}
}
