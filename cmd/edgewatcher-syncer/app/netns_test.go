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
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// TestNetnsThread checks the --netns executor runs commands and reads addresses inside the namespace only.
func TestNetnsThread(t *testing.T) {
	ns := netns.New(t, netip.MustParsePrefix("10.99.0.1/24"))
	ex, err := (&DataplaneOptions{NetNS: ns.Name}).newExecutor()
	if err != nil {
		t.Fatal(err)
	}
	defer ex.close()
	var out []byte
	ex.do(func() { out, err = exec.Command("ip", "-o", "link", "show", netns.DummyInterface).CombinedOutput() })
	if err != nil {
		t.Fatalf("ip link show %s inside the namespace: %v: %s", netns.DummyInterface, err, out)
	}
	addrs, err := localAddresses(ex)()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(addrs, netip.MustParseAddr("10.99.0.1")) {
		t.Errorf("local addresses inside the namespace = %v, want 10.99.0.1 among them", addrs)
	}
	if _, err := startNetnsThread("ew-test-does-not-exist"); err == nil {
		t.Error("entering a missing namespace succeeded")
	}
}

// TestCleanupInNamespace programs forwarding inside a namespace with both iptables variants, then checks the
// cleanup command's logic leaves no trace in either.
func TestCleanupInNamespace(t *testing.T) {
	netns.RequireCommands(t, "ipset", "iptables-nft", "iptables-legacy")
	ns := netns.New(t, netip.MustParsePrefix("10.99.0.1/24"))
	rules := []forwarding.Rule{{
		Node:        "edge-a",
		Destination: netip.MustParseAddrPort("10.99.0.50:10351"),
		Target:      netip.MustParseAddrPort("10.99.0.1:10003"),
	}}
	for _, b := range []dataplane.Backend{dataplane.BackendNFT, dataplane.BackendLegacy} {
		err := ns.Do(func() error {
			nf, err := dataplane.New(context.Background(), dataplane.Config{Backend: b, Families: []forwarding.Family{forwarding.IPv4}})
			if err != nil {
				return err
			}
			return nf.Apply(context.Background(), rules)
		})
		if err != nil {
			t.Fatalf("programming with %s: %v", b, err)
		}
	}
	for _, save := range []string{"iptables-nft-save", "iptables-legacy-save"} {
		if out := ns.MustRun(t, save, "-t", "nat"); !strings.Contains(out, dataplane.ChainName) {
			t.Fatalf("%s shows no %s before cleanup:\n%s", save, dataplane.ChainName, out)
		}
	}
	if err := Cleanup(context.Background(), &DataplaneOptions{Backend: BackendAuto, IPFamilies: []string{"ipv4", "ipv6"}, NetNS: ns.Name}); err != nil {
		t.Fatalf("Cleanup: %v", err)
	}
	for _, save := range []string{"iptables-nft-save", "ip6tables-nft-save", "iptables-legacy-save", "ip6tables-legacy-save"} {
		if out := ns.MustRun(t, save, "-t", "nat"); strings.Contains(out, dataplane.ChainName) || strings.Contains(out, dataplane.JumpComment) {
			t.Errorf("%s after cleanup still shows our chain or jumps:\n%s", save, out)
		}
	}
	if out := ns.MustRun(t, "ipset", "list", "-n"); strings.TrimSpace(out) != "" {
		t.Errorf("ipsets left after cleanup: %s", out)
	}
}
