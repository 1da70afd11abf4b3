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

package app

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	cliflag "k8s.io/component-base/cli/flag"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/component-base/term"
	"k8s.io/component-base/version"
	"k8s.io/klog/v2"
)

// NewCommand returns the edgewatcher-apiserver command, which runs until ctx ends.
func NewCommand(ctx context.Context) *cobra.Command {
	o := NewOptions()
	cmd := &cobra.Command{
		Use:   "edgewatcher-apiserver",
		Short: "Aggregated API server for kubeedge.kubesphere.io: edge nodes, join tokens and keadm commands",
		Long: `edgewatcher-apiserver serves the kubeedge.kubesphere.io API group behind kube-apiserver.
It keeps no state of its own: edgenodes is a live view over the cluster's edge Nodes.`,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := logsapi.ValidateAndApply(o.Logging, nil); err != nil {
				return err
			}
			cliflag.PrintFlags(cmd.Flags())
			return Run(ctx, o)
		},
		Args: cobra.NoArgs,
	}
	fss := o.Flags()
	fs := cmd.Flags()
	for _, f := range fss.FlagSets {
		fs.AddFlagSet(f)
	}
	cols, _, _ := term.TerminalSize(cmd.OutOrStdout())
	cliflag.SetUsageAndHelpFunc(cmd, fss, cols)
	return cmd
}

// Run validates the options, then serves until ctx ends. Nothing reads or writes the cluster or the disk before
// the options are valid: ServerConfig prepares the serving certificate.
func Run(ctx context.Context, o *Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	config, err := o.ServerConfig()
	if err != nil {
		return err
	}
	server, err := config.Complete().New()
	if err != nil {
		return fmt.Errorf("creating server: %w", err)
	}
	klog.InfoS("Starting edgewatcher-apiserver", "version", version.Get().GitVersion)
	return server.Run(ctx)
}
