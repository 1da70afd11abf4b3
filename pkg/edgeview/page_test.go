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

package edgeview

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// readAll follows a paged list from first to last page at the first page's version.
func readAll(t *testing.T, c *Cache, limit int, filter func(*kubeedge.EdgeNode) bool, between func(page int)) ([]*kubeedge.EdgeNode, uint64) {
	t.Helper()
	var out []*kubeedge.EdgeNode
	req := PageRequest{Limit: limit, Filter: filter}
	for i := 0; ; i++ {
		page, err := c.ListPage(context.Background(), req)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if limit > 0 && len(page.Items) > limit {
			t.Fatalf("page %d holds %d items, limit %d", i, len(page.Items), limit)
		}
		for i := range page.Items {
			out = append(out, &page.Items[i])
		}
		if page.Next == "" {
			return out, page.ResourceVersion
		}
		if req.ResourceVersion != 0 && page.ResourceVersion != req.ResourceVersion {
			t.Fatalf("page %d at version %d, want %d", i, page.ResourceVersion, req.ResourceVersion)
		}
		req = PageRequest{ResourceVersion: page.ResourceVersion, Start: page.Next, Offset: page.NextOffset, Limit: limit, Filter: filter}
		if between != nil {
			between(i)
		}
	}
}

func edgeNodes(n int) []*corev1.Node {
	out := make([]*corev1.Node, n)
	for i := range out {
		out[i] = testNode(fmt.Sprintf("edge-%02d", i*2), i+1, true, fmt.Sprintf("198.51.100.%d", i+1), corev1.ConditionTrue)
	}
	return out
}

// TestListPageConsistentSnapshot changes the view between pages: the pages show the view of the first
// page, whether the snapshot is kept or rebuilt from the history.
func TestListPageConsistentSnapshot(t *testing.T) {
	for _, kept := range []bool{true, false} {
		t.Run(fmt.Sprintf("kept=%v", kept), func(t *testing.T) {
			c := syncedCache(t, edgeNodes(10)...)
			if !kept {
				c.SetSnapshotRetention(0, 0)
			}
			want, _, _ := c.List(nil)
			rv := 10
			got, at := readAll(t, c, 3, nil, func(page int) {
				rv++
				switch page {
				case 0:
					c.OnAdd(testNode("edge-07", rv, true, "198.51.100.77", corev1.ConditionTrue), false) // after this page
					rv++
					c.OnAdd(testNode("edge-00a", rv, true, "198.51.100.78", corev1.ConditionTrue), false) // before it
				case 1:
					c.OnDelete(testNode("edge-16", rv, true, "198.51.100.9", corev1.ConditionTrue))
					rv++
					c.OnUpdate(nil, testNode("edge-18", rv, true, "198.51.100.10", corev1.ConditionFalse))
					rv++
					c.OnReservation("edge-19", testReservation("edge-19", strconv.Itoa(rv), false), "")
				case 2:
					c.OnUpdate(nil, testNode("edge-14", rv, false, "198.51.100.8", corev1.ConditionTrue)) // loses the edge label
				}
			})
			if at != 10 {
				t.Errorf("pages at version %d, want 10", at)
			}
			if !slices.Equal(names(got), names(want)) {
				t.Fatalf("pages hold %v, want the first page's view %v", names(got), names(want))
			}
			for i := range got {
				if !sameView(got[i], want[i]) {
					t.Errorf("%s changed between pages: %+v, want %+v", got[i].Name, got[i].Status, want[i].Status)
				}
			}
			if now, _, _ := c.List(nil); len(now) != 11 {
				t.Errorf("current view has %d items, want 11: %v", len(now), names(now))
			}
			if n := c.Snapshots(); kept != (n == 1) {
				t.Errorf("%d snapshots kept", n)
			}
		})
	}
}

// TestListPageRebuildsEveryVersion checks that the view rebuilt at each version the history covers is the view
// that was current at that version, over random changes to nodes and reservations.
func TestListPageRebuildsEveryVersion(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	c := syncedCache(t, edgeNodes(20)...)
	c.SetSnapshotRetention(0, 0)
	seen := map[uint64][]*kubeedge.EdgeNode{}
	record := func() {
		items, rv, err := c.List(nil)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.ParseUint(rv, 10, 64)
		seen[n] = items
	}
	record()
	for rv := 21; rv < 120; rv++ {
		name := fmt.Sprintf("edge-%02d", rnd.IntN(45))
		ready := []corev1.ConditionStatus{corev1.ConditionTrue, corev1.ConditionFalse}[rnd.IntN(2)]
		switch rnd.IntN(5) {
		case 0:
			c.OnDelete(testNode(name, rv, true, "198.51.100.1", ready))
		case 1:
			c.OnUpdate(nil, testNode(name, rv, false, "198.51.100.1", ready))
		case 2:
			c.OnReservation(name, testReservation(name, strconv.Itoa(rv), rnd.IntN(2) == 0), "")
		case 3:
			c.OnReservation(name, nil, strconv.Itoa(rv))
		default:
			c.OnUpdate(nil, testNode(name, rv, true, "198.51.100.1", ready))
		}
		record()
	}
	for rv, want := range seen {
		page, err := c.ListPage(context.Background(), PageRequest{ResourceVersion: rv})
		if err != nil {
			t.Fatalf("version %d: %v", rv, err)
		}
		got := make([]*kubeedge.EdgeNode, len(page.Items))
		for i := range page.Items {
			got[i] = &page.Items[i]
		}
		if !slices.EqualFunc(got, want, sameView) {
			t.Errorf("view at %d: %v, want %v", rv, names(got), names(want))
		}
	}
}

