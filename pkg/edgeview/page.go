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

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// PageRequest selects one page of the view, as a list with limit and continue does.
type PageRequest struct {
	// ResourceVersion is the state to list: 0 for the current state, else the view exactly as of that version.
	ResourceVersion uint64
	// Start is the name the page starts at (inclusive); "" starts at the first EdgeNode.
	Start string
	// Offset is how many EdgeNodes of the snapshot sort before Start, or negative when unknown.
	Offset int
	// Limit caps the matching EdgeNodes returned; 0 returns them all.
	Limit int
	// Filter selects the EdgeNodes returned and counted against Limit; nil means all.
	Filter func(*kubeedge.EdgeNode) bool
}

// Page is one page of the view, sorted by name.
type Page struct {
	// Items are the matching EdgeNodes of this page, built for this request.
	Items []kubeedge.EdgeNode
	// ResourceVersion is the version of the snapshot the page comes from.
	ResourceVersion uint64
	// Next is the Start of the following page, "" when this page is the last.
	Next string
	// NextOffset is how many EdgeNodes of the snapshot sort before Next.
	NextOffset int
	// Remaining is how many EdgeNodes of the snapshot, matching Filter or not, sort at or after Next.
	Remaining int
}

// ListPage returns a page of the view. A page that is not the last keeps its snapshot (see
// DefaultSnapshotIdle), so the following pages, asked for at Page.ResourceVersion, see the same state; an
// older state is rebuilt from the watch history while it covers the version, and is
// ResourceVersionTooOldError after that. A future ResourceVersion waits as WaitForResourceVersion does.
func (c *Cache) ListPage(ctx context.Context, req PageRequest) (*Page, error) {
	if req.ResourceVersion != 0 {
		if err := c.waitForVersion(ctx, req.ResourceVersion); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	if !c.synced {
		c.mu.Unlock()
		return nil, ErrNotSynced
	}
	s, err := c.snapshotAt(req.ResourceVersion)
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	page := s.page(req)
	if page.Next != "" {
		c.keep(s)
	}
	return page, nil
}

// page reads one page from the snapshot; the snapshot is immutable, so no lock is needed.
func (s *snapshot) page(req PageRequest) *Page {
	total := s.tree.Len()
	offset := req.Offset
	if req.Start != "" && (offset < 0 || offset > total) {
		offset = 0
		s.tree.AscendLessThan(entryNamed(req.Start), func(*entry) bool { offset++; return true })
	} else if req.Start == "" {
		offset = 0
	}
	size := total - offset
	if req.Limit > 0 && req.Limit < size {
		size = req.Limit
	}
	if req.Filter != nil {
		// A selective filter keeps few; grow as they come rather than reserve room for every candidate.
		size = min(size, 64)
	}
	page := &Page{Items: make([]kubeedge.EdgeNode, 0, size), ResourceVersion: s.rv}
	scanned, full, more := 0, false, false
	var candidate kubeedge.EdgeNode
	visit := func(e *entry) bool {
		if full {
			more = true
			return false
		}
		scanned++
		// Each candidate is built in one reused place and copied into the page only when it matches.
		e.fill(&candidate)
		if req.Filter == nil || req.Filter(&candidate) {
			page.Items = append(page.Items, candidate)
			full = req.Limit > 0 && len(page.Items) >= req.Limit
		}
		return true
	}
	if req.Start == "" {
		s.tree.Ascend(visit)
	} else {
		s.tree.AscendGreaterOrEqual(entryNamed(req.Start), visit)
	}
	if more {
		// As kube-apiserver does: the next page starts just after the last name returned.
		page.Next = page.Items[len(page.Items)-1].Name + "\x00"
		page.NextOffset = offset + scanned
		page.Remaining = total - page.NextOffset
	}
	return page
}

// keep retains s for the pages that follow, unless a snapshot of the same version is kept already.
func (c *Cache) keep(s *snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.snapshots[s.rv]; !ok {
		c.snapshots[s.rv] = s
	}
	c.pruneSnapshots(c.now())
}

// Snapshots returns how many snapshots the Cache keeps for paged lists.
func (c *Cache) Snapshots() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.snapshots)
}
