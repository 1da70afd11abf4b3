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

package clusterstate

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// Owners of the cloudcore addresses in the index.
var (
	advertiseOwner = ipam.Owner{Kind: ipam.KindCloudCore, Name: "configmap/cloudcore", AddressType: "AdvertiseAddress"}
	serviceOwner   = ipam.Owner{Kind: ipam.KindCloudCore, Name: "service/cloudcore", AddressType: "ServiceIP"}
	podsOwner      = ipam.Owner{Kind: ipam.KindCloudCore, Name: "pods/cloudcore", AddressType: "PodIP"}
)

// indexCloudCore replaces the cloudcore addresses in the index: advertise addresses, the
// Service's cluster, external and load-balancer IPs, and the cloudcore pods' IPs.
func (s *State) indexCloudCore() {
	s.index.Set(advertiseOwner, s.advertiseAddresses())
	s.index.Set(serviceOwner, serviceAddresses(s.CloudCoreService()))
	var pods []netip.Addr
	if s.pods != nil {
		for _, obj := range s.pods.GetStore().List() {
			if p, ok := obj.(*corev1.Pod); ok {
				for _, ip := range p.Status.PodIPs {
					pods = appendAddr(pods, ip.IP)
				}
			}
		}
	}
	s.index.Set(podsOwner, pods)
}

// advertiseAddresses returns cloudcore's advertise addresses; while the ConfigMap is deleted or malformed, the
// last ones that parsed, so that no reservation can take a cloudcore address meanwhile.
func (s *State) advertiseAddresses() []netip.Addr {
	cfg, err := cloudcore.ParseConfigMap(s.CloudCoreConfig())
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		return s.lastAdvertised
	}
	var out []netip.Addr
	for _, a := range cfg.AdvertiseAddresses {
		out = appendAddr(out, a)
	}
	s.lastAdvertised = out
	return out
}

func serviceAddresses(svc *corev1.Service) []netip.Addr {
	if svc == nil {
		return nil
	}
	var out []netip.Addr
	for _, ip := range svc.Spec.ClusterIPs {
		out = appendAddr(out, ip)
	}
	for _, ip := range svc.Spec.ExternalIPs {
		out = appendAddr(out, ip)
	}
	for _, in := range svc.Status.LoadBalancer.Ingress {
		out = appendAddr(out, in.IP)
	}
	return out
}

func appendAddr(out []netip.Addr, s string) []netip.Addr {
	if a, ok := ipam.ParseRecorded(s); ok {
		return append(out, a)
	}
	return out
}
