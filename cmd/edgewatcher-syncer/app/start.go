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
	"errors"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	cliflag "k8s.io/component-base/cli/flag"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/component-base/term"
	"k8s.io/component-base/version"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/syncer"
)

// NewCommand returns the edgewatcher-syncer command, which runs until ctx ends, with its cleanup subcommand.
func NewCommand(ctx context.Context) *cobra.Command {
	o := NewOptions()
	cmd := &cobra.Command{
		Use:   "edgewatcher-syncer",
		Short: "Forward edge nodes' kubelet endpoints to cloudcore's stream server on this host",
		Long: `edgewatcher-syncer runs on every non-edge host (a DaemonSet with hostNetwork and NET_ADMIN). For every edge
Node with a usable, unique InternalIP it DNATs TCP to <InternalIP>:<kubelet endpoint port> to the stream server
of the cloudcore that owns the node's tunnel, so kube-apiserver and metrics-server reach edge logs, exec and
metrics. It uses its own nat chain with one jump from OUTPUT and one from PREROUTING, and ipsets.

With --clean-legacy-rules it also deletes, once its first sync has put its own forwarding in place, the rules
the old KubeSphere EdgeWatcher agent left in nat OUTPUT (see "edgewatcher-syncer cleanup --legacy-rules-only").

Stopping it (SIGTERM) leaves the rules in place, so a restart has no forwarding gap; run
"edgewatcher-syncer cleanup" to remove them.`,
		SilenceUsage: true,
		Args:         cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := logsapi.ValidateAndApply(o.Logging, nil); err != nil {
				return err
			}
			cliflag.PrintFlags(cmd.Flags())
			o.verifyIntervalSet = cmd.Flags().Changed("verify-interval")
			return Run(ctx, o)
		},
	}
	fss := o.Flags()
	addFlagSets(cmd.Flags(), fss)
	cols, _, _ := term.TerminalSize(cmd.OutOrStdout())
	cliflag.SetUsageAndHelpFunc(cmd, fss, cols)
	cmd.AddCommand(NewCleanupCommand(ctx))
	return cmd
}

