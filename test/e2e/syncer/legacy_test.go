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
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// The migration from the old KubeSphere EdgeWatcher agent: its rules DNAT an edge node's 10350 and 10250 straight
// from nat OUTPUT to a NodePort (here a stand-in at cloudcore-1's address, port 30003).
const (
	legacyEdgeIP  = "10.99.0.80"
	legacyTarget  = cloudcore1 + ":30003"
	lookAlikeRule = "-A OUTPUT -d 10.99.0.81/32 -p tcp -m tcp --dport 10351 -j DNAT --to-destination " + legacyTarget
)

// legacyAgentRule is the old agent's rule for port, as its go-iptables call added it and as iptables lists it.
func legacyAgentRule(port string) (argv []string, listed string) {
	return []string{"iptables-nft", "-w", "-t", "nat", "-A", "OUTPUT", "-p", "TCP", "--dport", port, "-d", legacyEdgeIP,
			"-j", "DNAT", "--to-destination", legacyTarget},
		"-A OUTPUT -d " + legacyEdgeIP + "/32 -p tcp -m tcp --dport " + port + " -j DNAT --to-destination " + legacyTarget
}

// TestSyncerCleansLegacyRules runs the real syncer with --clean-legacy-rules in a namespace holding the old
// agent's rules and a look-alike: once ready (its first sync applied), EdgeWatcher's jump heads nat OUTPUT, the
// old rules are gone, the look-alike stays, and the edge's ports reach cloudcore through EdgeWatcher's chain.
// Then `cleanup --legacy-rules-only` removes old rules planted again and leaves EdgeWatcher's state.
func TestSyncerCleansLegacyRules(t *testing.T) {
	ctx := t.Context()
	host := netns.New(t, netip.MustParsePrefix(hostIPv4+"/24"))
	cc1 := netns.New(t)
	netns.Connect(t, host, cc1, netip.MustParsePrefix("10.98.1.1/24"), netip.MustParsePrefix(cloudcore1+"/24"))
	cc1.MustRun(t, "ip", "route", "add", "default", "via", "10.98.1.1")
	standIn(t, cc1, "cloudcore-1", netip.MustParseAddrPort(cloudcore1+stream))
	standIn(t, cc1, "old-nodeport", netip.MustParseAddrPort(legacyTarget))

	var legacy []string
	for _, port := range []string{"10350", "10250"} {
		argv, listed := legacyAgentRule(port)
		host.MustRun(t, argv...)
		legacy = append(legacy, listed)
	}
	host.MustRun(t, append([]string{"iptables-nft", "-w", "-t", "nat"}, strings.Fields(lookAlikeRule)...)...)
	output := func() []string {
		return strings.Split(strings.TrimSpace(host.MustRun(t, "iptables-nft", "-t", "nat", "-S", "OUTPUT")), "\n")
	}
	if got, want := output(), append(append([]string{"-P OUTPUT ACCEPT"}, legacy...), lookAlikeRule); !slices.Equal(got, want) {
		t.Fatalf("planted nat OUTPUT:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if body, err := get(host, legacyEdgeIP+":10350", "/", true); err != nil || !strings.HasPrefix(body, "old-nodeport") {
		t.Fatalf("before the syncer, the old rule forwards to %q (%v), want old-nodeport", body, err)
	}

	kubeconfig := grantSyncerRBAC(t, ctx)
	applyNode(t, ctx, node{name: "cloud-legacy", ip: hostIPv4})
	applyNode(t, ctx, node{name: "edge-legacy", edge: true, ip: legacyEdgeIP, port: 10350})
	s := startSyncer(t, kubeconfig, host.Name, "--node-name=cloud-legacy", "--default-target="+cloudcore1,
		"--extra-ports=10250", "--resync-period="+resync.String(), "--iptables-backend=nft", "--ip-families=ipv4",
		"--clean-legacy-rules")

	jump := "-A OUTPUT -m comment --comment " + dataplane.JumpComment + " -j " + dataplane.ChainName
	if got, want := output(), []string{"-P OUTPUT ACCEPT", jump, lookAlikeRule}; !slices.Equal(got, want) {
		t.Errorf("nat OUTPUT once the syncer is ready:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, port := range []string{"10350", "10250"} {
		want := "cloudcore-1 host=" + legacyEdgeIP + ":" + port + " path=/"
		if body, err := get(host, legacyEdgeIP+":"+port, "/", true); err != nil || body != want {
			t.Errorf("GET %s:%s = %q (%v), want %q", legacyEdgeIP, port, body, err, want)
		}
	}
	log := s.log()
	for _, l := range legacy {
		if !strings.Contains(log, `"Removed a rule the old EdgeWatcher agent left in nat OUTPUT"`) || !strings.Contains(log, `rule="`+l+`"`) {
			t.Errorf("the syncer log does not report removing %q", l)
		}
	}
	if strings.Count(log, "forwardedByEdgeWatcher=true") != len(legacy) {
		t.Errorf("the syncer log does not say both removed destinations are forwarded by EdgeWatcher")
	}

	// Old rules that come back (an old agent still running) are left to cleanup --legacy-rules-only.
	time.Sleep(2 * resync) // deliberate: the old rules come back after the syncer has resynced
	argv, listed := legacyAgentRule("10350")
	host.MustRun(t, argv...)
	time.Sleep(2 * resync) // deliberate: two resyncs in which the syncer must leave them alone
	if got := output(); !slices.Contains(got, listed) {
		t.Errorf("the syncer removed old rules again after its first successful removal:\n%s", strings.Join(got, "\n"))
	}
	out := runCleanup(t, "--legacy-rules-only", "--netns="+host.Name, "--iptables-backend=nft", "--ip-families=ipv4")
	if got, want := output(), []string{"-P OUTPUT ACCEPT", jump, lookAlikeRule}; !slices.Equal(got, want) {
		t.Errorf("nat OUTPUT after cleanup --legacy-rules-only:\n%s\nwant\n%s\ncleanup said: %s", strings.Join(got, "\n"), strings.Join(want, "\n"), out)
	}
	if body, err := get(host, legacyEdgeIP+":10350", "/", true); err != nil || !strings.HasPrefix(body, "cloudcore-1") {
		t.Errorf("after cleanup --legacy-rules-only, GET %s:10350 = %q (%v), want cloudcore-1", legacyEdgeIP, body, err)
	}
	s.stop()
	runCleanup(t, "--netns="+host.Name, "--iptables-backend=nft")
}
