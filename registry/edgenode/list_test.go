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
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/storage"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
)

func TestContinueTokenRoundTrip(t *testing.T) {
	tok := continueToken{ResourceVersion: 42, Start: "edge-7\x00", Offset: 8}
	enc := encodeContinue(tok)
	got, err := decodeContinue(enc)
	tok.APIVersion = continueVersion
	if err != nil || got != tok {
		t.Fatalf("decode(encode(%+v)) = %+v, %v", tok, got, err)
	}
	// kube-apiserver's own decoder reads our tokens, and ours reads its tokens.
	key, rv, err := storage.DecodeContinue(enc, "/edgenodes/")
	if err != nil || key != "/edgenodes/edge-7\x00" || rv != 42 {
		t.Errorf("storage.DecodeContinue = %q, %d, %v", key, rv, err)
	}
	theirs, err := storage.EncodeContinue("/edgenodes/edge-9\x00", "/edgenodes/", 7)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeContinue(theirs); err != nil || got.Start != "edge-9\x00" || got.ResourceVersion != 7 {
		t.Errorf("decode(kube-apiserver's token) = %+v, %v", got, err)
	}
}

func TestContinueTokenValidation(t *testing.T) {
	raw := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, value := range map[string]string{
		"not base64":      "%%%",
		"padded base64":   base64.URLEncoding.EncodeToString([]byte(`{"v":"meta.k8s.io/v1","rv":1,"start":"a"}`)),
		"not JSON":        raw("edge-1"),
		"other version":   raw(`{"v":"meta.k8s.io/v2","rv":1,"start":"a"}`),
		"no version":      raw(`{"rv":1,"start":"a"}`),
		"zero rv":         raw(`{"v":"meta.k8s.io/v1","rv":0,"start":"a"}`),
		"rv below -1":     raw(`{"v":"meta.k8s.io/v1","rv":-2,"start":"a"}`),
		"empty start":     raw(`{"v":"meta.k8s.io/v1","rv":1,"start":""}`),
		"path in start":   raw(`{"v":"meta.k8s.io/v1","rv":1,"start":"../secrets/a"}`),
		"negative offset": raw(`{"v":"meta.k8s.io/v1","rv":1,"start":"a","n":-1}`),
		"rv as string":    raw(`{"v":"meta.k8s.io/v1","rv":"1","start":"a"}`),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeContinue(value)
			if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), "invalid continue token") {
				t.Errorf("err = %v, want BadRequest for an invalid continue token", err)
			}
		})
	}
}

func pagingREST(t *testing.T, n int) (*REST, *edgeview.Cache) {
	t.Helper()
	nodes := make([]*corev1.Node, n)
	for i := range nodes {
		zone := []string{"a", "b"}[i%2]
		nodes[i] = node(fmt.Sprintf("edge-%02d", i), i+1, true, fmt.Sprintf("198.51.100.%d", i+1), corev1.ConditionTrue, "zone", zone)
	}
	return newTestREST(t, nodes...)
}

func list(t *testing.T, r *REST, opts *metainternalversion.ListOptions) *kubeedge.EdgeNodeList {
	t.Helper()
	obj, err := r.List(context.Background(), opts)
	if err != nil {
		t.Fatalf("List(%+v): %v", opts, err)
	}
	return obj.(*kubeedge.EdgeNodeList)
}

func itemNames(l *kubeedge.EdgeNodeList) []string {
	out := make([]string, len(l.Items))
	for i := range l.Items {
		out[i] = l.Items[i].Name
	}
	return out
}

