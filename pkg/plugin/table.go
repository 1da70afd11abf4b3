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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/edgewatcher/edgewatcher/pkg/generated/clientset/versioned/scheme"
)

// tableAccept asks the server to render a list as a meta.k8s.io/v1 Table, as kubectl get does; plain JSON
// stays acceptable so that errors arrive as a decodable Status.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

// getTable lists edgenodes matching selector as the server's Table, without the objects.
func getTable(ctx context.Context, client rest.Interface, selector string) (*metav1.Table, error) {
	res := client.Get().
		Resource("edgenodes").
		VersionedParams(&metav1.ListOptions{LabelSelector: selector}, scheme.ParameterCodec).
		Param("includeObject", string(metav1.IncludeNone)).
		SetHeader("Accept", tableAccept).
		Do(ctx)
	// Error, unlike Raw, decodes the server's Status, so that kubectl-style messages name the cause.
	if err := res.Error(); err != nil {
		return nil, err
	}
	raw, err := res.Raw()
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	table := &metav1.Table{}
	if err := dec.Decode(table); err != nil {
		return nil, fmt.Errorf("decode the server's table: %w", err)
	}
	if table.Kind != "Table" {
		return nil, fmt.Errorf("the server answered %s %s instead of a meta.k8s.io/v1 Table", table.APIVersion, table.Kind)
	}
	return table, nil
}

// printTable prints table as kubectl get does: upper-case headers, columns of priority 0 unless wide,
// "<none>" for empty cells, padded with spaces.
func printTable(w io.Writer, table *metav1.Table, wide, noHeaders bool) error {
	var show []int
	for i, c := range table.ColumnDefinitions {
		if c.Priority == 0 || wide {
			show = append(show, i)
		}
	}
	tw := tabwriter.NewWriter(w, 6, 4, 3, ' ', 0)
	if !noHeaders {
		headers := make([]string, len(show))
		for j, i := range show {
			headers[j] = strings.ToUpper(table.ColumnDefinitions[i].Name)
		}
		_, _ = fmt.Fprintln(tw, strings.Join(headers, "\t"))
	}
	for _, row := range table.Rows {
		cells := make([]string, len(show))
		for j, i := range show {
			cells[j] = "<none>"
			if i < len(row.Cells) {
				cells[j] = cellText(row.Cells[i])
			}
		}
		_, _ = fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// cellText renders one table cell; nil and empty strings are "<none>".
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return "<none>"
	case string:
		if v == "" {
			return "<none>"
		}
		return v
	default:
		return fmt.Sprint(v)
	}
}
