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

// joinOptions are the flags of `kubectl edgenode join`.
type joinOptions struct {
	ip               string
	kubeEdgeVersion  string
	labels           []string
	taints           []string
	runtimeEndpoint  string
	cgroupDriver     string
	imageRepository  string
	cloudCoreAddress string
	tokenTTL         time.Duration
	strict           bool
	dryRun           bool
	output           string
}

// joinExample is shown by `kubectl edgenode join --help`.
const joinExample = `  # Reserve edge-node-1 with address 203.0.113.7 and print the keadm command for KubeEdge v1.19.2
  kubectl edgenode join edge-node-1 --ip 203.0.113.7 --kubeedge-version v1.19.2

  # Reserve with a label and a taint, and run the command on the edge machine over ssh
  kubectl edgenode join edge-node-1 --ip 203.0.113.7 --label zone=north --taint node-role.kubernetes.io/edge:NoSchedule | ssh root@203.0.113.7 sh

  # Print the whole JoinCommand, with argv, limitations and warnings
  kubectl edgenode join edge-node-1 -o yaml`

// newJoinCommand returns `kubectl edgenode join`.
func newJoinCommand(flags *clientFlags, streams IOStreams) *cobra.Command {
	o := &joinOptions{output: outputText}
	cmd := &cobra.Command{
		Use:   "join NAME [--ip ADDRESS] [--kubeedge-version VERSION] [flags]",
		Short: "Reserve an edge node and print its keadm join command",
		Long: `Reserve an edge node's name and internal IP and print the keadm join command that joins it.

One request to the edgenodes/NAME/joincommand subresource reserves the node when it is not reserved
yet and returns the command. Running it again for a node you reserved returns a fresh command for the
same reservation. The command is printed on standard output as one line of POSIX shell with every word
quoted; the reserved address, the token's expiry, limitations of the chosen KubeEdge release and
warnings go to standard error.`,
		Example: joinExample,
		Args:    exactlyOneName,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(cmd, o.output, outputText, outputJSON, outputYAML); err != nil {
				return err
			}
			req, err := o.request(cmd)
			if err != nil {
				return err
			}
			cs, err := flags.clientset()
			if err != nil {
				return err
			}
			opts := metav1.CreateOptions{}
			if o.dryRun {
				opts.DryRun = []string{metav1.DryRunAll}
			}
			jc, err := cs.KubeedgeV1alpha1().EdgeNodes().CreateJoinCommand(cmd.Context(), args[0], req, opts)
			if err != nil {
				return err
			}
			if jc.Name == "" {
				jc.Name = args[0]
			}
			return printJoinCommand(streams, o.output, jc, o.dryRun, time.Now())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.ip, "ip", "", "Internal IP to reserve; empty allocates the lowest free address of the server's --edge-ip-pool.")
	fs.StringVar(&o.kubeEdgeVersion, "kubeedge-version", "", "KubeEdge release to install, such as v1.19.2; empty means the server's default.")
	fs.StringArrayVar(&o.labels, "label", nil, "Node label key=value; repeat the flag or separate with commas.")
	fs.StringArrayVar(&o.taints, "taint", nil, "Node taint key[=value]:Effect (NoSchedule, PreferNoSchedule, NoExecute), applied when the node registers; repeatable.")
	fs.StringVar(&o.runtimeEndpoint, "runtime-endpoint", "", "CRI socket of the edge node, such as unix:///run/containerd/containerd.sock.")
	fs.StringVar(&o.cgroupDriver, "cgroup-driver", "", "Cgroup driver of the edge node: cgroupfs or systemd.")
	fs.StringVar(&o.imageRepository, "image-repository", "", "Registry prefix for KubeEdge images (KubeEdge v1.11 and later).")
	fs.StringVar(&o.cloudCoreAddress, "cloudcore-address", "", "Address the edge node dials to reach cloudcore, overriding the server's choice.")
	fs.DurationVar(&o.tokenTTL, "token-ttl", 0, "Lifetime of the embedded token when the server mints tokens (--mint-tokens), such as 1h; clamped by the server.")
	fs.BoolVar(&o.strict, "strict", false, "Fail instead of reporting settings the KubeEdge release cannot express.")
	fs.BoolVar(&o.dryRun, "dry-run", false, "Ask the server to check the request and build the command without reserving anything.")
	fs.StringVarP(&o.output, "output", "o", o.output, "Output format: text (the command line), json or yaml (the JoinCommand).")
	return cmd
}

// request builds the JoinCommand the flags ask for.
func (o *joinOptions) request(cmd *cobra.Command) (*v1alpha1.JoinCommand, error) {
	labels, err := parseLabels(o.labels)
	if err != nil {
		return nil, usageErrorf(cmd, "--label: %w", err)
	}
	taints, err := parseTaints(o.taints)
	if err != nil {
		return nil, usageErrorf(cmd, "--taint: %w", err)
	}
	req := &v1alpha1.JoinCommand{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.SchemeGroupVersion.String(), Kind: "JoinCommand"},
		Spec: v1alpha1.JoinCommandSpec{
			InternalIP:       o.ip,
			Labels:           labels,
			Taints:           taints,
			KubeEdgeVersion:  o.kubeEdgeVersion,
			RuntimeEndpoint:  o.runtimeEndpoint,
			CgroupDriver:     o.cgroupDriver,
			ImageRepository:  o.imageRepository,
			CloudCoreAddress: o.cloudCoreAddress,
			Strict:           o.strict,
		},
	}
	if cmd.Flags().Changed("token-ttl") {
		s, err := ttlSeconds(o.tokenTTL)
		if err != nil {
			return nil, usageErrorf(cmd, "--token-ttl: %w", err)
		}
		req.Spec.TokenTTLSeconds = &s
	}
	return req, nil
}

// printJoinCommand prints the command line on Out and the notes on ErrOut, or the whole object.
func printJoinCommand(streams IOStreams, format string, jc *v1alpha1.JoinCommand, dryRun bool, now time.Time) error {
	if format != outputText {
		jc.APIVersion, jc.Kind = v1alpha1.SchemeGroupVersion.String(), "JoinCommand"
		return printObject(streams.Out, format, jc)
	}
	if _, err := fmt.Fprintln(streams.Out, jc.Status.Command); err != nil {
		return err
	}
	w := streams.ErrOut
	if dryRun {
		_, _ = fmt.Fprintln(w, "Server dry run: nothing was reserved.")
	}
	switch {
	case jc.Status.InternalIP != "":
		_, _ = fmt.Fprintf(w, "Edge node %q is reserved with internal IP %s; the command installs KubeEdge %s.\n", jc.Name, jc.Status.InternalIP, jc.Status.KubeEdgeVersion)
	default:
		_, _ = fmt.Fprintf(w, "Edge node %q is reserved; the command installs KubeEdge %s.\n", jc.Name, jc.Status.KubeEdgeVersion)
	}
	if !jc.Status.TokenExpiresAt.IsZero() {
		_, _ = fmt.Fprintf(w, "Its join token expires at %s; get a new command after that.\n", describeExpiry(jc.Status.TokenExpiresAt, now))
	}
	for _, l := range jc.Status.Limitations {
		_, _ = fmt.Fprintf(w, "Limitation: %s\n", l)
	}
	for _, warning := range jc.Status.Warnings {
		_, _ = fmt.Fprintf(w, "Warning: %s\n", warning)
	}
	return nil
}
