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

package main

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// recordedCloudCores returns the IPv4 cloudcore IPs of the seeded tunnelport record (192.0.2.10 and .11): the
// stand-in answers on them too, so each edge node goes to the cloudcore that owns its tunnel port.
func recordedCloudCores(ctx context.Context, client kubernetes.Interface) ([]netip.Addr, error) {
	cm, err := client.CoreV1().ConfigMaps(cloudcore.Namespace).Get(ctx, cloudcore.TunnelPortConfigMapName, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the tunnelport record: %w", err)
	}
	rec, err := cloudcore.ParseTunnelPortConfigMap(cm)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	for _, p := range rec.Ports() {
		if ip, ok := rec.CloudcoreFor(p); ok && ip.Is4() && !slices.Contains(ips, ip) {
			ips = append(ips, ip)
		}
	}
	slices.SortFunc(ips, netip.Addr.Compare)
	return ips, nil
}

// edgeEndpoints returns the example URL of every seeded edge Node with an InternalIP and a kubelet port.
func edgeEndpoints(ctx context.Context, client kubernetes.Interface) ([]edgeEndpoint, error) {
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: framework.EdgeRoleLabel})
	if err != nil {
		return nil, err
	}
	var out []edgeEndpoint
	for _, n := range nodes.Items {
		port := n.Status.DaemonEndpoints.KubeletEndpoint.Port
		for _, a := range n.Status.Addresses {
			ip, err := netip.ParseAddr(a.Address)
			if a.Type != corev1.NodeInternalIP || err != nil || port <= 0 || port > 65535 {
				continue
			}
			url := "http://" + netip.AddrPortFrom(ip, uint16(port)).String() + exampleEdgePath
			out = append(out, edgeEndpoint{node: n.Name, url: url})
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no edge Node with an InternalIP and a kubelet port")
	}
	slices.SortFunc(out, func(a, b edgeEndpoint) int { return cmp.Compare(a.node, b.node) })
	return out, nil
}
