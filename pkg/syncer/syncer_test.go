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
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/component-base/metrics/testutil"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

func TestSyncProgramsDesiredState(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.DefaultTarget = netip.MustParseAddr(cloudcoreA)
		c.ExtraPorts = []uint16{10250}
	},
		tunnelPortCM(twoCloudcores),
		cloudNode("cloud-1", hostIP),
		edgeNode("edge-a", "10.1.0.1", 10351),
		edgeNode("edge-b", "10.1.0.2", 10352),
		edgeNode("edge-c", "10.1.0.3", forwarding.UnnegotiatedPort),
	)
	h.start()
	h.waitRules("initial sync",
		rule("edge-a", "10.1.0.1:10351", cloudcoreA), rule("edge-a", "10.1.0.1:10250", cloudcoreA),
		rule("edge-b", "10.1.0.2:10352", cloudcoreB), rule("edge-b", "10.1.0.2:10250", cloudcoreB),
		rule("edge-c", "10.1.0.3:10350", cloudcoreA), rule("edge-c", "10.1.0.3:10250", cloudcoreA),
	)
}

// TestSyncFollowsChanges walks through every kind of change the loop must follow without a restart.
func TestSyncFollowsChanges(t *testing.T) {
	h := newHarness(t, nil,
		tunnelPortCM(twoCloudcores),
		cloudNode("cloud-1", hostIP),
		edgeNode("edge-a", "10.1.0.1", 10351),
	)
	h.start()
	h.waitRules("initial", rule("edge-a", "10.1.0.1:10351", cloudcoreA))

	steps := []struct {
		name   string
		change func()
		want   []forwarding.Rule
	}{
		{"node added", func() { h.createNode(edgeNode("edge-b", "10.1.0.2", 10352)) },
			[]forwarding.Rule{rule("edge-a", "10.1.0.1:10351", cloudcoreA), rule("edge-b", "10.1.0.2:10352", cloudcoreB)}},
		{"IP changed", func() { h.updateNode(edgeNode("edge-a", "10.1.0.9", 10351)) },
			[]forwarding.Rule{rule("edge-a", "10.1.0.9:10351", cloudcoreA), rule("edge-b", "10.1.0.2:10352", cloudcoreB)}},
		{"port changed moves the node to the other cloudcore", func() { h.updateNode(edgeNode("edge-a", "10.1.0.9", 10352)) },
			[]forwarding.Rule{rule("edge-a", "10.1.0.9:10352", cloudcoreB), rule("edge-b", "10.1.0.2:10352", cloudcoreB)}},
		{"cloudcore moved in the record", func() {
			cm := tunnelPortCM(`{"ipTunnelPort":{"` + cloudcoreA + `":10351,"10.0.1.7":10352}}`)
			if _, err := h.client.CoreV1().ConfigMaps(cloudcore.Namespace).Update(context.Background(), cm, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}, []forwarding.Rule{rule("edge-a", "10.1.0.9:10352", "10.0.1.7"), rule("edge-b", "10.1.0.2:10352", "10.0.1.7")}},
		{"edge label removed", func() { h.updateNode(cloudNode("edge-b", "10.1.0.2")) },
			[]forwarding.Rule{rule("edge-a", "10.1.0.9:10352", "10.0.1.7")}},
		{"node deleted", func() {
			if err := h.client.CoreV1().Nodes().Delete(context.Background(), "edge-a", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}, nil},
	}
	for _, st := range steps {
		st.change()
		h.waitRules(st.name, st.want...)
	}
	if got := h.dp.Cleanups(); got != 0 {
		t.Errorf("Cleanup called %d times; the loop must never clean up", got)
	}
}

// TestNoApplyBeforeCachesSync blocks the Node list and checks that nothing is applied, not even an empty set,
// until it completes; then the first Apply already holds the node.
func TestNoApplyBeforeCachesSync(t *testing.T) {
	h := newHarness(t, nil, tunnelPortCM(twoCloudcores), edgeNode("edge-a", "10.1.0.1", 10351))
	release := make(chan struct{})
	h.client.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		<-release
		return false, nil, nil
	})
	h.start()
	time.Sleep(300 * time.Millisecond) // deliberate: a window in which nothing may be applied while the list blocks
	if n := h.dp.Applies(); n != 0 {
		t.Fatalf("%d Applies before the Node informer synced, want none", n)
	}
	if err := h.s.Ready(); err == nil {
		t.Errorf("Ready before the first sync, want not ready")
	}
	close(release)
	h.waitRules("after the caches synced", rule("edge-a", "10.1.0.1:10351", cloudcoreA))
	if n := h.dp.Applies(); n != 1 {
		t.Errorf("%d Applies, want exactly 1: the first Apply must hold the full state", n)
	}
}

