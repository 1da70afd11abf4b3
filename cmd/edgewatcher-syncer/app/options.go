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

// Package app holds the options and commands of edgewatcher-syncer: the forwarding loop and its cleanup.
package app

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/labels"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/validation"
	cliflag "k8s.io/component-base/cli/flag"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/syncer"
)

// Default listen addresses. The syncer runs with hostNetwork, so these are ports of the host.
const (
	// DefaultMetricsBindAddress serves /metrics.
	DefaultMetricsBindAddress = ":10357"
	// DefaultHealthzBindAddress serves /healthz, /livez and /readyz.
	DefaultHealthzBindAddress = ":10358"
	// DefaultVerifyInterval is --verify-interval's default; it is lowered to half the resync period when that
	// is shorter and the flag was not set.
	DefaultVerifyInterval = 5 * time.Second
	// minResyncPeriod keeps the resync period sane.
	minResyncPeriod = 100 * time.Millisecond
	// nodeNameEnv names the environment variable a DaemonSet fills from spec.nodeName.
	nodeNameEnv = "NODE_NAME"
)

// Options are the flags of edgewatcher-syncer.
type Options struct {
	// Logging configures klog.
	Logging *logsapi.LoggingConfiguration
	// Kubeconfig is the kubeconfig for the API; empty means in-cluster.
	Kubeconfig string
	// KubeAPIQPS limits requests to kube-apiserver.
	KubeAPIQPS float32
	// KubeAPIBurst is the burst of KubeAPIQPS.
	KubeAPIBurst int
	// Namespace is KubeEdge's namespace: cloudcore, the tunnelport record and the heartbeat Leases.
	Namespace string
	// NodeName is this host's Node name.
	NodeName string
	// HostAddresses override the discovery of this host's addresses.
	HostAddresses []string
	// DefaultTarget is cloudcore's stream server (IP or IP:port) for nodes whose tunnel port no cloudcore owns.
	DefaultTarget string
	// StreamPort is cloudcore's stream port.
	StreamPort int
	// ExtraPorts are forwarded for every edge node in addition to its kubelet endpoint port.
	ExtraPorts []int
	// CloudCorePodSelector selects cloudcore's pods.
	CloudCorePodSelector string
	// ResyncPeriod is how often the desired state is re-applied (drift repair) and the heartbeat renewed.
	ResyncPeriod time.Duration
	// VerifyInterval lets an Apply soon after a verified one only change set entries; see dataplane.Config.
	VerifyInterval time.Duration
	// MetricsBindAddress serves /metrics; "0" or empty disables it.
	MetricsBindAddress string
	// HealthzBindAddress serves /healthz, /livez and /readyz; "0" or empty disables it.
	HealthzBindAddress string
	// Dataplane selects the iptables backend, families and (for tests) the network namespace.
	Dataplane *DataplaneOptions
	// CleanLegacyRules removes the old EdgeWatcher agent's rules from nat OUTPUT after the first successful sync.
	CleanLegacyRules bool

	// verifyIntervalSet records whether --verify-interval was given, for Complete.
	verifyIntervalSet bool
	// Filled by Complete.
	hostAddresses []netip.Addr
	defaultTarget netip.Addr
	extraPorts    []uint16
}

// NewOptions returns the default options.
func NewOptions() *Options {
	return &Options{
		Logging:              logsapi.NewLoggingConfiguration(),
		KubeAPIQPS:           5,
		KubeAPIBurst:         10,
		Namespace:            cloudcore.Namespace,
		StreamPort:           cloudcore.DefaultStreamPort,
		CloudCorePodSelector: syncer.DefaultCloudCorePodSelector,
		ResyncPeriod:         syncer.DefaultResyncPeriod,
		VerifyInterval:       DefaultVerifyInterval,
		MetricsBindAddress:   DefaultMetricsBindAddress,
		HealthzBindAddress:   DefaultHealthzBindAddress,
		Dataplane:            NewDataplaneOptions(),
	}
}

