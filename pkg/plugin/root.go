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
	"github.com/spf13/cobra"
	cliflag "k8s.io/component-base/cli/flag"
)

// NewCommand returns the kubectl-edgenode command tree, reading and writing streams.
func NewCommand(streams IOStreams) *cobra.Command {
	flags := newClientFlags(streams.ErrOut)
	root := &cobra.Command{
		Use:   "kubectl-edgenode",
		Short: "Reserve, join and list KubeEdge edge nodes served by EdgeWatcher",
		Long: `kubectl edgenode reserves KubeEdge edge nodes and prints their keadm join commands and tokens,
through EdgeWatcher's kubeedge.kubesphere.io/v1alpha1 API.

It reads kubeconfig as kubectl does (--kubeconfig, else $KUBECONFIG, else ~/.kube/config) and takes
kubectl's connection flags, such as --context and --as.`,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl edgenode"},
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          unknownCommand,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return &usageError{cmd: cmd, err: err} })
	flags.addFlags(root.PersistentFlags())
	root.SetGlobalNormalizationFunc(cliflag.WordSepNormalizeFunc)
	root.AddCommand(
		newJoinCommand(flags, streams),
		newListCommand(flags, streams),
		newTokenCommand(flags, streams),
		newReleaseCommand(flags, streams),
		newVersionCommand(streams),
	)
	return root
}

// unknownCommand rejects a word that names no subcommand, as cobra words it.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf(cmd, "unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return nil
}
