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
)

// newReleaseCommand returns `kubectl edgenode release`.
func newReleaseCommand(flags *clientFlags, streams IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "release NAME...",
		Short: "Delete edge nodes: release reservations, or delete joined Nodes",
		Long: `Delete edge nodes, like "kubectl delete edgenode NAME".

For a Pending or Expired reservation this releases the name and the internal IP at once. For a joined
node it deletes the Node, which the server allows only to users who may delete that Node.
Each NAME is attempted; the command fails if any deletion failed.`,
		Example: `  # Release the reservation of edge-node-1
  kubectl edgenode release edge-node-1`,
		Args: atLeastOneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			cs, err := flags.clientset()
			if err != nil {
				return err
			}
			var failed []error
			for _, name := range args {
				if err := cs.KubeedgeV1alpha1().EdgeNodes().Delete(cmd.Context(), name, metav1.DeleteOptions{}); err != nil {
					failed = append(failed, err)
					continue
				}
				_, _ = fmt.Fprintf(streams.Out, "edgenode.kubeedge.kubesphere.io %q deleted\n", name)
			}
			return releaseError(streams, failed)
		},
	}
}

// releaseError prints every failed deletion but the last on ErrOut, as kubectl delete does, and returns the last.
func releaseError(streams IOStreams, failed []error) error {
	if len(failed) == 0 {
		return nil
	}
	for _, err := range failed[:len(failed)-1] {
		_, _ = fmt.Fprintln(streams.ErrOut, errorMessage(err))
	}
	return failed[len(failed)-1]
}