// Flags returns the flags grouped in named sections.
func (o *Options) Flags() cliflag.NamedFlagSets {
	var fss cliflag.NamedFlagSets
	fs := fss.FlagSet("cluster")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "Kubeconfig for reading Nodes and KubeEdge objects and writing Events and the heartbeat Lease. Empty means in-cluster.")
	fs.Float32Var(&o.KubeAPIQPS, "kube-api-qps", o.KubeAPIQPS, "Requests per second to kube-apiserver.")
	fs.IntVar(&o.KubeAPIBurst, "kube-api-burst", o.KubeAPIBurst, "Burst of --kube-api-qps.")
	fs.StringVar(&o.Namespace, "kubeedge-namespace", o.Namespace, "Namespace of cloudcore, the tunnelport record and the heartbeat Leases.")
	fs.StringVar(&o.NodeName, "node-name", o.NodeName, "This host's Node name: it names the heartbeat Lease, and the Node's addresses count as this host's. Defaults to $NODE_NAME, then the hostname.")
	fs.StringSliceVar(&o.HostAddresses, "host-addresses", o.HostAddresses, "This host's IP addresses, replacing discovery (the Node's addresses and the local interfaces'). No edge node with one of them is forwarded.")

	fs = fss.FlagSet("forwarding")
	fs.StringVar(&o.DefaultTarget, "default-target", o.DefaultTarget, "Cloudcore stream server (IP or IP:port, the port equal to --stream-port) for edge nodes whose kubelet endpoint port no cloudcore owns in the tunnelport record, such as 10350. Empty derives it from a ready cloudcore pod, a tunnelport record with a single cloudcore, or the cloudcore Service's ClusterIP, in that order.")
	fs.IntVar(&o.StreamPort, "stream-port", o.StreamPort, "Cloudcore's stream port (modules.cloudStream.streamPort), the port every target is forwarded to.")
	fs.IntSliceVar(&o.ExtraPorts, "extra-ports", o.ExtraPorts, "Ports forwarded for every edge node in addition to its kubelet endpoint port, such as 10250.")
	fs.StringVar(&o.CloudCorePodSelector, "cloudcore-pod-selector", o.CloudCorePodSelector, "Label selector of cloudcore's pods in --kubeedge-namespace; their IPs are cloudcore addresses and can be the default target.")
	fs.DurationVar(&o.ResyncPeriod, "resync-period", o.ResyncPeriod, "How often the desired state is re-applied, repairing drift such as a flushed chain, and the heartbeat Lease renewed. /healthz fails after three periods without a successful sync.")
	fs.DurationVar(&o.VerifyInterval, "verify-interval", o.VerifyInterval, "Within this long of a full Apply, a change only adds and deletes set entries instead of re-reading the kernel. At most half of --resync-period (the default is lowered to that when the flag is not given); the resync timer then fires every half period, so drift is still repaired within one. 0 re-reads the kernel on every Apply.")
	o.Dataplane.AddFlags(fss.FlagSet("dataplane"))

	fs = fss.FlagSet("migration")
	fs.BoolVar(&o.CleanLegacyRules, "clean-legacy-rules", o.CleanLegacyRules, "After the first successful sync (EdgeWatcher's jumps and forwarding in place), delete the rules the old KubeSphere EdgeWatcher agent left in nat OUTPUT of the --iptables-backend in use, and log each: only rules of its exact shape, \"-A OUTPUT -d <IP>/32 -p tcp -m tcp --dport 10350|10250 -j DNAT --to-destination <IP>:<port>\" (and the IPv6 equivalent). Other rules are never touched. A failed removal is retried after the next successful sync.")

	fs = fss.FlagSet("serving")
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", o.MetricsBindAddress, "Address serving Prometheus /metrics; \"0\" disables it.")
	fs.StringVar(&o.HealthzBindAddress, "healthz-bind-address", o.HealthzBindAddress, "Address serving /healthz, /livez and /readyz; \"0\" disables it. May equal --metrics-bind-address.")

	logsapi.AddFlags(o.Logging, fss.FlagSet("logging"))
	return fss
}

// Complete fills in defaults that depend on the environment or on other options, and parses addresses.
func (o *Options) Complete() error {
	if o.NodeName == "" {
		o.NodeName = os.Getenv(nodeNameEnv)
	}
	if o.NodeName == "" {
		h, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("--node-name is empty, $%s is unset and the hostname is unknown: %w", nodeNameEnv, err)
		}
		o.NodeName = h
	}
	o.NodeName = strings.ToLower(strings.TrimSpace(o.NodeName))
	if !o.verifyIntervalSet && o.VerifyInterval > o.ResyncPeriod/2 {
		o.VerifyInterval = o.ResyncPeriod / 2
	}
	return nil
}