// TestConflictEventsOnce checks that each conflicted node gets one Event however many syncs run, that a third
// claimant does not repeat them, and that clearing the conflict reports the resolution once.
func TestConflictEventsOnce(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ResyncPeriod = 20 * time.Millisecond },
		tunnelPortCM(twoCloudcores),
		cloudNode("cloud-1", hostIP),
		edgeNode("dup-1", "10.1.0.5", 10351),
		edgeNode("dup-2", "10.1.0.5", 10351),
		edgeNode("on-host", hostIP, 10351),
		edgeNode("ok", "10.1.0.6", 10351),
	)
	h.start()
	h.waitRules("initial", rule("ok", "10.1.0.6:10351", cloudcoreA))
	wantSyncs := h.kernelPasses() + 10
	h.eventually("ten resyncs", func() (bool, string) { return h.kernelPasses() >= wantSyncs, "" })

	want := []string{
		"dup-1 Warning EdgeIPConflict",
		"dup-2 Warning EdgeIPConflict",
		"on-host Warning EdgeIPConflict",
	}
	if got := h.events.list(); !slices.Equal(got, want) {
		t.Fatalf("events after 10 syncs:\n got %q\nwant %q", got, want)
	}
	for _, e := range h.events.all() {
		if e.Object == "on-host" && !strings.Contains(e.Message, "HostIP") {
			t.Errorf("on-host event %q does not name reason HostIP", e.Message)
		}
		if e.Object == "dup-1" && !strings.Contains(e.Message, "dup-2") {
			t.Errorf("dup-1 event %q does not name the other claimant dup-2", e.Message)
		}
	}

	h.createNode(edgeNode("dup-3", "10.1.0.5", 10351))
	h.eventually("third claimant reported", func() (bool, string) {
		return len(h.events.list()) == 4, strings.Join(h.events.list(), "; ")
	})
	for _, name := range []string{"dup-2", "dup-3"} {
		if err := h.client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h.waitRules("conflict cleared", rule("dup-1", "10.1.0.5:10351", cloudcoreA), rule("ok", "10.1.0.6:10351", cloudcoreA))
	wantSyncs = h.kernelPasses() + 5
	h.eventually("more resyncs", func() (bool, string) { return h.kernelPasses() >= wantSyncs, "" })
	want = []string{
		"dup-1 Normal EdgeIPConflictResolved",
		"dup-1 Warning EdgeIPConflict",
		"dup-2 Warning EdgeIPConflict",
		"dup-3 Warning EdgeIPConflict",
		"on-host Warning EdgeIPConflict",
	}
	if got := h.events.list(); !slices.Equal(got, want) {
		t.Errorf("events after the conflict cleared:\n got %q\nwant %q", got, want)
	}
}

func TestOtherReasonsAreReportedAsSkipped(t *testing.T) {
	h := newHarness(t, nil, cloudNode("cloud-1", hostIP), edgeNode("no-target", "10.1.0.1", 10350))
	h.start()
	h.eventually("event", func() (bool, string) {
		return slices.Equal(h.events.list(), []string{"no-target Warning EdgeForwardingSkipped"}), strings.Join(h.events.list(), "; ")
	})
	if msg := h.events.all()[0].Message; !strings.Contains(msg, string(forwarding.ReasonNoTarget)) {
		t.Errorf("message %q does not name reason %s", msg, forwarding.ReasonNoTarget)
	}
}

