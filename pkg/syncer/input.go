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
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// Sources of the default target, reported in the heartbeat and in logs.
const (
	// TargetSourceFlag is a configured default target.
	TargetSourceFlag = "flag"
	// TargetSourcePod is the IP of a ready cloudcore pod.
	TargetSourcePod = "pod"
	// TargetSourceTunnelPort is the only cloudcore of the tunnelport record.
	TargetSourceTunnelPort = "tunnelport"
	// TargetSourceService is the cloudcore Service's ClusterIP.
	TargetSourceService = "service"
)

// inputs is the non-node input of one sync, and where its default target came from.
type inputs struct {
	forwarding.Globals
	// targetSource says where DefaultTarget came from; empty when there is none.
	targetSource string
}

// lastGood holds the last tunnelport record and cloudcore configuration that parsed, so that deleting or
// corrupting either never moves a node to another cloudcore nor forwards a cloudcore address.
type lastGood struct {
	tunnelPort keptObject[cloudcore.TunnelPortRecord]
	config     keptObject[cloudcore.Config]
}

// newLastGood returns the kept objects of the namespace, reporting to m.
func newLastGood(namespace string, m *syncerMetrics) lastGood {
	return lastGood{
		tunnelPort: keptObject[cloudcore.TunnelPortRecord]{
			dependency: DependencyTunnelPortRecord, stage: StageTunnelPort,
			namespace: namespace, name: cloudcore.TunnelPortConfigMapName, metrics: m, parse: parseTunnelPort,
			absentNote: "No tunnel-port record yet; edge nodes on a tunnel port go to the default target",
		},
		config: keptObject[cloudcore.Config]{
			dependency: DependencyCloudCoreConfig, stage: StageCloudCoreConfig,
			namespace: namespace, name: cloudcore.ConfigMapName, metrics: m, parse: cloudcore.ParseConfigMap,
			absentNote: "No cloudcore configuration yet; its advertise addresses are not known",
		},
	}
}

// parseTunnelPort parses the record; a ConfigMap without the annotation holds no record yet (cloudcore may
// create the ConfigMap before it writes the record).
func parseTunnelPort(cm *corev1.ConfigMap) (*cloudcore.TunnelPortRecord, error) {
	if _, ok := cm.Annotations[cloudcore.TunnelPortAnnotation]; !ok {
		return nil, fmt.Errorf("annotation %s %w", cloudcore.TunnelPortAnnotation, errAbsent)
	}
	return cloudcore.ParseTunnelPortConfigMap(cm)
}

// input builds the non-node input from the caches. Deleted or malformed KubeEdge objects are counted and
// logged and the last good version is used; only a failure to learn this host's addresses is an error, because
// without them a host address could be forwarded away.
func (s *Syncer) input() (*inputs, error) {
	in := &inputs{}
	in.HostName = s.cfg.NodeName
	in.StreamPort = s.cfg.StreamPort
	in.ExtraPorts = s.cfg.ExtraPorts
	in.TunnelPorts = s.tunnelPortRecord()
	pods := s.cloudCorePods()
	svc := s.cloudCoreService()
	in.CloudCoreAddresses = s.cloudCoreAddresses(pods, svc)
	in.DefaultTarget, in.targetSource = s.defaultTarget(in.TunnelPorts, pods, svc)

	hosts, err := s.hostAddresses(s.cachedNode(s.cfg.NodeName))
	if err != nil {
		s.metrics.syncErrors.WithLabelValues(StageHostAddresses).Inc()
		return nil, fmt.Errorf("learning this host's addresses: %w", err)
	}
	in.HostAddresses = hosts
	return in, nil
}

// updateNodes passes the Nodes changed since the last sync to the tracker.
func (s *Syncer) updateNodes() error {
	for name := range s.changed.take() {
		if n := s.watched.node(name); n != nil {
			s.setNode(n)
		} else {
			s.tracker.Delete(name)
		}
	}
	return nil
}

// setNode passes a cached Node to the tracker as an edge node or another node.
func (s *Syncer) setNode(n *slimNode) {
	if n.edge {
		s.tracker.SetEdgeNode(n.edgeNode())
	} else {
		s.tracker.SetOtherNode(forwarding.Node{Name: n.name, Addresses: n.addresses})
	}
}

// tunnelPortRecord returns the tunnelport record in use: the current one, or the last good one while it is
// deleted or malformed; nil when none ever parsed.
func (s *Syncer) tunnelPortRecord() *cloudcore.TunnelPortRecord {
	cm, err := s.watched.tunnelPort.ConfigMaps(s.cfg.Namespace).Get(cloudcore.TunnelPortConfigMapName)
	if err != nil && !apierrors.IsNotFound(err) {
		return s.last.tunnelPort.value()
	}
	return s.last.tunnelPort.observe(cm)
}

// cloudCoreConfig returns the cloudcore configuration in use: the current one, or the last good one while it is
// deleted or malformed; nil when none ever parsed.
func (s *Syncer) cloudCoreConfig() *cloudcore.Config {
	cm, err := s.watched.cloudCore.ConfigMaps(s.cfg.Namespace).Get(cloudcore.ConfigMapName)
	if err != nil && !apierrors.IsNotFound(err) {
		return s.last.config.value()
	}
	return s.last.config.observe(cm)
}