// Validate checks the options, parses what Run needs, and returns every problem found.
func (o *Options) Validate() error {
	var errs []error
	if msgs := validation.IsDNS1123Label(o.Namespace); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--kubeedge-namespace %q: %s", o.Namespace, strings.Join(msgs, "; ")))
	}
	if msgs := validation.IsDNS1123Subdomain(o.NodeName); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--node-name %q: %s", o.NodeName, strings.Join(msgs, "; ")))
	}
	if o.KubeAPIQPS <= 0 || o.KubeAPIBurst < 1 {
		errs = append(errs, fmt.Errorf("--kube-api-qps %v and --kube-api-burst %d: must be positive", o.KubeAPIQPS, o.KubeAPIBurst))
	}
	o.hostAddresses = nil
	for _, s := range o.HostAddresses {
		a, err := ipam.Normalize(strings.TrimSpace(s))
		if err != nil {
			errs = append(errs, fmt.Errorf("--host-addresses %q: %w", s, err))
			continue
		}
		o.hostAddresses = append(o.hostAddresses, a)
	}
	if msgs := validation.IsValidPortNum(o.StreamPort); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--stream-port %d: %s", o.StreamPort, strings.Join(msgs, "; ")))
	}
	errs = append(errs, o.validateDefaultTarget())
	o.extraPorts = nil
	for _, p := range o.ExtraPorts {
		if msgs := validation.IsValidPortNum(p); len(msgs) > 0 {
			errs = append(errs, fmt.Errorf("--extra-ports %d: %s", p, strings.Join(msgs, "; ")))
			continue
		}
		o.extraPorts = append(o.extraPorts, uint16(p))
	}
	if _, err := labels.Parse(o.CloudCorePodSelector); err != nil {
		errs = append(errs, fmt.Errorf("--cloudcore-pod-selector %q: %w", o.CloudCorePodSelector, err))
	}
	if o.ResyncPeriod < minResyncPeriod {
		errs = append(errs, fmt.Errorf("--resync-period %v: must be at least %v", o.ResyncPeriod, minResyncPeriod))
	}
	if o.VerifyInterval < 0 || o.VerifyInterval > o.ResyncPeriod/2 {
		errs = append(errs, fmt.Errorf("--verify-interval %v: must be between 0 and half of --resync-period %v, or drift could outlive a resync period", o.VerifyInterval, o.ResyncPeriod))
	}
	for _, a := range []struct{ flag, value string }{
		{"--metrics-bind-address", o.MetricsBindAddress}, {"--healthz-bind-address", o.HealthzBindAddress},
	} {
		if err := validateBindAddress(a.value); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", a.flag, a.value, err))
		}
	}
	errs = append(errs, o.Dataplane.Validate()...)
	return utilerrors.NewAggregate(errs)
}

// validateDefaultTarget parses --default-target: empty, an IP, or IP:port with the port equal to --stream-port,
// because every target is forwarded to the stream port.
func (o *Options) validateDefaultTarget() error {
	o.defaultTarget = netip.Addr{}
	s := strings.TrimSpace(o.DefaultTarget)
	if s == "" {
		return nil
	}
	host := s
	if h, p, err := net.SplitHostPort(s); err == nil {
		port, err := strconv.Atoi(p)
		if err != nil || port != o.StreamPort {
			return fmt.Errorf("--default-target %q: the port must equal --stream-port %d; every target is forwarded to the stream port", s, o.StreamPort)
		}
		host = h
	}
	a, err := ipam.Normalize(host)
	if err != nil {
		return fmt.Errorf("--default-target %q: %w", s, err)
	}
	if err := ipam.CheckUsable(a); err != nil {
		return fmt.Errorf("--default-target %q: %w", s, err)
	}
	o.defaultTarget = a
	return nil
}

// validateBindAddress accepts "0" or empty (disabled) and host:port.
func validateBindAddress(s string) error {
	if disabled(s) {
		return nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return err
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil && host != "localhost" {
			return fmt.Errorf("host %q is not an IP address", host)
		}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a port number", port)
	}
	return nil
}

// disabled reports whether a bind address turns its server off.
func disabled(addr string) bool { return addr == "" || addr == "0" }

// addFlagSets adds every flag section to fs.
func addFlagSets(fs *pflag.FlagSet, fss cliflag.NamedFlagSets) {
	for _, f := range fss.FlagSets {
		fs.AddFlagSet(f)
	}
}