func TestMetrics(t *testing.T) {
	h := newHarness(t, nil,
		tunnelPortCM(twoCloudcores),
		cloudNode("cloud-1", hostIP),
		edgeNode("edge-a", "10.1.0.1", 10351),
		edgeNode("edge-6", "fd00::1", 10351),
		edgeNode("dup-1", "10.1.0.5", 10351),
		edgeNode("dup-2", "10.1.0.5", 10352),
	)
	h.start()
	h.waitRules("initial", rule("edge-a", "10.1.0.1:10351", cloudcoreA))
	h.eventually("metrics", func() (bool, string) {
		err := testutil.GatherAndCompare(h.registry, strings.NewReader(`
# HELP edgewatcher_syncer_conflicts [ALPHA] Edge nodes or IPs not forwarded, by reason (DuplicateIP, HostIP, CloudCoreIP, SpecialIP, NoTarget, ...).
# TYPE edgewatcher_syncer_conflicts gauge
edgewatcher_syncer_conflicts{reason="DuplicateIP"} 2
edgewatcher_syncer_conflicts{reason="TargetFamilyMismatch"} 1
# HELP edgewatcher_syncer_edge_nodes [ALPHA] Edge Nodes seen by the last sync.
# TYPE edgewatcher_syncer_edge_nodes gauge
edgewatcher_syncer_edge_nodes 4
# HELP edgewatcher_syncer_forwarded_nodes [ALPHA] Edge Nodes with at least one destination forwarded by the last successful sync.
# TYPE edgewatcher_syncer_forwarded_nodes gauge
edgewatcher_syncer_forwarded_nodes 1
# HELP edgewatcher_syncer_rules_programmed [ALPHA] Destinations (edge IP and port) forwarded by the last successful sync, by address family.
# TYPE edgewatcher_syncer_rules_programmed gauge
edgewatcher_syncer_rules_programmed{family="ipv4"} 1
edgewatcher_syncer_rules_programmed{family="ipv6"} 0
# HELP edgewatcher_syncer_syncs_total [ALPHA] Syncs, by result (success or error).
# TYPE edgewatcher_syncer_syncs_total counter
edgewatcher_syncer_syncs_total{result="success"} 1
`), "edgewatcher_syncer_conflicts", "edgewatcher_syncer_edge_nodes", "edgewatcher_syncer_forwarded_nodes",
			"edgewatcher_syncer_rules_programmed", "edgewatcher_syncer_syncs_total")
		if err != nil {
			return false, err.Error()
		}
		return true, ""
	})
	if vec, err := testutil.GetHistogramVecFromGatherer(h.registry, "edgewatcher_syncer_sync_duration_seconds", nil); err != nil ||
		vec.GetAggregatedSampleCount() != 1 {
		t.Errorf("sync duration histogram = %v, %v; want 1 observation", vec, err)
	}
	if v, err := testutil.GetGaugeMetricValue(h.s.metrics.lastSuccess); err != nil || v < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last successful sync timestamp = %v, %v; want about now", v, err)
	}

	// The conflict clears: its gauge drops to zero rather than keeping the stale count.
	h.updateNode(edgeNode("dup-2", "10.1.0.7", 10352))
	h.waitRules("conflict cleared", rule("dup-1", "10.1.0.5:10351", cloudcoreA), rule("dup-2", "10.1.0.7:10352", cloudcoreB),
		rule("edge-a", "10.1.0.1:10351", cloudcoreA))
	h.eventually("conflict gauge zeroed", func() (bool, string) {
		v, err := testutil.GetGaugeMetricValue(h.s.metrics.conflicts.WithLabelValues(string(forwarding.ReasonDuplicateIP)))
		return err == nil && v == 0, ""
	})

	h.dp.SetError(errors.New("injected"))
	h.updateNode(edgeNode("edge-a", "10.1.0.2", 10351))
	h.eventually("apply error counted", func() (bool, string) {
		v, err := testutil.GetCounterMetricValue(h.s.metrics.syncErrors.WithLabelValues(StageApply))
		return err == nil && v >= 1, ""
	})
}

// TestFamiliesFilter checks that rules of a disabled family are not handed to the dataplane, and are counted.
func TestFamiliesFilter(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Families = []forwarding.Family{forwarding.IPv4} },
		tunnelPortCM(`{"ipTunnelPort":{"10.0.1.1":10351,"fd00:1::1":10353}}`),
		cloudNode("cloud-1", hostIP),
		edgeNode("edge-4", "10.1.0.1", 10351),
		edgeNode("edge-6", "fd00::1", 10353),
	)
	h.start()
	h.waitRules("IPv4 only", rule("edge-4", "10.1.0.1:10351", cloudcoreA))
	h.eventually("disabled counted", func() (bool, string) {
		v, err := testutil.GetGaugeMetricValue(h.s.metrics.familyDisabled)
		return err == nil && v == 1, ""
	})
}

