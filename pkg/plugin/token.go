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
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// tokenOptions are the flags of `kubectl edgenode token`.
type tokenOptions struct {
	ttl    time.Duration
	output string
}

// tokenSources describes the values of JoinTokenStatus.Source.
var tokenSources = map[string]string{
	"tokensecret": "cloudcore's kubeedge/tokensecret",
	"minted":      "minted by EdgeWatcher",
}

// newTokenCommand returns `kubectl edgenode token`.
func newTokenCommand(flags *clientFlags, streams IOStreams) *cobra.Command {
	o := &tokenOptions{output: outputText}
	cmd := &cobra.Command{
		Use:   "token NAME",
		Short: "Print the join token for a reserved edge node",
		Long: `Print the token keadm join --token takes, "<sha256 of the cloudcore CA>.<JWT>", for a reserved edge node.

Tokens are issued per node through the edgenodes/NAME/jointoken subresource, and only for a Pending
reservation: reserve the node first with "kubectl edgenode join" or "kubectl create". The token goes to
standard output, its expiry and source to standard error.`,
		Example: `  # Print the token for the reserved node edge-node-1
  kubectl edgenode token edge-node-1

  # Ask for a token valid for 2 hours (when the server mints tokens) and print the JoinToken
  kubectl edgenode token edge-node-1 --ttl 2h -o yaml`,
		Args: exactlyOneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(cmd, o.output, outputText, outputJSON, outputYAML); err != nil {
				return err
			}
			req := &v1alpha1.JoinToken{TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: "JoinToken"}}
			if cmd.Flags().Changed("ttl") {
				s, err := ttlSeconds(o.ttl)
				if err != nil {
					return usageErrorf(cmd, "--ttl: %w", err)
				}
				req.Spec.TTLSeconds = &s
			}
			cs, err := flags.clientset()
			if err != nil {
				return err
			}
			jt, err := cs.KubeedgeV1alpha1().EdgeNodes().CreateJoinToken(cmd.Context(), args[0], req, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			if jt.Name == "" {
				jt.Name = args[0]
			}
			return printJoinToken(streams, o.output, jt, time.Now())
		},
	}
	cmd.Flags().DurationVar(&o.ttl, "ttl", 0, "Lifetime of the token when the server mints tokens (--mint-tokens), such as 2h; clamped by the server.")
	cmd.Flags().StringVarP(&o.output, "output", "o", o.output, "Output format: text (the token), json or yaml (the JoinToken).")
	return cmd
}

// printJoinToken prints the token on Out and its expiry on ErrOut, or the whole object.
func printJoinToken(streams IOStreams, format string, jt *v1alpha1.JoinToken, now time.Time) error {
	if format != outputText {
		jt.APIVersion, jt.Kind = v1alpha1.SchemeGroupVersion.String(), "JoinToken"
		return printObject(streams.Out, format, jt)
	}
	if _, err := fmt.Fprintln(streams.Out, jt.Status.Token); err != nil {
		return err
	}
	source := orDefault(tokenSources[jt.Status.Source], jt.Status.Source)
	_, _ = fmt.Fprintf(streams.ErrOut, "The join token for edge node %q expires at %s; source: %s.\n", jt.Name, describeExpiry(jt.Status.ExpiresAt, now), orDefault(source, "unknown"))
	return nil
}