// Run completes and validates the options, then syncs until ctx ends. It never removes the kernel state.
func Run(ctx context.Context, o *Options) error {
	if err := o.Complete(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	client, err := newClient(o)
	if err != nil {
		return err
	}
	ex, err := o.Dataplane.newExecutor()
	if err != nil {
		return err
	}
	defer ex.close()
	nf, desc, err := o.Dataplane.newNetfilter(ctx, ex, o.Dataplane.Backend, o.VerifyInterval)
	if err != nil {
		return err
	}
	families, _ := o.Dataplane.families()
	dp := executorDataplane{ex: ex, nf: nf}
	if o.CleanLegacyRules {
		dp.legacy = newLegacyCleaner(ex, nf)
	}
	cfg := syncer.Config{
		Client:               client,
		Dataplane:            dp,
		Namespace:            o.Namespace,
		NodeName:             o.NodeName,
		HostAddresses:        o.hostAddresses,
		LocalAddresses:       localAddresses(ex),
		DefaultTarget:        o.defaultTarget,
		StreamPort:           uint16(o.StreamPort),
		ExtraPorts:           o.extraPorts,
		Families:             families,
		CloudCorePodSelector: o.CloudCorePodSelector,
		ResyncPeriod:         o.ResyncPeriod,
		VerifyInterval:       o.VerifyInterval,
		Registry:             syncer.LegacyRegisterer{},
		Description:          desc,
	}
	s, err := syncer.New(cfg)
	if err != nil {
		return err
	}
	stop, err := serve(o, s)
	if err != nil {
		return err
	}
	defer stop()
	klog.InfoS("Starting edgewatcher-syncer", "version", version.Get().GitVersion, "node", o.NodeName,
		"dataplane", desc, "resyncPeriod", o.ResyncPeriod, "verifyInterval", o.VerifyInterval, "netns", o.Dataplane.NetNS,
		"cleanLegacyRules", o.CleanLegacyRules)
	return s.Run(ctx)
}

// newClient builds the API client from --kubeconfig, or in-cluster.
func newClient(o *Options) (kubernetes.Interface, error) {
	var cfg *rest.Config
	var err error
	if o.Kubeconfig == "" {
		cfg, err = rest.InClusterConfig()
	} else {
		cfg, err = clientcmd.BuildConfigFromFlags("", o.Kubeconfig)
	}
	if err != nil {
		return nil, fmt.Errorf("building the client configuration: %w", err)
	}
	cfg.QPS, cfg.Burst = o.KubeAPIQPS, o.KubeAPIBurst
	cfg.UserAgent = syncer.ComponentName + "/" + version.Get().GitVersion
	return kubernetes.NewForConfig(cfg)
}

// serve starts the metrics and health servers (one server when they share an address) and returns a function
// that stops them.
func serve(o *Options, s *syncer.Syncer) (func(), error) {
	handlers := map[string]*http.ServeMux{}
	mux := func(addr string) *http.ServeMux {
		if handlers[addr] == nil {
			handlers[addr] = http.NewServeMux()
		}
		return handlers[addr]
	}
	if !disabled(o.MetricsBindAddress) {
		mux(o.MetricsBindAddress).Handle("/metrics", legacyregistry.Handler())
	}
	if !disabled(o.HealthzBindAddress) {
		health := syncer.HealthHandler(s)
		m := mux(o.HealthzBindAddress)
		for _, p := range []string{"/healthz", "/livez", "/readyz"} {
			m.Handle(p, health)
		}
	}
	var servers []*httpServer
	stopAll := func() {
		for _, srv := range servers {
			srv.stop()
		}
	}
	for addr, m := range handlers {
		srv, err := startHTTPServer(addr, m)
		if err != nil {
			stopAll()
			return nil, err
		}
		servers = append(servers, srv)
	}
	return stopAll, nil
}

// NewCleanupCommand returns the cleanup subcommand: it removes every jump, chain and set the syncer owns, then
// exits.
func NewCleanupCommand(ctx context.Context) *cobra.Command {
	d := NewDataplaneOptions()
	logging := logsapi.NewLoggingConfiguration()
	legacyOnly := false
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Remove every iptables jump and chain and every ipset edgewatcher-syncer owns, then exit",
		Long: `cleanup removes the EDGEWATCHER-FWD chains and their jumps from nat OUTPUT and PREROUTING, in iptables and
ip6tables, and every ewfwd* ipset. With --iptables-backend=auto it cleans every installed iptables variant.
Stop the syncer first, or it puts everything back within a resync period.

With --legacy-rules-only it instead removes only the rules the old KubeSphere EdgeWatcher agent left in nat
OUTPUT (see the syncer's --clean-legacy-rules) and leaves EdgeWatcher's own state in place. Run it while the
syncer forwards, or the old rules' destinations are not forwarded until it does.`,
		SilenceUsage: true,
		Args:         cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := logsapi.ValidateAndApply(logging, nil); err != nil {
				return err
			}
			if legacyOnly {
				return CleanupLegacyRules(ctx, d)
			}
			return Cleanup(ctx, d)
		},
	}
	var fss cliflag.NamedFlagSets
	d.AddFlags(fss.FlagSet("dataplane"))
	fss.FlagSet("migration").BoolVar(&legacyOnly, "legacy-rules-only", legacyOnly, "Remove only the old KubeSphere EdgeWatcher agent's rules from nat OUTPUT (exactly \"-A OUTPUT -d <IP>/32 -p tcp -m tcp --dport 10350|10250 -j DNAT --to-destination <IP>:<port>\" and the IPv6 equivalent), and leave EdgeWatcher's own chains, jumps and sets in place.")
	logsapi.AddFlags(logging, fss.FlagSet("logging"))
	addFlagSets(cmd.Flags(), fss)
	cols, _, _ := term.TerminalSize(cmd.OutOrStdout())
	cliflag.SetUsageAndHelpFunc(cmd, fss, cols)
	return cmd
}

// cleanupBackends validates d and returns an executor and the backends a cleanup covers: the configured one, or
// every installed variant for auto. The caller closes the executor.
func (d *DataplaneOptions) cleanupBackends() (executor, []string, error) {
	if err := errors.Join(d.Validate()...); err != nil {
		return nil, nil, err
	}
	ex, err := d.newExecutor()
	if err != nil {
		return nil, nil, err
	}
	backends := []string{d.Backend}
	if d.Backend == BackendAuto {
		if backends = installedBackends(ex); len(backends) == 0 {
			ex.close()
			return nil, nil, errors.New("neither iptables-nft nor iptables-legacy is installed")
		}
	}
	return ex, backends, nil
}

// Cleanup removes everything the syncer owns with the backends d selects. A second pass catches sets that one
// variant's rules still referenced while another variant was cleaned.
func Cleanup(ctx context.Context, d *DataplaneOptions) error {
	ex, backends, err := d.cleanupBackends()
	if err != nil {
		return err
	}
	defer ex.close()
	var planes []executorDataplane
	for _, b := range backends {
		nf, desc, err := d.newNetfilter(ctx, ex, b, 0)
		if err != nil {
			return err
		}
		klog.InfoS("Cleaning up", "dataplane", desc, "netns", d.NetNS)
		planes = append(planes, executorDataplane{ex: ex, nf: nf})
	}
	var errs []error
	for pass := 0; pass < 2; pass++ {
		errs = errs[:0]
		for _, p := range planes {
			if err := p.Cleanup(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) == 0 {
			break
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	klog.InfoS("Cleaned up every chain, jump and set edgewatcher-syncer owns", "backends", backends)
	return nil
}