// TestHostAddresses checks that this host's addresses are never forwarded: the configured ones, or the Node's
// and the local interfaces' when none are configured.
func TestHostAddresses(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.HostAddresses = nil
		c.LocalAddresses = func() ([]netip.Addr, error) { return []netip.Addr{netip.MustParseAddr("10.1.0.2")}, nil }
	},
		tunnelPortCM(twoCloudcores),
		cloudNode("cloud-1", "10.1.0.1"),
		edgeNode("on-node-ip", "10.1.0.1", 10351),
		edgeNode("on-interface", "10.1.0.2", 10351),
		edgeNode("ok", "10.1.0.3", 10351),
	)
	h.start()
	h.waitRules("host addresses withheld", rule("ok", "10.1.0.3:10351", cloudcoreA))
	h.eventually("events", func() (bool, string) { return len(h.events.all()) == 2, strings.Join(h.events.list(), "; ") })
	for _, e := range h.events.all() {
		if !strings.Contains(e.Message, string(forwarding.ReasonHostIP)) {
			t.Errorf("%s: event %q does not name reason HostIP", e.Object, e.Message)
		}
	}
}

// TestHostAddressFailureAppliesNothing checks that without this host's addresses nothing is applied.
func TestHostAddressFailureAppliesNothing(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.HostAddresses = nil
		c.LocalAddresses = func() ([]netip.Addr, error) { return nil, errors.New("netlink broke") }
	}, tunnelPortCM(twoCloudcores), edgeNode("edge-a", "10.1.0.1", 10351))
	h.start()
	h.eventually("error counted", func() (bool, string) {
		v, err := testutil.GetCounterMetricValue(h.s.metrics.syncErrors.WithLabelValues(StageHostAddresses))
		return err == nil && v >= 1, ""
	})
	if n := h.dp.Applies(); n != 0 {
		t.Errorf("%d Applies without host addresses, want none", n)
	}
}