func TestListPages(t *testing.T) {
	r, view := pagingREST(t, 7)
	first := list(t, r, &metainternalversion.ListOptions{Limit: 3})
	if got := itemNames(first); !slices.Equal(got, []string{"edge-00", "edge-01", "edge-02"}) || first.Continue == "" ||
		first.RemainingItemCount == nil || *first.RemainingItemCount != 4 || first.ResourceVersion != "7" {
		t.Fatalf("first page %v continue=%q remaining=%v rv=%s", got, first.Continue, first.RemainingItemCount, first.ResourceVersion)
	}
	// Changes between pages are not seen by the following pages.
	view.OnAdd(node("edge-03a", 8, true, "198.51.100.80", corev1.ConditionTrue), false)
	view.OnDelete(node("edge-05", 9, true, "198.51.100.6", corev1.ConditionTrue))
	second := list(t, r, &metainternalversion.ListOptions{Limit: 3, Continue: first.Continue})
	if got := itemNames(second); !slices.Equal(got, []string{"edge-03", "edge-04", "edge-05"}) || second.ResourceVersion != "7" ||
		second.RemainingItemCount == nil || *second.RemainingItemCount != 1 {
		t.Fatalf("second page %v rv=%s remaining=%v", got, second.ResourceVersion, second.RemainingItemCount)
	}
	// resourceVersion "0" alongside continue is allowed, as kube-apiserver allows it.
	last := list(t, r, &metainternalversion.ListOptions{Limit: 3, Continue: second.Continue, ResourceVersion: "0"})
	if got := itemNames(last); !slices.Equal(got, []string{"edge-06"}) || last.Continue != "" || last.RemainingItemCount != nil {
		t.Fatalf("last page %v continue=%q remaining=%v", got, last.Continue, last.RemainingItemCount)
	}
	// A new list sees the changes.
	if got := itemNames(list(t, r, &metainternalversion.ListOptions{})); len(got) != 7 || !slices.Contains(got, "edge-03a") || slices.Contains(got, "edge-05") {
		t.Errorf("new list: %v", got)
	}
}

func TestListPagesWithSelector(t *testing.T) {
	r, _ := pagingREST(t, 7)
	opts := &metainternalversion.ListOptions{Limit: 2, LabelSelector: labels.SelectorFromSet(labels.Set{"zone": "b"})}
	var got []string
	for pages := 0; ; pages++ {
		l := list(t, r, opts)
		if len(l.Items) > 2 || l.RemainingItemCount != nil {
			t.Fatalf("page %d: %v remaining=%v; want at most 2 items and no remainingItemCount with a selector", pages, itemNames(l), l.RemainingItemCount)
		}
		got = append(got, itemNames(l)...)
		if l.Continue == "" {
			break
		}
		opts.Continue = l.Continue
	}
	if !slices.Equal(got, []string{"edge-01", "edge-03", "edge-05"}) {
		t.Errorf("pages hold %v", got)
	}
}

func TestListContinueErrors(t *testing.T) {
	r, view := newTestREST(t, node("edge-a", 1, true, "198.51.100.1", corev1.ConditionTrue), node("edge-b", 2, true, "198.51.100.2", corev1.ConditionTrue))
	view.SetSnapshotRetention(0, 0)
	first := list(t, r, &metainternalversion.ListOptions{Limit: 1})

	_, err := r.List(context.Background(), &metainternalversion.ListOptions{Limit: 1, Continue: "garbage"})
	if !apierrors.IsBadRequest(err) {
		t.Errorf("garbage token: err = %v, want 400", err)
	}
	_, err = r.List(context.Background(), &metainternalversion.ListOptions{Limit: 1, Continue: first.Continue, ResourceVersion: "2"})
	if !apierrors.IsBadRequest(err) {
		t.Errorf("continue with a resourceVersion: err = %v, want 400", err)
	}

	// A token whose version the history no longer covers (the view synced at 2) is 410 Expired, with
	// kube-apiserver's message and a token that continues at the current state.
	old := encodeContinue(continueToken{ResourceVersion: 1, Start: "edge-a\x00", Offset: 1})
	_, err = r.List(context.Background(), &metainternalversion.ListOptions{Limit: 1, Continue: old})
	status, ok := err.(apierrors.APIStatus)
	if !ok || status.Status().Code != http.StatusGone || status.Status().Reason != metav1.StatusReasonExpired ||
		!strings.HasPrefix(status.Status().Message, "The provided continue parameter is too old to display a consistent list result.") {
		t.Fatalf("expired token: err = %#v, want 410 Expired", err)
	}
	next := status.Status().Continue
	tok, err := decodeContinue(next)
	if err != nil || tok.ResourceVersion != -1 || tok.Start != "edge-a\x00" {
		t.Fatalf("token in the 410: %+v, %v", tok, err)
	}
	view.OnAdd(node("edge-c", 3, true, "198.51.100.3", corev1.ConditionTrue), false)
	rest := list(t, r, &metainternalversion.ListOptions{Limit: 5, Continue: next})
	if got := itemNames(rest); !slices.Equal(got, []string{"edge-b", "edge-c"}) || rest.ResourceVersion != "3" {
		t.Errorf("inconsistent continue: %v at %s, want the current state after edge-a", got, rest.ResourceVersion)
	}
}

