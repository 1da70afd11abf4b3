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
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/heartbeat"
	"github.com/edgewatcher/edgewatcher/pkg/syncer"
	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/kernelstate"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// Addresses of the test topology. The control-plane host namespace has 10.99.0.1/24 and fd99::1/64 on a silent
// link, so an edge IP in those ranges that is not forwarded goes nowhere. Each cloudcore stand-in namespace is
// joined to it by a veth pair; a "pod" namespace routes through it (nat PREROUTING).
const (
	hostIPv4    = "10.99.0.1"
	cloudcore1  = "10.98.1.2"
	cloudcore1v = "fd98:1::2"
	cloudcore2  = "10.98.2.2"
	stream      = ":10003"
	resync      = time.Second
	// repairSlack is what a repair may take beyond the resync period: one sync plus polling.
	repairSlack = time.Second
)

// tunnelRecord says cloudcore-1 owns tunnel ports 10351 (IPv4) and 10353 (IPv6), cloudcore-2 owns 10352.
const tunnelRecord = `{"ipTunnelPort":{"` + cloudcore1 + `":10351,"` + cloudcore2 + `":10352,"` + cloudcore1v + `":10353},` +
	`"port":{"10351":true,"10352":true,"10353":true}}`

// TestSyncer runs the real edgewatcher-syncer against a real control plane and kernel, step by step; a failed
// step stops the test, since later steps build on its state.
func TestSyncer(t *testing.T) {
	ctx := t.Context()
	host := netns.New(t, netip.MustParsePrefix(hostIPv4+"/24"), netip.MustParsePrefix("fd99::1/64"))
	cc1 := netns.New(t)
	hostEnd, ccEnd := netns.Connect(t, host, cc1, netip.MustParsePrefix("10.98.1.1/24"), netip.MustParsePrefix(cloudcore1+"/24"))
	host.MustRun(t, "ip", "-6", "address", "add", "fd98:1::1/64", "dev", hostEnd, "nodad")
	cc1.MustRun(t, "ip", "-6", "address", "add", cloudcore1v+"/64", "dev", ccEnd, "nodad")
	// Replies go back to the host's own addresses (a DNATed connection keeps the source chosen for the edge IP).
	cc1.MustRun(t, "ip", "route", "add", "default", "via", "10.98.1.1")
	cc1.MustRun(t, "ip", "-6", "route", "add", "default", "via", "fd98:1::1")
	cc2 := netns.New(t)
	netns.Connect(t, host, cc2, netip.MustParsePrefix("10.98.2.1/24"), netip.MustParsePrefix(cloudcore2+"/24"))
	cc2.MustRun(t, "ip", "route", "add", "default", "via", "10.98.2.1")
	pod := netns.New(t)
	netns.Connect(t, host, pod, netip.MustParsePrefix("10.97.0.1/24"), netip.MustParsePrefix("10.97.0.2/24"))
	pod.MustRun(t, "ip", "route", "add", "default", "via", "10.97.0.1")
	host.MustRun(t, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")

	standIn(t, cc1, "cloudcore-1", netip.MustParseAddrPort(cloudcore1+stream))
	standIn(t, cc1, "cloudcore-1", netip.MustParseAddrPort("["+cloudcore1v+"]"+stream))
	standIn(t, cc2, "cloudcore-2", netip.MustParseAddrPort(cloudcore2+stream))
	standIn(t, host, "cloud-1-kubelet", netip.MustParseAddrPort(hostIPv4+":10351"))

	kubeconfig := grantSyncerRBAC(t, ctx)
	applyTunnelPort(t, ctx, tunnelRecord)
	for _, n := range []node{
		{name: "cloud-1", ip: hostIPv4},
		{name: "edge-a", edge: true, ip: "10.99.0.50", port: 10351},
		{name: "edge-b", edge: true, ip: "10.99.0.51", port: 10352},
		{name: "edge-c", edge: true, ip: "10.99.0.52", port: 10350},
		{name: "edge-6", edge: true, ip: "fd99::50", port: 10353},
		{name: "dup-1", edge: true, ip: "10.99.0.60", port: 10351},
		{name: "dup-2", edge: true, ip: "10.99.0.60", port: 10351},
		{name: "on-cloud", edge: true, ip: hostIPv4, port: 10351},
	} {
		applyNode(t, ctx, n)
	}
	started := time.Now()
	s := startSyncer(t, kubeconfig, host.Name, "--node-name=cloud-1", "--default-target="+cloudcore1,
		"--extra-ports=10250", "--resync-period="+resync.String(), "--verify-interval=500ms")
	t.Logf("syncer ready (first sync applied) %v after start", time.Since(started).Round(time.Millisecond))

	want := map[string]string{
		"10.99.0.50:10351": cloudcore1 + stream, "10.99.0.50:10250": cloudcore1 + stream,
		"10.99.0.51:10352": cloudcore2 + stream, "10.99.0.51:10250": cloudcore2 + stream,
		"10.99.0.52:10350": cloudcore1 + stream, "10.99.0.52:10250": cloudcore1 + stream,
		"[fd99::50]:10353": "[" + cloudcore1v + "]" + stream, "[fd99::50]:10250": "[" + cloudcore1v + "]" + stream,
	}
	step := func(name string, fn func(t *testing.T)) {
		if !t.Failed() {
			t.Run(name, fn)
		}
	}

	step("forwards every unique edge node", func(t *testing.T) {
		waitKernel(t, host, "initial state", 10*time.Second, want)
	})

	step("traffic reaches the owning cloudcore", func(t *testing.T) {
		tests := []struct {
			name string
			from *netns.Namespace
			dial string
			want string // empty: no connection
		}{
			{"IPv4 to cloudcore-1", host, "10.99.0.50:10351", "cloudcore-1 host=10.99.0.50:10351"},
			{"extra port", host, "10.99.0.50:10250", "cloudcore-1 host=10.99.0.50:10250"},
			{"IPv4 to cloudcore-2", host, "10.99.0.51:10352", "cloudcore-2 host=10.99.0.51:10352"},
			{"unnegotiated port to the default target", host, "10.99.0.52:10350", "cloudcore-1 host=10.99.0.52:10350"},
			{"IPv6", host, "[fd99::50]:10353", "cloudcore-1 host=[fd99::50]:10353"},
			{"from a pod through PREROUTING", pod, "10.99.0.51:10352", "cloudcore-2 host=10.99.0.51:10352"},
			{"another port of an edge IP is untouched", host, "10.99.0.50:10352", ""},
			{"duplicated IP is not forwarded", host, "10.99.0.60:10351", ""},
			{"the cloud node's own kubelet is untouched", host, hostIPv4 + ":10351", "cloud-1-kubelet host=" + hostIPv4 + ":10351"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				body, err := get(tt.from, tt.dial, "/stats/summary", tt.want != "")
				switch {
				case tt.want == "" && err == nil:
					t.Errorf("GET %s reached %q, want no connection", tt.dial, body)
				case tt.want != "" && err != nil:
					t.Errorf("GET %s: %v", tt.dial, err)
				case tt.want != "" && body != tt.want+" path=/stats/summary":
					t.Errorf("GET %s = %q, want %q", tt.dial, body, tt.want+" path=/stats/summary")
				}
			})
		}
	})

	step("conflicts produce one Event on each Node", func(t *testing.T) {
		for _, n := range []string{"dup-1", "dup-2", "on-cloud"} {
			framework.Eventually(t, "event on "+n, 10*time.Second, func() (bool, string) {
				events, err := eventsFor(ctx, n, syncer.EventReasonIPConflict)
				return err == nil && len(events) == 1, eventSummary(events)
			})
		}
		time.Sleep(3 * resync) // deliberate: three resyncs must not repeat the Events
		for n, reason := range map[string]string{"dup-1": "DuplicateIP", "dup-2": "DuplicateIP", "on-cloud": "HostIP"} {
			events, err := eventsFor(ctx, n, syncer.EventReasonIPConflict)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 || events[0].Count > 1 || events[0].Type != "Warning" || events[0].Source.Host != "cloud-1" ||
				!strings.Contains(events[0].Message, reason) {
				t.Errorf("events on %s after three more resyncs, want one Warning naming %s, reported once:\n%s", n, reason, eventSummary(events))
			}
		}
	})

	step("heartbeat Lease, metrics and health", func(t *testing.T) {
		leases := cp.Client().CoordinationV1().Leases(cloudcore.Namespace)
		lease, err := leases.Get(ctx, heartbeat.LeaseName("cloud-1"), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		hb, err := heartbeat.Parse(lease)
		if err != nil {
			t.Fatal(err)
		}
		if hb.Entries != len(want) || hb.EdgeNodes != 7 || hb.ForwardedNodes != 4 ||
			!slices.Equal(hb.ConflictNodes, []string{"dup-1", "dup-2", "on-cloud"}) || hb.DefaultTargetSource != syncer.TargetSourceFlag ||
			!strings.Contains(hb.Dataplane, "nf_tables") || hb.ConsecutiveErrors != 0 {
			t.Errorf("heartbeat = %+v", hb)
		}
		if d := *lease.Spec.LeaseDurationSeconds; d != 3 {
			t.Errorf("lease duration = %ds, want 3 (three resync periods)", d)
		}
		framework.Eventually(t, "lease renewed", 5*time.Second, func() (bool, string) {
			again, err := leases.Get(ctx, lease.Name, metav1.GetOptions{})
			return err == nil && again.Spec.RenewTime.After(lease.Spec.RenewTime.Time), "renewTime unchanged"
		})

		_, body, err := s.get("/metrics")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{
			`edgewatcher_syncer_rules_programmed{family="ipv4"} 6`,
			`edgewatcher_syncer_rules_programmed{family="ipv6"} 2`,
			`edgewatcher_syncer_conflicts{reason="DuplicateIP"} 2`,
			`edgewatcher_syncer_conflicts{reason="HostIP"} 1`,
			`edgewatcher_syncer_forwarded_nodes 4`,
			`edgewatcher_syncer_sync_duration_seconds_count `,
			`edgewatcher_syncer_last_successful_sync_timestamp_seconds `,
		} {
			if !strings.Contains(body, line) {
				t.Errorf("/metrics lacks %q", line)
			}
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			if code, body, err := s.get(path); err != nil || code != 200 {
				t.Errorf("GET %s = %d %q %v, want 200", path, code, body, err)
			}
		}
	})

	step("an IP change moves the rule", func(t *testing.T) {
		applyNode(t, ctx, node{name: "edge-a", edge: true, ip: "10.99.0.70", port: 10351})
		delete(want, "10.99.0.50:10351")
		delete(want, "10.99.0.50:10250")
		want["10.99.0.70:10351"], want["10.99.0.70:10250"] = cloudcore1+stream, cloudcore1+stream
		took := waitKernel(t, host, "IP change", 5*time.Second, want)
		t.Logf("IP change forwarded %v after the Node status update", took.Round(time.Millisecond))
		if body, err := get(host, "10.99.0.70:10351", "/", true); err != nil || !strings.HasPrefix(body, "cloudcore-1") {
			t.Errorf("GET the new IP = %q, %v", body, err)
		}
		if body, err := get(host, "10.99.0.50:10351", "/", false); err == nil {
			t.Errorf("GET the old IP reached %q, want no connection", body)
		}
	})

	step("a cleared conflict is forwarded without a restart", func(t *testing.T) {
		applyNode(t, ctx, node{name: "dup-2", edge: true, ip: "10.99.0.61", port: 10351})
		want["10.99.0.60:10351"], want["10.99.0.60:10250"] = cloudcore1+stream, cloudcore1+stream
		want["10.99.0.61:10351"], want["10.99.0.61:10250"] = cloudcore1+stream, cloudcore1+stream
		took := waitKernel(t, host, "conflict cleared", 5*time.Second, want)
		t.Logf("cleared conflict forwarded %v after the Node status update", took.Round(time.Millisecond))
		for _, n := range []string{"dup-1", "dup-2"} {
			framework.Eventually(t, "resolution on "+n, 5*time.Second, func() (bool, string) {
				events, err := eventsFor(ctx, n, syncer.EventReasonConflictResolved)
				return err == nil && len(events) == 1, eventSummary(events)
			})
		}
	})

	step("deleting a Node removes its rule", func(t *testing.T) {
		if err := cp.Client().CoreV1().Nodes().Delete(ctx, "edge-b", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		delete(want, "10.99.0.51:10352")
		delete(want, "10.99.0.51:10250")
		took := waitKernel(t, host, "node deleted", 5*time.Second, want)
		t.Logf("deleted Node unforwarded %v after the delete", took.Round(time.Millisecond))
	})

	step("drift is repaired within the resync period", func(t *testing.T) {
		st, err := kernelstate.Read(host)
		if err != nil {
			t.Fatal(err)
		}
		set4 := ""
		for _, name := range st.Sets {
			if strings.HasPrefix(name, dataplane.SetPrefix+"4-") {
				set4 = name
			}
		}
		jump := []string{"-m", "comment", "--comment", dataplane.JumpComment, "-j", dataplane.ChainName}
		tests := []struct {
			name string
			argv []string
		}{
			{"flushed chain", []string{"iptables-nft", "-t", "nat", "-F", dataplane.ChainName}},
			{"deleted OUTPUT jump", append([]string{"iptables-nft", "-t", "nat", "-D", "OUTPUT"}, jump...)},
			{"deleted IPv6 PREROUTING jump", append([]string{"ip6tables-nft", "-t", "nat", "-D", "PREROUTING"}, jump...)},
			{"duplicated OUTPUT jump", append([]string{"iptables-nft", "-t", "nat", "-I", "OUTPUT"}, jump...)},
			{"flushed set", []string{"ipset", "flush", set4}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				host.MustRun(t, tt.argv...)
				took := waitKernel(t, host, tt.name, resync+repairSlack+2*time.Second, want)
				t.Logf("%s repaired in %v (resync period %v)", tt.name, took.Round(time.Millisecond), resync)
				if took > resync+repairSlack {
					t.Errorf("%s repaired in %v, want within the resync period %v (+%v for the sync itself)", tt.name, took, resync, repairSlack)
				}
			})
		}
	})

	step("a restart leaves the rules in place the whole time", func(t *testing.T) {
		var mu sync.Mutex
		var samples, dials int
		var problems []string
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				st, err := kernelstate.Read(host)
				mu.Lock()
				samples++
				if err != nil {
					problems = append(problems, err.Error())
				} else if p := st.Problems(want); len(p) > 0 {
					problems = append(problems, time.Now().Format("15:04:05.000")+": "+strings.Join(p, "; "))
				}
				mu.Unlock()
			}
		})
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(50 * time.Millisecond):
				}
				body, err := get(host, "10.99.0.70:10351", "/", true)
				mu.Lock()
				dials++
				if err != nil || !strings.HasPrefix(body, "cloudcore-1") {
					problems = append(problems, time.Now().Format("15:04:05.000")+": dial: "+body+" "+errString(err))
				}
				mu.Unlock()
			}
		})
		time.Sleep(resync) // deliberate: probe a steady syncer for a resync period before the stop
		s.stop()
		time.Sleep(2 * resync) // no syncer at all for a while
		restarted := time.Now()
		s.start()
		t.Logf("restarted syncer ready %v after start", time.Since(restarted).Round(time.Millisecond))
		time.Sleep(2 * resync) // deliberate: keep probing the restarted syncer for two resync periods
		close(done)
		wg.Wait()
		t.Logf("%d kernel samples and %d connections across the restart", samples, dials)
		if samples < 10 || dials < 10 {
			t.Errorf("too few observations (%d samples, %d connections) to show there was no gap", samples, dials)
		}
		if len(problems) > 0 {
			t.Errorf("forwarding was not in place the whole time:\n%s", strings.Join(problems[:min(len(problems), 20)], "\n"))
		}
		if !strings.Contains(s.log(), "the kernel state stays in place") {
			t.Errorf("the syncer log does not show a clean stop")
		}
		if log := s.log(); strings.Contains(log, "forbidden") {
			t.Errorf("the syncer was refused something its RBAC should allow; see its log")
		}
	})

	step("cleanup leaves no trace", func(t *testing.T) {
		s.stop()
		out := runCleanup(t, "--netns="+host.Name)
		t.Logf("cleanup: %s", strings.TrimSpace(out))
		saves := []string{"iptables-nft-save", "ip6tables-nft-save"}
		if _, err := host.Run("iptables-legacy-save", "--version"); err == nil {
			saves = append(saves, "iptables-legacy-save", "ip6tables-legacy-save")
		}
		for _, save := range saves {
			if out := host.MustRun(t, save, "-t", "nat"); strings.Contains(out, dataplane.ChainName) || strings.Contains(out, dataplane.JumpComment) {
				t.Errorf("%s after cleanup:\n%s", save, out)
			}
		}
		if out := host.MustRun(t, "ipset", "list", "-n"); strings.TrimSpace(out) != "" {
			t.Errorf("ipsets after cleanup: %s", out)
		}
		if body, err := get(host, "10.99.0.70:10351", "/", false); err == nil {
			t.Errorf("GET an edge IP after cleanup reached %q, want no connection", body)
		}
	})
}

// errString renders a possibly nil error.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