// TestMalformedRecordKeepsLastGood checks that a broken or deleted tunnelport record does not move every node to
// the default target: the last good record stays in use.
func TestMalformedRecordKeepsLastGood(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.DefaultTarget = netip.MustParseAddr("10.0.1.9") },
		tunnelPortCM(twoCloudcores), cloudNode("cloud-1", hostIP), edgeNode("edge-b", "10.1.0.2", 10352))
	h.start()
	h.waitRules("initial", rule("edge-b", "10.1.0.2:10352", cloudcoreB))
	cm := tunnelPortCM(`{"ipTunnelPort":{"not-an-ip":10352}}`)
	if _, err := h.client.CoreV1().ConfigMaps(cloudcore.Namespace).Update(context.Background(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eventually("error counted", func() (bool, string) {
		v, err := testutil.GetCounterMetricValue(h.s.metrics.syncErrors.WithLabelValues(StageTunnelPort))
		return err == nil && v == 1, ""
	})
	h.waitRules("still the recorded owner", rule("edge-b", "10.1.0.2:10352", cloudcoreB))
	if err := h.client.CoreV1().ConfigMaps(cloudcore.Namespace).Delete(context.Background(), cloudcore.TunnelPortConfigMapName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eventually("deletion counted", func() (bool, string) {
		v, err := testutil.GetCounterMetricValue(h.s.metrics.syncErrors.WithLabelValues(StageTunnelPort))
		return err == nil && v == 2, ""
	})
	h.waitRules("record deleted: still the recorded owner", rule("edge-b", "10.1.0.2:10352", cloudcoreB))
}

// TestStopLeavesRules checks that stopping the loop never removes what it programmed.
func TestStopLeavesRules(t *testing.T) {
	h := newHarness(t, nil, tunnelPortCM(twoCloudcores), edgeNode("edge-a", "10.1.0.1", 10351))
	h.start()
	h.waitRules("initial", rule("edge-a", "10.1.0.1:10351", cloudcoreA))
	h.stop()
	if n := h.dp.Cleanups(); n != 0 {
		t.Errorf("Cleanup called %d times on stop", n)
	}
	if got := h.dp.Rules(); len(got) != 1 {
		t.Errorf("rules after stop = %v, want them kept", got)
	}
}

// TestRetryAfterApplyError checks that a failed Apply is retried without waiting for a resync or a change.
func TestRetryAfterApplyError(t *testing.T) {
	h := newHarness(t, nil, tunnelPortCM(twoCloudcores), edgeNode("edge-a", "10.1.0.1", 10351))
	h.dp.SetError(errors.New("injected"))
	h.start()
	h.eventually("failed syncs", func() (bool, string) {
		v, err := testutil.GetCounterMetricValue(h.s.metrics.syncs.WithLabelValues("error"))
		return err == nil && v >= 2, ""
	})
	if err := h.s.Ready(); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Errorf("Ready = %v, want not ready with the last error", err)
	}
	h.dp.SetError(nil)
	h.waitRules("retried", rule("edge-a", "10.1.0.1:10351", cloudcoreA))
}

// TestHealth checks /healthz and /readyz against a fake clock: healthy while syncs succeed, unhealthy once the
// last success is more than three resync periods old.
func TestHealth(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Now())
	const resync = 10 * time.Second
	h := newHarness(t, func(c *Config) { c.Clock = clk; c.ResyncPeriod = resync },
		tunnelPortCM(twoCloudcores), edgeNode("edge-a", "10.1.0.1", 10351))
	srv := httptest.NewServer(HealthHandler(h.s))
	defer srv.Close()
	get := func(path string) int {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz before Run = %d, want 503", code)
	}
	h.start()
	h.waitRules("initial", rule("edge-a", "10.1.0.1:10351", cloudcoreA))
	h.eventually("ready and timers started", func() (bool, string) { return h.s.Ready() == nil && clk.Waiters() >= 2, "" })
	for path, want := range map[string]int{"/healthz": 200, "/livez": 200, "/readyz": 200} {
		if code := get(path); code != want {
			t.Errorf("%s after a sync = %d, want %d", path, code, want)
		}
	}
	h.dp.SetError(errors.New("injected"))
	clk.Step(2 * resync)
	if err := h.s.Healthy(); err != nil {
		t.Errorf("Healthy two resync periods after the last success: %v", err)
	}
	clk.Step(2 * resync)
	h.eventually("unhealthy", func() (bool, string) {
		err := h.s.Healthy()
		return err != nil && strings.Contains(err.Error(), "injected"), ""
	})
	if code := get("/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz four resync periods after the last success = %d, want 503", code)
	}
	if code := get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d, want 200: the kernel still holds a synced state", code)
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		errSub string
	}{
		{"no client", Config{NodeName: "n"}, "Client"},
		{"no node name", Config{}, "NodeName"},
		{"bad selector", Config{NodeName: "n", CloudCorePodSelector: "a in ("}, "selector"},
		{"bad family", Config{NodeName: "n", Families: []forwarding.Family{5}}, "family"},
		{"verify interval over half the resync period", Config{NodeName: "n", ResyncPeriod: time.Second, VerifyInterval: 600 * time.Millisecond}, "verify interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Errorf("New = %v, want an error containing %q", err, tt.errSub)
			}
		})
	}
}

// TestResyncTimer checks the resync timer fires every resync period, and every half period when a verify
// interval lets some Applies skip reading the kernel back, so that drift is still repaired within a period.
func TestResyncTimer(t *testing.T) {
	const resync = 10 * time.Second
	for _, tt := range []struct {
		name   string
		verify time.Duration
		ticks  int // syncs after one resync period
	}{
		{"verifying every Apply", 0, 1},
		{"with a verify interval", resync / 2, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := testingclock.NewFakeClock(time.Now())
			h := newHarness(t, func(c *Config) { c.Clock = clk; c.ResyncPeriod = resync; c.VerifyInterval = tt.verify },
				tunnelPortCM(twoCloudcores), edgeNode("edge-a", "10.1.0.1", 10351))
			h.start()
			h.waitRules("initial", rule("edge-a", "10.1.0.1:10351", cloudcoreA))
			h.eventually("timers started", func() (bool, string) { return clk.Waiters() >= 2, "" })
			// Each step is taken once the previous tick's pass is done, so no tick is lost to the ticker's
			// one-slot channel: ticks/2 passes per half period.
			for i := 1; i <= 2; i++ {
				clk.Step(resync / 2)
				want := 1 + i*tt.ticks/2
				h.eventually(fmt.Sprintf("kernel passes after step %d", i), func() (bool, string) {
					return h.kernelPasses() == want, fmt.Sprint(h.dp.Applies(), " applies, ", h.dp.Verifies(), " verifications, want ", want, " passes")
				})
			}
			time.Sleep(100 * time.Millisecond) // deliberate: no further pass may follow within this window
			if got := h.kernelPasses(); got != 1+tt.ticks || h.dp.Applies() != 1 {
				t.Errorf("%d kernel passes (%d full applies) after one resync period, want %d (1)", got, h.dp.Applies(), 1+tt.ticks)
			}
		})
	}
}