func TestListResourceVersionWithLimit(t *testing.T) {
	r, view := pagingREST(t, 4)
	view.OnUpdate(nil, node("edge-00", 5, true, "198.51.100.1", corev1.ConditionFalse, "zone", "a"))
	view.OnDelete(node("edge-01", 6, true, "198.51.100.2", corev1.ConditionTrue, "zone", "b"))
	for _, tc := range []struct {
		name      string
		opts      metainternalversion.ListOptions
		wantRV    string
		wantNames []string
		wantMore  bool
	}{
		{name: "resourceVersion 0 ignores limit", opts: metainternalversion.ListOptions{ResourceVersion: "0", Limit: 1}, wantRV: "6", wantNames: []string{"edge-00", "edge-02", "edge-03"}},
		{name: "limit with a resourceVersion is exact", opts: metainternalversion.ListOptions{ResourceVersion: "4", Limit: 3}, wantRV: "4", wantNames: []string{"edge-00", "edge-01", "edge-02"}, wantMore: true},
		{name: "Exact without limit", opts: metainternalversion.ListOptions{ResourceVersion: "5", ResourceVersionMatch: metav1.ResourceVersionMatchExact}, wantRV: "5", wantNames: []string{"edge-00", "edge-01", "edge-02", "edge-03"}},
		{name: "NotOlderThan with limit is the current state", opts: metainternalversion.ListOptions{ResourceVersion: "4", ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan, Limit: 2}, wantRV: "6", wantNames: []string{"edge-00", "edge-02"}, wantMore: true},
		{name: "no resourceVersion with limit", opts: metainternalversion.ListOptions{Limit: 5}, wantRV: "6", wantNames: []string{"edge-00", "edge-02", "edge-03"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := list(t, r, &tc.opts)
			if got := itemNames(l); !slices.Equal(got, tc.wantNames) || l.ResourceVersion != tc.wantRV || (l.Continue != "") != tc.wantMore {
				t.Errorf("got %v at %s continue=%q, want %v at %s", got, l.ResourceVersion, l.Continue, tc.wantNames, tc.wantRV)
			}
		})
	}
	// The exact view at 4 shows edge-00 as it was then.
	l := list(t, r, &metainternalversion.ListOptions{ResourceVersion: "4", Limit: 1})
	if l.Items[0].ResourceVersion != "1" || l.Items[0].Status.Readiness == list(t, r, &metainternalversion.ListOptions{Limit: 1}).Items[0].Status.Readiness {
		t.Errorf("edge-00 at 4: rv %s readiness %s", l.Items[0].ResourceVersion, l.Items[0].Status.Readiness)
	}
	_, err := r.List(context.Background(), &metainternalversion.ListOptions{ResourceVersion: "3", ResourceVersionMatch: metav1.ResourceVersionMatchExact})
	if !apierrors.IsResourceExpired(err) || !strings.Contains(err.Error(), "too old") {
		t.Errorf("Exact before the history: err = %v, want 410 Expired", err)
	}
	_, err = r.List(context.Background(), &metainternalversion.ListOptions{Limit: -1})
	if !apierrors.IsBadRequest(err) {
		t.Errorf("negative limit: err = %v", err)
	}
}
