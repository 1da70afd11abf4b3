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

package framework

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// Addresses of the cloud topology. The control-plane host has TopologyHostIP on a silent link and routes
// TopologyEdgeRange there through a gateway whose frames nobody receives: like a real cloud host, it can send to an
// edge InternalIP but never gets an answer, so a dial that is not forwarded times out.
const (
	TopologyHostIP    = "10.99.0.1"
	TopologyEdgeRange = "192.0.2.0/24"
	silentGW          = "10.99.0.254"
	silentGWMAC       = "02:00:5e:00:53:fe"
)

// CloudTopology is a control-plane host namespace and cloudcore namespaces joined to it by veth pairs.
type CloudTopology struct {
	// Host plays the control-plane host: kube-apiserver, metrics-server and the syncer run here.
	Host *netns.Namespace
	// Cloudcores are the cloudcore hosts; Cloudcores[i] has address CloudcoreIP(i).
	Cloudcores []*netns.Namespace
}

// CloudcoreIP returns the address of the i-th cloudcore namespace (from 0): 10.98.<i+1>.2.
func CloudcoreIP(i int) string { return fmt.Sprintf("10.98.%d.2", i+1) }

// NewCloudTopology creates the host namespace and n cloudcore namespaces, removed when tb ends. Replies from a
// cloudcore go back to the host by its default route: a DNATed connection keeps the source chosen for the edge IP.
func NewCloudTopology(tb testing.TB, n int) *CloudTopology {
	tb.Helper()
	top := &CloudTopology{Host: netns.New(tb, netip.MustParsePrefix(TopologyHostIP+"/24"))}
	top.Host.MustRun(tb, "ip", "neighbor", "replace", silentGW, "lladdr", silentGWMAC, "dev", netns.DummyInterface, "nud", "permanent")
	top.Host.MustRun(tb, "ip", "route", "add", TopologyEdgeRange, "via", silentGW, "dev", netns.DummyInterface)
	for i := range n {
		hostEnd := fmt.Sprintf("10.98.%d.1", i+1)
		cc := netns.New(tb)
		netns.Connect(tb, top.Host, cc, netip.MustParsePrefix(hostEnd+"/24"), netip.MustParsePrefix(CloudcoreIP(i)+"/24"))
		cc.MustRun(tb, "ip", "route", "add", "default", "via", hostEnd)
		top.Cloudcores = append(top.Cloudcores, cc)
	}
	return top
}