func TestListPageTooOld(t *testing.T) {
	c := NewCache(2)
	for _, n := range edgeNodes(5) {
		c.OnAdd(n, true)
	}
	c.MarkSynced("")
	c.SetSnapshotRetention(0, 0)
	for rv := 6; rv <= 8; rv++ {
		c.OnUpdate(nil, testNode("edge-00", rv, true, "198.51.100.1", corev1.ConditionStatus(strconv.Itoa(rv))))
	}
	// The history keeps the changes at 7 and 8: the view at 6 can be rebuilt, not the one at 5.
	if _, err := c.ListPage(context.Background(), PageRequest{ResourceVersion: 6}); err != nil {
		t.Errorf("version 6: %v", err)
	}
	var tooOld *ResourceVersionTooOldError
	if _, err := c.ListPage(context.Background(), PageRequest{ResourceVersion: 5}); !errors.As(err, &tooOld) {
		t.Errorf("version 5: err = %v, want ResourceVersionTooOldError", err)
	}
}

func TestListPageLimitCountsMatches(t *testing.T) {
	c := syncedCache(t, edgeNodes(10)...) // edge-00 .. edge-18
	even := func(en *kubeedge.EdgeNode) bool { i, _ := strconv.Atoi(en.Name[5:]); return i%4 == 0 }
	page, err := c.ListPage(context.Background(), PageRequest{Limit: 2, Filter: even})
	if err != nil {
		t.Fatal(err)
	}
	if got := pageNames(page.Items); !slices.Equal(got, []string{"edge-00", "edge-04"}) || page.Next != "edge-04\x00" || page.NextOffset != 3 || page.Remaining != 7 {
		t.Errorf("first page %v next=%q offset=%d remaining=%d", got, page.Next, page.NextOffset, page.Remaining)
	}
	all, _ := readAll(t, c, 2, even, nil)
	if got := names(all); !slices.Equal(got, []string{"edge-00", "edge-04", "edge-08", "edge-12", "edge-16"}) {
		t.Errorf("all pages: %v", got)
	}
	// The last match ends the view: no further page, as kube-apiserver answers.
	sixth := func(en *kubeedge.EdgeNode) bool { i, _ := strconv.Atoi(en.Name[5:]); return i%6 == 0 }
	page, _ = c.ListPage(context.Background(), PageRequest{Limit: 4, Filter: sixth})
	if page.Next != "" || len(page.Items) != 4 {
		t.Errorf("limit = matches: %v next=%q", pageNames(page.Items), page.Next)
	}
	// An unknown offset is counted.
	page, _ = c.ListPage(context.Background(), PageRequest{Start: "edge-05", Offset: -1, Limit: 1})
	if pageNames(page.Items)[0] != "edge-06" || page.NextOffset != 4 || page.Remaining != 6 {
		t.Errorf("from edge-05: %v offset=%d remaining=%d", pageNames(page.Items), page.NextOffset, page.Remaining)
	}
}

func TestSnapshotRetention(t *testing.T) {
	c := syncedCache(t, edgeNodes(4)...)
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	c.SetSnapshotRetention(time.Minute, 2)
	first := func() uint64 {
		page, err := c.ListPage(context.Background(), PageRequest{Limit: 1})
		if err != nil || page.Next == "" {
			t.Fatalf("first page: %v, %v", page, err)
		}
		return page.ResourceVersion
	}
	for rv := 5; rv <= 7; rv++ {
		first()
		now = now.Add(time.Second)
		c.OnUpdate(nil, testNode("edge-00", rv, true, "198.51.100.1", corev1.ConditionStatus(strconv.Itoa(rv))))
	}
	if n := c.Snapshots(); n != 2 {
		t.Errorf("%d snapshots kept, want the 2 most recent", n)
	}
	if _, ok := c.snapshots[4]; ok {
		t.Error("the least recently used snapshot is kept")
	}
	now = now.Add(time.Minute + time.Second)
	first()
	if n := c.Snapshots(); n != 1 {
		t.Errorf("%d snapshots kept after a minute idle, want only the new one", n)
	}
}

// TestListPageConcurrentWrites pages through kept and rebuilt snapshots while the view changes; run with -race.
func TestListPageConcurrentWrites(t *testing.T) {
	c := syncedCache(t, edgeNodes(200)...)
	c.SetSnapshotRetention(time.Minute, 2)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for rv := 201; rv < 2000; rv++ {
			name := fmt.Sprintf("edge-%02d", rv%400)
			if rv%3 == 0 {
				c.OnDelete(testNode(name, rv, true, "198.51.100.1", corev1.ConditionTrue))
			} else {
				c.OnUpdate(nil, testNode(name, rv, true, "198.51.100.1", corev1.ConditionTrue))
			}
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		items, rv := readAll(t, c, 7, nil, nil)
		if !slices.IsSortedFunc(items, func(a, b *kubeedge.EdgeNode) int { return strings.Compare(a.Name, b.Name) }) {
			t.Fatalf("pages at %d are not sorted", rv)
		}
	}
}

func pageNames(items []kubeedge.EdgeNode) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = items[i].Name
	}
	return out
}
