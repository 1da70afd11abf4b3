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
	"fmt"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// listOptions are the flags of `kubectl edgenode list`.
type listOptions struct {
	selector  string
	output    string
	noHeaders bool
}

// newListCommand returns `kubectl edgenode list`.
func newListCommand(flags *clientFlags, streams IOStreams) *cobra.Command {
	o := &listOptions{output: outputText}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List edge nodes: joined nodes and reservations",
		Long: `List edge nodes with the columns the server defines, as "kubectl get edgenodes" prints them:
joined Nodes labelled node-role.kubernetes.io/edge and reservations of nodes that have not joined yet.`,
		Example: `  # List every edge node, with the lifecycle phase
  kubectl edgenode list -o wide

  # List the edge nodes labelled zone=north as YAML
  kubectl edgenode list -l zone=north -o yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(cmd, o.output, outputText, outputWide, outputJSON, outputYAML); err != nil {
				return err
			}
			cs, err := flags.clientset()
			if err != nil {
				return err
			}
			if o.output == outputJSON || o.output == outputYAML {
				list, err := cs.KubeedgeV1alpha1().EdgeNodes().List(cmd.Context(), metav1.ListOptions{LabelSelector: o.selector})
				if err != nil {
					return err
				}
				return printObject(streams.Out, o.output, withTypeMeta(list))
			}
			table, err := getTable(cmd.Context(), cs.KubeedgeV1alpha1().RESTClient(), o.selector)
			if err != nil {
				return err
			}
			if len(table.Rows) == 0 {
				_, err = fmt.Fprintln(streams.ErrOut, "No resources found")
				return err
			}
			return printTable(streams.Out, table, o.output == outputWide, o.noHeaders)
		},
	}
	cmd.Flags().StringVarP(&o.selector, "selector", "l", "", "Label selector to filter on, such as -l zone=north or -l 'zone in (north,south)'.")
	cmd.Flags().StringVarP(&o.output, "output", "o", o.output, "Output format: text, wide (adds the phase), json or yaml.")
	cmd.Flags().BoolVar(&o.noHeaders, "no-headers", false, "Omit the header row of text and wide output.")
	return cmd
}

// withTypeMeta sets apiVersion and kind on a list and its items, which typed clients leave empty.
func withTypeMeta(list *v1alpha1.EdgeNodeList) *v1alpha1.EdgeNodeList {
	gv := v1alpha1.SchemeGroupVersion.String()
	list.APIVersion, list.Kind = gv, "EdgeNodeList"
	for i := range list.Items {
		list.Items[i].APIVersion, list.Items[i].Kind = gv, "EdgeNode"
	}
	return list
}
