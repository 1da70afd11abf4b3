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

package syncer

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/record"
	"k8s.io/component-base/metrics"
	"k8s.io/utils/clock"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"

	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
)

// Defaults of Config.
const (
	// DefaultResyncPeriod is how often the loop re-applies the desired state to repair drift.
	DefaultResyncPeriod = 10 * time.Second
	// DefaultApplyTimeout bounds one Apply.
	DefaultApplyTimeout = 2 * time.Minute
	// DefaultCloudCorePodSelector selects cloudcore's pods, as KubeEdge's chart labels them and as KubeEdge's own
	// iptables manager watches them.
	DefaultCloudCorePodSelector = "kubeedge=cloudcore"
	// EdgeRoleLabel marks a Node as a KubeEdge edge node; KubeEdge sets it with an empty value.
	EdgeRoleLabel = "node-role.kubernetes.io/edge"
	// ComponentName is the event source and the Lease holder prefix.
	ComponentName = heartbeat.Component
)

// Registerer is where the syncer registers its metrics: a metrics.KubeRegistry, or legacyregistry through
// LegacyRegisterer.
type Registerer interface {
	// MustRegister registers the collectors and panics on failure.
	MustRegister(...metrics.Registerable)
}

// Config configures a Syncer.
type Config struct {
	// Client reads the cluster and writes Events and the heartbeat Lease.
	Client kubernetes.Interface
	// Dataplane programs the kernel.
	Dataplane dataplane.Dataplane
	// Namespace is where cloudcore, the tunnelport record and the heartbeat Leases live; empty means kubeedge.
	Namespace string
	// NodeName is this host's Node name: it names the heartbeat Lease and the Event source, and its addresses
	// count as this host's.
	NodeName string
	// HostAddresses, when not nil, are this host's addresses and replace discovery (NodeName's addresses and
	// LocalAddresses).
	HostAddresses []netip.Addr
	// LocalAddresses returns the addresses of this host's interfaces; it is called on every sync. Nil means none.
	LocalAddresses func() ([]netip.Addr, error)
	// DefaultTarget is the cloudcore IP for nodes whose tunnel port no cloudcore owns; the zero Addr means
	// derive it from a ready cloudcore pod, a tunnelport record with a single cloudcore, or the cloudcore
	// Service's ClusterIP, in that order.
	DefaultTarget netip.Addr
	// StreamPort is cloudcore's stream port; 0 means forwarding.DefaultStreamPort.
	StreamPort uint16
	// ExtraPorts are forwarded for every edge node in addition to its kubelet endpoint port.
	ExtraPorts []uint16
	// Families are the address families the dataplane programs; rules of other families are not applied.
	// Nil means IPv4 and IPv6.
	Families []forwarding.Family
	// CloudCorePodSelector selects cloudcore's pods in Namespace; empty means DefaultCloudCorePodSelector.
	CloudCorePodSelector string
	// ResyncPeriod bounds how long drift (a flushed chain, a deleted jump) survives, and is how often the
	// heartbeat is renewed; zero means DefaultResyncPeriod.
	ResyncPeriod time.Duration
	// VerifyInterval is the dataplane's dataplane.Config.VerifyInterval: an Apply within it of a verified one does
	// not re-read the kernel, so it cannot repair drift. When it is set, the resync timer fires every half
	// period, which keeps drift repair within ResyncPeriod as long as VerifyInterval is at most half of it.
	VerifyInterval time.Duration
	// ApplyTimeout bounds one Apply; zero means DefaultApplyTimeout.
	ApplyTimeout time.Duration
	// Registry receives the metrics; nil means a private registry (see Syncer.Gatherer).
	Registry Registerer
	// Recorder records Events; nil means a broadcaster writing to Client.
	Recorder record.EventRecorder
	// Clock drives the resync and heartbeat timers and the health check (retry backoff uses the real clock); nil
	// means the real clock.
	Clock clock.WithTicker
	// Description says how the dataplane is set up (backend, mode, families), for the heartbeat.
	Description string
}

// complete returns a copy of c with defaults filled in, or the first problem found.
func (c Config) complete() (Config, labels.Selector, error) {
	var errs []error
	if c.Client == nil {
		errs = append(errs, errors.New("Config.Client is required"))
	}
	if c.Dataplane == nil {
		errs = append(errs, errors.New("Config.Dataplane is required"))
	}
	if c.NodeName == "" {
		errs = append(errs, errors.New("Config.NodeName is required"))
	}
	if c.Namespace == "" {
		c.Namespace = cloudcore.Namespace
	}
	if c.StreamPort == 0 {
		c.StreamPort = forwarding.DefaultStreamPort
	}
	if c.Families == nil {
		c.Families = []forwarding.Family{forwarding.IPv4, forwarding.IPv6}
	}
	for _, f := range c.Families {
		if f != forwarding.IPv4 && f != forwarding.IPv6 {
			errs = append(errs, fmt.Errorf("invalid address family %v", f))
		}
	}
	c.Families = slices.Compact(slices.Sorted(slices.Values(c.Families)))
	if c.CloudCorePodSelector == "" {
		c.CloudCorePodSelector = DefaultCloudCorePodSelector
	}
	selector, err := labels.Parse(c.CloudCorePodSelector)
	if err != nil {
		errs = append(errs, fmt.Errorf("cloudcore pod selector %q: %w", c.CloudCorePodSelector, err))
	}
	if c.ResyncPeriod == 0 {
		c.ResyncPeriod = DefaultResyncPeriod
	}
	if c.ResyncPeriod < 0 {
		errs = append(errs, fmt.Errorf("resync period %v must be positive", c.ResyncPeriod))
	}
	if c.VerifyInterval < 0 || c.VerifyInterval > c.ResyncPeriod/2 {
		errs = append(errs, fmt.Errorf("verify interval %v must be between 0 and half the resync period %v", c.VerifyInterval, c.ResyncPeriod))
	}
	if c.ApplyTimeout <= 0 {
		c.ApplyTimeout = DefaultApplyTimeout
	}
	if c.DefaultTarget.IsValid() {
		c.DefaultTarget = c.DefaultTarget.Unmap()
	}
	if c.Clock == nil {
		c.Clock = clock.RealClock{}
	}
	return c, selector, errors.Join(errs...)
}
