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

package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

// listVariant is one kind of list the list clients send in turn.
type listVariant struct {
	query, accept string
	// items is how many items or rows the answer must hold.
	items itemRange
}

// itemRange is an inclusive range of item counts.
type itemRange struct{ min, max int }

// exactly is the range of just n.
func exactly(n int) itemRange { return itemRange{n, n} }

// listVariants are kubectl get edgenodes (a Table), a client's full JSON list, a label selector matching one
// zone in ten, and a field selector whose matches the churn changes all the time.
func listVariants() []listVariant {
	// The edge Nodes and the reservations made before the load, plus at most one new node per console client.
	all := itemRange{edgeNodes + joinClients + consoleClients, edgeNodes + joinClients + 2*consoleClients}
	return []listVariant{
		{query: "", accept: tableAccept, items: all},
		{query: "", accept: "application/json", items: all},
		{query: "?labelSelector=topology.kubernetes.io%2Fzone%3Dzone-3", accept: "application/json", items: exactly(edgeNodes / 10)},
		{query: "?fieldSelector=status.readiness%3DNotReady", accept: "application/json", items: itemRange{0, edgeNodes}},
	}
}

// checkList decodes a list or Table and accepts it with a number of items or rows in want.
func checkList(want itemRange) func(io.Reader) error {
	return func(r io.Reader) error {
		var list struct {
			Kind  string     `json:"kind"`
			Items []struct{} `json:"items"`
			Rows  []struct{} `json:"rows"`
		}
		if err := json.NewDecoder(r).Decode(&list); err != nil {
			return err
		}
		got := len(list.Items)
		if list.Kind == "Table" {
			got = len(list.Rows)
		} else if list.Kind != "EdgeNodeList" {
			return fmt.Errorf("kind %q", list.Kind)
		}
		return wantItems(list.Kind, got, want)
	}
}

// Compact JSON as the server writes it: a list's items are objects starting with their metadata (items carry
// no kind), and a Table's rows are objects starting with their cells. checkListFast counts these openings.
var (
	listPrefix  = []byte(`{"kind":"EdgeNodeList",`)
	tablePrefix = []byte(`{"kind":"Table",`)
	itemOpening = []byte(`{"metadata":{`)
	rowOpening  = []byte(`{"cells":[`)
)

// checkListFast is checkList without decoding: under -race, decoding a 1 MB list costs the clients more CPU
// than the server spends producing it. It checks the kind and counts items or rows by their opening bytes.
func checkListFast(want itemRange) func(io.Reader) error {
	return func(r io.Reader) error {
		buf := make([]byte, 64<<10)
		n, err := io.ReadAtLeast(r, buf, len(listPrefix))
		if err != nil {
			return err
		}
		kind, opening := "EdgeNodeList", itemOpening
		switch {
		case bytes.HasPrefix(buf[:n], tablePrefix):
			kind, opening = "Table", rowOpening
		case !bytes.HasPrefix(buf[:n], listPrefix):
			return fmt.Errorf("neither an EdgeNodeList nor a Table: %.40q", buf[:n])
		}
		got, err := countOpenings(r, buf, n, opening)
		if err != nil {
			return err
		}
		return wantItems(kind, got, want)
	}
}

// countOpenings counts p in the n bytes already in buf and the rest of r, keeping the tail of each read
// that could start a match across reads.
func countOpenings(r io.Reader, buf []byte, n int, p []byte) (int, error) {
	count := 0
	for {
		count += bytes.Count(buf[:n], p)
		keep := min(len(p)-1, n)
		copy(buf, buf[n-keep:n])
		m, err := r.Read(buf[keep:])
		n = keep + m
		if errors.Is(err, io.EOF) {
			return count + bytes.Count(buf[:n], p), nil
		}
		if err != nil {
			return 0, err
		}
	}
}

func wantItems(kind string, got int, want itemRange) error {
	if got < want.min || got > want.max {
		return fmt.Errorf("%s with %d items, want %d to %d", kind, got, want.min, want.max)
	}
	return nil
}

// listClient is list client i until ctx ends, cycling through listVariants from a different start. It
// decodes its first round of lists in full, which also proves the counting of checkListFast, and counts after.
func listClient(ctx context.Context, c *http.Client, s *routeStats, i int) {
	variants := listVariants()
	for k := 0; ctx.Err() == nil; k++ {
		v := variants[(i+k)%len(variants)]
		req := mustRequest(http.MethodGet, cp.URL+edgeNodesPath+v.query, nil)
		req.Header.Set("Accept", v.accept)
		check := checkListFast(v.items)
		if k < len(variants) {
			check = checkList(v.items)
		}
		s.do(ctx, c, req, check)
	}
}
