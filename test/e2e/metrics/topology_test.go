package metrics

import (
	"net/netip"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// Addresses of the test topology. The control-plane host has hostIP on a silent link and routes the edge range
// there through a gateway whose frames nobody receives: like a real cloud host, it can send to an edge InternalIP
// but never gets an answer, so a dial that is not forwarded times out. Each cloudcore stand-in namespace is joined
// to the control-plane host by a veth pair.
const (
	hostIP      = "10.99.0.1"
	silentGW    = "10.99.0.254"
	edgeRange   = "192.0.2.0/24"
	cloudcore1  = "10.98.1.2"
	cloudcore2  = "10.98.2.2"
	streamPort  = "10003"
	silentGWMAC = "02:00:5e:00:53:fe"
)

// topology holds the namespaces of one test run.
type topology struct {
	host, cc1, cc2 *netns.Namespace
}

// newTopology creates the control-plane host and two cloudcore namespaces and wires their routes.
func newTopology(t *testing.T) *topology {
	t.Helper()
	top := &topology{host: netns.New(t, netip.MustParsePrefix(hostIP+"/24"))}
	top.host.MustRun(t, "ip", "neighbor", "replace", silentGW, "lladdr", silentGWMAC, "dev", netns.DummyInterface, "nud", "permanent")
	top.host.MustRun(t, "ip", "route", "add", edgeRange, "via", silentGW, "dev", netns.DummyInterface)
	top.cc1 = connectCloudcore(t, top.host, "10.98.1.1", cloudcore1)
	top.cc2 = connectCloudcore(t, top.host, "10.98.2.1", cloudcore2)
	return top
}

// connectCloudcore creates a namespace with ccIP on a veth pair to host (which gets hostEnd), routing replies back.
func connectCloudcore(t *testing.T, host *netns.Namespace, hostEnd, ccIP string) *netns.Namespace {
	t.Helper()
	cc := netns.New(t)
	netns.Connect(t, host, cc, netip.MustParsePrefix(hostEnd+"/24"), netip.MustParsePrefix(ccIP+"/24"))
	// Replies go to hostIP: a DNATed connection keeps the source chosen for the edge IP.
	cc.MustRun(t, "ip", "route", "add", "default", "via", hostEnd)
	return cc
}