// cloudCoreService returns the cloudcore Service, or nil.
func (s *Syncer) cloudCoreService() *corev1.Service {
	svc, err := s.watched.services.Services(s.cfg.Namespace).Get(cloudcore.ServiceName)
	if err != nil {
		return nil
	}
	return svc
}

// cloudCorePods returns cloudcore's pods that have not terminated, sorted by name.
func (s *Syncer) cloudCorePods() []*corev1.Pod {
	pods, err := s.watched.pods.Pods(s.cfg.Namespace).List(s.podSelector)
	if err != nil {
		return nil
	}
	out := pods[:0:0]
	for _, p := range pods {
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *corev1.Pod) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// cloudCoreAddresses returns every address cloudcore is known by: its advertise addresses, the Service's
// cluster, external and load-balancer IPs, and its pods' IPs. No edge node may use one of them.
func (s *Syncer) cloudCoreAddresses(pods []*corev1.Pod, svc *corev1.Service) []netip.Addr {
	var out []netip.Addr
	add := func(str string) {
		if a, ok := ipam.ParseRecorded(str); ok {
			out = append(out, a)
		}
	}
	if cfg := s.cloudCoreConfig(); cfg != nil {
		for _, a := range cfg.AdvertiseAddresses {
			add(a)
		}
	}
	if svc != nil {
		for _, a := range svc.Spec.ClusterIPs {
			add(a)
		}
		add(svc.Spec.ClusterIP)
		for _, a := range svc.Spec.ExternalIPs {
			add(a)
		}
		for _, in := range svc.Status.LoadBalancer.Ingress {
			add(in.IP)
		}
	}
	for _, p := range pods {
		for _, ip := range p.Status.PodIPs {
			add(ip.IP)
		}
		add(p.Status.PodIP)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// defaultTarget returns the cloudcore IP for nodes whose owner is unknown and where it came from: the configured
// one; else a ready cloudcore pod's IP (the first by name, IPv4 preferred); else the tunnelport record's only
// cloudcore; else the cloudcore Service's ClusterIP, which only works where Service traffic is translated after
// nat OUTPUT (IPVS, eBPF), because our DNAT ends the nat OUTPUT traversal before kube-proxy's iptables rules.
func (s *Syncer) defaultTarget(rec *cloudcore.TunnelPortRecord, pods []*corev1.Pod, svc *corev1.Service) (netip.Addr, string) {
	if s.cfg.DefaultTarget.IsValid() {
		return s.cfg.DefaultTarget, TargetSourceFlag
	}
	var podIPs []netip.Addr
	for _, p := range pods {
		if !podReady(p) || p.DeletionTimestamp != nil {
			continue
		}
		for _, ip := range p.Status.PodIPs {
			if a, ok := ipam.ParseRecorded(ip.IP); ok && ipam.CheckUsable(a) == nil {
				podIPs = append(podIPs, a)
			}
		}
		if a, ok := ipam.ParseRecorded(p.Status.PodIP); ok && ipam.CheckUsable(a) == nil {
			podIPs = append(podIPs, a)
		}
	}
	if a, ok := preferIPv4(podIPs); ok {
		return a, TargetSourcePod
	}
	if rec != nil && rec.Len() == 1 {
		a, _ := rec.CloudcoreFor(rec.Ports()[0])
		return a, TargetSourceTunnelPort
	}
	if svc != nil {
		var ips []netip.Addr
		for _, s := range append([]string{svc.Spec.ClusterIP}, svc.Spec.ClusterIPs...) {
			if a, ok := ipam.ParseRecorded(s); ok && ipam.CheckUsable(a) == nil {
				ips = append(ips, a)
			}
		}
		if a, ok := preferIPv4(ips); ok {
			return a, TargetSourceService
		}
	}
	return netip.Addr{}, ""
}

// preferIPv4 returns the first IPv4 address of addrs, else the first address.
func preferIPv4(addrs []netip.Addr) (netip.Addr, bool) {
	if len(addrs) == 0 {
		return netip.Addr{}, false
	}
	for _, a := range addrs {
		if a.Is4() {
			return a, true
		}
	}
	return addrs[0], true
}

// podReady reports whether a pod is running with condition Ready=True.
func podReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// hostAddresses returns this host's addresses: the configured ones, or own's (this host's Node) addresses and
// the local interfaces' addresses.
func (s *Syncer) hostAddresses(own *corev1.Node) ([]netip.Addr, error) {
	if s.cfg.HostAddresses != nil {
		return s.cfg.HostAddresses, nil
	}
	out := ipam.NodeAddresses(own)
	if s.cfg.LocalAddresses != nil {
		local, err := s.cfg.LocalAddresses()
		if err != nil {
			return nil, err
		}
		out = append(out, local...)
	}
	if len(out) == 0 {
		return nil, errors.New("no address found: this host's Node lists none and no local address was discovered")
	}
	return out, nil
}