// TestSlimNode checks that the informer keeps only what the loop reads, and that the slim form round-trips
// into what Events and forwarding need.
func TestSlimNode(t *testing.T) {
	n := edgeNode("edge-a", "10.1.0.1", 10351)
	n.UID = "uid-a"
	n.Status.Images = []corev1.ContainerImage{{Names: []string{"big"}}}
	n.Annotations = map[string]string{"a": "b"}
	got, err := slimNodeOf(n)
	if err != nil {
		t.Fatal(err)
	}
	sn := got.(*slimNode)
	if !sn.edge || sn.kubeletPort != 10351 || len(sn.addresses) != 2 || sn.uid != "uid-a" || sn.name != "edge-a" {
		t.Errorf("slim node = %+v", sn)
	}
	if again, _ := slimNodeOf(sn); again != sn {
		t.Errorf("the transform is not idempotent")
	}
	key, err := cache.MetaNamespaceKeyFunc(sn)
	if err != nil || key != "edge-a" {
		t.Errorf("key %q, %v", key, err)
	}
	if e := sn.edgeNode(); e.InternalIP != "10.1.0.1" || e.KubeletPort != 10351 || e.Name != "edge-a" {
		t.Errorf("edge view %+v", e)
	}
	if cn := sn.node(); cn.UID != "uid-a" || cn.Name != "edge-a" || len(cn.Status.Addresses) != 2 {
		t.Errorf("core node %+v", cn)
	}
	cloud, _ := slimNodeOf(cloudNode("cloud-1", hostIP))
	if cloud.(*slimNode).edge {
		t.Errorf("a cloud node is edge")
	}
}

// TestNodeChangesAreAppliedIncrementally checks that after the first full Apply a Node change reaches the
// dataplane as a delta, and that after a failed delta the next sync applies everything again.
func TestNodeChangesAreAppliedIncrementally(t *testing.T) {
	h := newHarness(t, nil, tunnelPortCM(twoCloudcores), cloudNode("cloud-1", hostIP), edgeNode("edge-a", "10.1.0.1", 10351))
	h.start()
	h.waitRules("initial", rule("edge-a", "10.1.0.1:10351", cloudcoreA))
	h.createNode(edgeNode("edge-b", "10.1.0.2", 10352))
	h.waitRules("node added", rule("edge-a", "10.1.0.1:10351", cloudcoreA), rule("edge-b", "10.1.0.2:10352", cloudcoreB))
	if h.dp.Applies() != 1 || h.dp.Deltas() != 1 {
		t.Errorf("after a node was added: %d full applies and %d deltas, want 1 and 1", h.dp.Applies(), h.dp.Deltas())
	}

	h.dp.SetError(errors.New("injected"))
	h.updateNode(edgeNode("edge-b", "10.1.0.3", 10352))
	h.eventually("delta failed", func() (bool, string) {
		return h.s.Ready() == nil && h.s.heartbeatStatus().ConsecutiveErrors > 0, fmt.Sprint(h.s.heartbeatStatus())
	})
	h.dp.SetError(nil)
	h.waitRules("after the failure", rule("edge-a", "10.1.0.1:10351", cloudcoreA), rule("edge-b", "10.1.0.3:10352", cloudcoreB))
	if h.dp.Applies() != 2 || h.dp.Deltas() != 1 {
		t.Errorf("after a failed delta: %d full applies and %d deltas, want 2 and 1", h.dp.Applies(), h.dp.Deltas())
	}
	if err := testutil.GatherAndCompare(h.registry, strings.NewReader(`
# HELP edgewatcher_syncer_kernel_passes_total [ALPHA] Successful kernel programming passes, by mode: full (every entry), delta (only the changed entries) or verify (re-read and repair).
# TYPE edgewatcher_syncer_kernel_passes_total counter
edgewatcher_syncer_kernel_passes_total{mode="delta"} 1
edgewatcher_syncer_kernel_passes_total{mode="full"} 2
`), "edgewatcher_syncer_kernel_passes_total"); err != nil {
		t.Error(err)
	}
}
