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
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/syncer"
	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/kernelstate"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// Fault tests (issue 6): the real syncer killed with SIGKILL while it programs 10k edge nodes, and the xtables
// lock held by another process while the syncer must write iptables.

const (
	// killNodes is how many edge Nodes TestSyncerKillMidSync registers.
	killNodes = 10_000
	// bulkWorkers create the Nodes in parallel.
	bulkWorkers = 16
	// faultLabel marks the Nodes created in bulk, so they are deleted together.
	faultLabel = "edgewatcher.test/fault"
	// killAttempts bounds how often a kill is tried again when it landed after the sync had finished.
	killAttempts = 3
	// probeInterval is the pause between rounds of probe connections.
	probeInterval = 50 * time.Millisecond
	// xtablesLockEnv names the lock file iptables-legacy 1.8 takes instead of /run/xtables.lock.
	xtablesLockEnv = "XTABLES_LOCKFILE"
	// xtablesWait is the bound the syncer passes to iptables with --wait (pkg/dataplane lockWaitSeconds).
	xtablesWait = 5 * time.Second
)

// swappedTunnelRecord is tunnelRecord with cloudcore-1's and cloudcore-2's IPv4 tunnel ports exchanged: every
// edge node on 10351 or 10352 moves to the other cloudcore.
const swappedTunnelRecord = `{"ipTunnelPort":{"` + cloudcore1 + `":10352,"` + cloudcore2 + `":10351,"` + cloudcore1v + `":10353},` +
	`"port":{"10351":true,"10352":true,"10353":true}}`

// TestSyncerKillMidSync registers 10k edge Nodes and kills the real syncer with SIGKILL while it programs them,
// twice, on each iptables backend (see killMidSync): nf_tables, and legacy, where the syncer and every iptables
// child it runs take a lock file of the test through $XTABLES_LOCKFILE, never the host's /run/xtables.lock.
func TestSyncerKillMidSync(t *testing.T) {
	ctx := t.Context()
	kubeconfig := grantSyncerRBAC(t, ctx)
	applyNode(t, ctx, node{name: "kill-cloud", ip: hostIPv4})
	created := time.Now()
	createBulkNodes(t, ctx, killNodes)
	t.Logf("created %d edge Nodes in %v", killNodes, time.Since(created).Round(time.Millisecond))
	for _, b := range killBackends {
		t.Run(b.name, func(t *testing.T) {
			netns.RequireCommands(t, b.commands...)
			killMidSync(t, kubeconfig, b)
		})
	}
}

// killBackend is an iptables backend TestSyncerKillMidSync runs on.
type killBackend struct {
	// name is the --iptables-backend value.
	name string
	// saves read the backend's nat tables (readKernelWith); others, when set, the other backend's, which must
	// hold nothing of ours.
	saves, others map[string]string
	// commands must be installed for the subtest to run.
	commands []string
	// privateLock runs the syncer with a lock file of the test, checked to be the one iptables takes.
	privateLock bool
}

// killBackends are the backends the kill test runs on. The nf_tables tools are prerequisites of the package, the
// legacy ones are not: only the legacy run reads the other backend's tables.
var killBackends = []killBackend{
	{name: "nft", saves: kernelstate.NFTSaves},
	{name: "legacy", saves: kernelstate.LegacySaves, others: kernelstate.NFTSaves, privateLock: true, commands: []string{
		"iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore",
		"ip6tables-legacy", "ip6tables-legacy-save", "ip6tables-legacy-restore",
	}},
}

// killMidSync kills the real syncer on backend b, in a fresh control-plane host namespace, with SIGKILL while it
// programs the 10k bulk Nodes, twice:
//
//   - during its first full sync, killing its process group (the syncer and the `ipset restore` it runs, as
//     when its container is killed) once its restores have read a random part of their scripts; restarted, it
//     must reach exactly the 10k entries: every destination in the set of its target and in no other, one DNAT
//     rule per target, one jump from OUTPUT and PREROUTING per family, no temporary set;
//   - during the re-sync that follows a tunnelport change moving every node to the other cloudcore, killing the
//     syncer alone (its `ipset restore` child finishes the part of the script it received). Probe connections
//     to six edge destinations every 50 ms, from before the change until after the restarted syncer is ready,
//     must all be answered by a cloudcore stand-in, old or new; at the end by the new one.
//
// With b.privateLock, the syncer's environment must name the test's lock file; with b.others, the other backend's
// tables must hold nothing of ours at the end.
func killMidSync(t *testing.T, kubeconfig string, b killBackend) {
	ctx := t.Context()
	host := faultTopology(t)
	var lock *xtablesLock
	if b.privateLock {
		lock = privateXtablesLock(t, host)
	}
	applyTunnelPort(t, ctx, tunnelRecord)
	args := []string{"--node-name=kill-cloud", "--default-target=" + cloudcore1, "--resync-period=" + resync.String(),
		"--iptables-backend=" + b.name}
	want := killWant(false)
	// kill -9 during the first full sync.
	var s *syncerProc
	for attempt := 1; ; attempt++ {
		s = launchSyncer(t, kubeconfig, host.Name, args...)
		if lock != nil { // the syncer, and below one of its children: every command it runs inherits the variable
			wantEnv(t, s.proc.Pid(), xtablesLockEnv, lock.path)
		}
		// A cold sync runs two restores: one creating the sets (about 6 kB read, most of it the command's own
		// files), one filling them (about 47 bytes per entry, 475 kB for 10k). Aim anywhere up to near its end,
		// where the chains and jumps written alongside may be in place already.
		after := rand.Int64N(45 * killNodes)
		k := killMidRestore(s.proc, 2*time.Minute, after, true)
		if k.err != nil {
			t.Fatal(k.err)
		}
		if lock != nil && !hasEnv(k.childEnv, xtablesLockEnv, lock.path) {
			t.Fatalf("the syncer's ipset restores (the last pid %d) did not run with %s=%s; environment read: %q",
				k.child, xtablesLockEnv, lock.path, k.childEnv)
		}
		st := mustReadKernel(t, host, b.saves)
		// Mid-sync: something of ours is in the kernel, and not yet all of it.
		mid := (len(st.Sets) > 0 || len(st.Jumps) > 0) && len(exactProblems(st, want, "ipv4", "ipv6")) > 0
		t.Logf("attempt %d: SIGKILL to the syncer's process group %s; kernel at the kill: %s (mid-sync: %v)",
			attempt, k, kernelSummary(st), mid)
		if mid {
			break
		}
		if attempt == killAttempts {
			t.Fatalf("in %d attempts the kill never landed mid-way through the first sync", killAttempts)
		}
		runCleanup(t, "--netns="+host.Name, "--iptables-backend="+b.name)
	}
	restarted := time.Now()
	s.start()
	t.Logf("restarted syncer ready %v after start", time.Since(restarted).Round(time.Millisecond))
	took := waitExact(t, host, b.saves, "after the restart", resync+repairSlack, want, "ipv4", "ipv6")
	t.Logf("exactly %d entries in place %v after ready", len(want), took.Round(time.Millisecond))

	// kill -9 during a re-sync moving every node: no gap.
	var dests []string
	for _, i := range []int{0, 1, killNodes/2 - 2, killNodes/2 - 1, killNodes - 2, killNodes - 1} {
		dests = append(dests, killNodeAddr(i).String())
	}
	p := startProber(t, host, dests, probeInterval, nil)
	swapped := false
	for attempt := 1; ; attempt++ {
		swapped = !swapped
		before := want
		want = killWant(swapped)
		// The delta script adds every moved entry (about 47 bytes a line), then deletes the old ones; aim at the
		// adds, so that some destinations are still only in their old set when the syncer is killed.
		after := rand.Int64N(40 * killNodes)
		killed := make(chan killReport, 1)
		proc := s.proc
		go func() { killed <- killMidRestore(proc, 2*time.Minute, after, false) }()
		changed := time.Now()
		record := tunnelRecord
		if swapped {
			record = swappedTunnelRecord
		}
		applyTunnelPort(t, ctx, record)
		k := <-killed
		if k.err != nil {
			t.Fatal(k.err)
		}
		atKill := mustReadKernel(t, host, b.saves)
		orphanExit := waitGone(k.child, k.at, 10*time.Second)
		st := mustReadKernel(t, host, b.saves)
		// Mid-sync: the kernel is neither as before the change nor as after it.
		mid := len(exactProblems(st, before, "ipv4", "ipv6")) > 0 && len(exactProblems(st, want, "ipv4", "ipv6")) > 0
		t.Logf("attempt %d: SIGKILL to the syncer alone %v after the tunnelport change, %s; kernel at the kill: %s; "+
			"after its ipset child ended (%v): %s (mid-sync: %v)", attempt, k.at.Sub(changed).Round(time.Millisecond), k,
			kernelSummary(atKill), orphanExit, kernelSummary(st), mid)
		if mid || attempt == killAttempts {
			if !mid {
				t.Errorf("in %d attempts the kill never landed mid-way through the re-sync", killAttempts)
			}
			// Destinations still only in the set of their old target are what a restart could drop; probe a few
			// without pause until the restarted syncer is ready.
			pending := notYetMoved(st, want)
			rand.Shuffle(len(pending), func(i, j int) { pending[i], pending[j] = pending[j], pending[i] })
			pending = pending[:min(len(pending), 8)]
			fast := startProber(t, host, pending, time.Millisecond, nil)
			time.Sleep(resync) // no syncer at all for a while
			restarted := time.Now()
			s.start()
			t.Logf("restarted syncer ready %v after start", time.Since(restarted).Round(time.Millisecond))
			time.Sleep(100 * time.Millisecond) // deliberate: a few more probes after ready
			fr := fast.stop()
			t.Logf("%d connections to %d destinations not yet moved at the kill %v, from before the restart until ready; %d unanswered",
				fr.dials, len(pending), pending, len(fr.failures))
			if len(fr.failures) > 0 {
				t.Errorf("connections to destinations not yet moved were not answered across the restart:\n%s",
					strings.Join(fr.failures[:min(len(fr.failures), 20)], "\n"))
			}
			break
		}
		s.start()
		waitExact(t, host, b.saves, "before the next attempt", resync+repairSlack, want, "ipv4", "ipv6")
	}
	took = waitExact(t, host, b.saves, "after the restart", resync+repairSlack, want, "ipv4", "ipv6")
	t.Logf("exactly %d entries in place %v after ready", len(want), took.Round(time.Millisecond))
	time.Sleep(resync) // deliberate: keep probing the exact state for a resync period
	r := p.stop()
	t.Logf("%d probe rounds, %d connections from before the change to after the restart; %d unanswered",
		r.rounds, r.dials, len(r.failures))
	if r.rounds < 20 {
		t.Errorf("only %d probe rounds: too few to show there was no gap", r.rounds)
	}
	if len(r.failures) > 0 {
		t.Errorf("connections were not answered by any cloudcore:\n%s", strings.Join(r.failures[:min(len(r.failures), 20)], "\n"))
	}
	for _, d := range dests {
		if got, want := r.last[d], standInName(want[d]); got != want {
			t.Errorf("at the end %s was answered by %q, want %s", d, got, want)
		}
	}
	if b.others != nil {
		if other := mustReadKernel(t, host, b.others); len(other.Jumps) > 0 || other.ChainRules["ipv4"]+other.ChainRules["ipv6"] > 0 {
			t.Errorf("the other backend's nat tables hold rules of ours: %s", kernelSummary(other))
		}
	}
	s.stop()
}

// TestSyncerXtablesLock runs the real syncer on the iptables-legacy backend with $XTABLES_LOCKFILE pointing at a
// file of the test, never the host's /run/xtables.lock, and holds that lock with flock(2):
//
//   - for 2 s while the syncer starts: its first sync waits for the lock (iptables --wait) rather than failing,
//     the waiting iptables is blocked on the test's file, and the kernel is exact once it is ready;
//   - for 7.5 s, longer than the syncer's 5 s bound, while a tunnelport change moves two of four edge nodes to
//     a new cloudcore, which needs a new DNAT rule: the sync fails and is counted in
//     edgewatcher_syncer_sync_errors_total{stage="apply"}, the kernel still forwards everything to the old
//     cloudcore while the lock is held, and after the release it is exact within a resync period. Probes every
//     50 ms are answered the whole time, and /healthz stays 200, the hold being shorter than three periods.
func TestSyncerXtablesLock(t *testing.T) {
	netns.RequireCommands(t, "iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore", "ip6tables-legacy-save")
	ctx := t.Context()
	const (
		lockResync = 4 * time.Second
		holdFirst  = 2 * time.Second
		holdLong   = 7500 * time.Millisecond
	)
	host := faultTopology(t)
	lock := privateXtablesLock(t, host)

	kubeconfig := grantSyncerRBAC(t, ctx)
	applyTunnelPort(t, ctx, `{"ipTunnelPort":{"`+cloudcore1+`":10351},"port":{"10351":true}}`)
	applyNode(t, ctx, node{name: "lock-cloud", ip: hostIPv4})
	edges := map[string]int32{"10.99.0.50": 10351, "10.99.0.51": 10352, "10.99.0.52": 10351, "10.99.0.53": 10352}
	want := map[string]string{}
	for ip, port := range edges {
		applyNode(t, ctx, node{name: "lock-" + strings.ReplaceAll(ip, ".", "-"), edge: true, ip: ip, port: port})
		want[ip+":"+strconv.Itoa(int(port))] = cloudcore1 + stream
	}

	// The first sync waits for the lock.
	lock.hold(t)
	waiters := watchLockWaiters()
	unlocked := make(chan error, 1)
	release := time.AfterFunc(holdFirst, func() { unlocked <- lock.unlock() })
	t.Cleanup(func() { release.Stop() })
	started := time.Now()
	s := startSyncer(t, kubeconfig, host.Name, "--node-name=lock-cloud", "--default-target="+cloudcore1,
		"--resync-period="+lockResync.String(), "--iptables-backend=legacy", "--ip-families=ipv4")
	ready := time.Since(started)
	seen := waiters.stop()
	if err := <-unlocked; err != nil {
		t.Fatal(err)
	}
	t.Logf("first sync with the lock held for %v: ready %v after start", holdFirst, ready.Round(time.Millisecond))
	if ready < holdFirst {
		t.Errorf("the syncer was ready %v after start, before the lock was released after %v", ready, holdFirst)
	}
	ours := 0
	for _, w := range seen {
		if w.ppid != s.proc.Pid() {
			continue
		}
		ours++
		if w.lock != lock.id || !strings.Contains(w.command, "iptables-legacy") {
			t.Errorf("the syncer's child %d (%s) waited on lock %s, want %s (%s)", w.pid, w.command, w.lock, lock.id, lock.path)
		}
	}
	if ours == 0 {
		t.Errorf("no child of the syncer was seen waiting for %s while it was held; waiters: %+v", lock.path, seen)
	}
	waitExact(t, host, kernelstate.LegacySaves, "first sync", lockResync+repairSlack, want, "ipv4")
	if n := s.metric(t, syncErrorsSeries); n != 0 {
		t.Errorf("%s = %v after a hold shorter than the %v wait, want 0: the sync should have waited", syncErrorsSeries, n, xtablesWait)
	}

	// A change that needs a new DNAT rule while the lock is held longer than the wait.
	next := map[string]string{}
	var dests []string
	for d, target := range want {
		next[d] = target
		if strings.HasSuffix(d, ":10352") {
			next[d] = cloudcore2 + stream
		}
		dests = append(dests, d)
	}
	slices.Sort(dests)
	p := startProber(t, host, dests, probeInterval, func() error {
		if code, body, err := s.get("/healthz"); err != nil || code != 200 {
			return fmt.Errorf("GET /healthz = %d %q %s", code, strings.TrimSpace(body), errString(err))
		}
		return nil
	})
	errsBefore := s.metric(t, syncErrorsSeries)
	lock.hold(t)
	held := time.Now()
	applyTunnelPort(t, ctx, tunnelRecord)
	framework.Eventually(t, "a failed sync counted while the lock is held", xtablesWait+2*time.Second, func() (bool, string) {
		n := s.metric(t, syncErrorsSeries)
		return n > errsBefore, fmt.Sprintf("%s = %v", syncErrorsSeries, n)
	})
	failed := time.Since(held)
	if failed < xtablesWait-100*time.Millisecond {
		t.Errorf("the first sync failed %v into the hold, before the %v wait had passed", failed, xtablesWait)
	}
	st := mustReadKernel(t, host, kernelstate.LegacySaves)
	stillHeld := time.Since(held)
	t.Logf("first failed sync counted %v into the hold; kernel then: %s", failed.Round(time.Millisecond), kernelSummary(st))
	if stillHeld >= holdLong {
		t.Fatalf("the kernel was read %v into a %v hold; the check while held did not happen", stillHeld, holdLong)
	}
	if p := st.EnabledProblems(want, "ipv4"); len(p) > 0 {
		t.Errorf("while the lock was held after a failed sync, the kernel does not forward everything to the old cloudcore:\n  %s",
			strings.Join(p, "\n  "))
	}
	if s.proc.Exited() {
		t.Fatalf("the syncer exited while the lock was held: %v", s.proc.ExitError())
	}
	time.Sleep(time.Until(held.Add(holdLong))) // deliberate: the lock is held for holdLong, the period under test
	lock.release(t)
	took := waitExact(t, host, kernelstate.LegacySaves, "after the release", lockResync+repairSlack, next, "ipv4")
	t.Logf("exact %v after the release of a %v hold (resync period %v)", took.Round(time.Millisecond), holdLong, lockResync)
	if took > lockResync {
		t.Errorf("exact %v after the release, want within the resync period %v", took, lockResync)
	}
	time.Sleep(time.Second) // deliberate: keep probing for a second after the repair
	r := p.stop()
	errs := s.metric(t, syncErrorsSeries)
	t.Logf("%v failed syncs counted; %d probe rounds, %d connections and /healthz checks; %d failures", errs, r.rounds, r.dials, len(r.failures))
	if r.rounds < 20 {
		t.Errorf("only %d probe rounds: too few to show there was no gap", r.rounds)
	}
	if len(r.failures) > 0 {
		t.Errorf("during and after the hold:\n%s", strings.Join(r.failures[:min(len(r.failures), 20)], "\n"))
	}
	for _, d := range dests {
		if got, want := r.last[d], standInName(next[d]); got != want {
			t.Errorf("at the end %s was answered by %q, want %s", d, got, want)
		}
	}
	if !strings.Contains(s.log(), "holding the xtables lock") {
		t.Errorf("the syncer log does not report the held xtables lock")
	}
	s.stop()
}

// syncErrorsSeries is the counter of failed Applies.
var syncErrorsSeries = `edgewatcher_syncer_sync_errors_total{stage="` + syncer.StageApply + `"}`

// faultTopology creates the control-plane host namespace with two cloudcore stand-in namespaces joined to it, as
// TestSyncer does, and routes the bulk Nodes' 10.64.0.0/10 onto the host's silent link.
func faultTopology(t *testing.T) *netns.Namespace {
	t.Helper()
	host := netns.New(t, netip.MustParsePrefix(hostIPv4+"/24"))
	for i, cc := range []string{cloudcore1, cloudcore2} {
		ns := netns.New(t)
		gw := fmt.Sprintf("10.98.%d.1", i+1)
		netns.Connect(t, host, ns, netip.MustParsePrefix(gw+"/24"), netip.MustParsePrefix(cc+"/24"))
		ns.MustRun(t, "ip", "route", "add", "default", "via", gw)
		standIn(t, ns, fmt.Sprintf("cloudcore-%d", i+1), netip.MustParseAddrPort(cc+stream))
	}
	host.MustRun(t, "ip", "route", "add", "10.64.0.0/10", "dev", netns.DummyInterface)
	return host
}

// standInName is the name the stand-in at target answers with.
func standInName(target string) string {
	switch target {
	case cloudcore1 + stream:
		return "cloudcore-1"
	case cloudcore2 + stream:
		return "cloudcore-2"
	}
	return "?" + target
}

// killNodeAddr is bulk edge Node i's InternalIP, 10.64.<1+i/250>.<1+i%250>, and kubelet endpoint port: 10351 and
// 10352, cloudcore-1's and cloudcore-2's tunnel ports in tunnelRecord, alternately.
func killNodeAddr(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 64, byte(1 + i/250), byte(1 + i%250)}), uint16(10351+i%2))
}

// killWant is where the bulk Nodes are forwarded under tunnelRecord, or swappedTunnelRecord when swapped.
func killWant(swapped bool) map[string]string {
	targets := []string{cloudcore1 + stream, cloudcore2 + stream}
	if swapped {
		targets[0], targets[1] = targets[1], targets[0]
	}
	want := make(map[string]string, killNodes)
	for i := range killNodes {
		want[killNodeAddr(i).String()] = targets[i%2]
	}
	return want
}

// createBulkNodes creates killNodes edge Nodes with bulkWorkers goroutines through an admin client without a
// client-side rate limit, status included (kube-apiserver keeps a Node's status on create, as kubelet registers;
// should it not, the status is written through the status subresource). They are deleted when the test ends.
func createBulkNodes(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	cfg := cp.RestConfig()
	cfg.QPS, cfg.Burst = -1, 0
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	nodes := c.CoreV1().Nodes()
	t.Cleanup(func() { deleteBulkNodes(t, nodes) })
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range bulkWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				ap := killNodeAddr(i)
				name := fmt.Sprintf("kill-edge-%05d", i)
				want := &corev1.Node{
					ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
						"kubernetes.io/hostname": name, syncer.EdgeRoleLabel: "", "node-role.kubernetes.io/agent": "", faultLabel: "kill",
					}},
					Status: corev1.NodeStatus{
						Addresses: []corev1.NodeAddress{
							{Type: corev1.NodeInternalIP, Address: ap.Addr().String()}, {Type: corev1.NodeHostName, Address: name},
						},
						DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(ap.Port())}},
					},
				}
				got, err := nodes.Create(ctx, want, metav1.CreateOptions{})
				if err == nil && len(got.Status.Addresses) == 0 {
					got.Status = want.Status
					_, err = nodes.UpdateStatus(ctx, got, metav1.UpdateOptions{})
				}
				if err != nil {
					cancel(fmt.Errorf("node %s: %w", name, err))
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		t.Fatalf("creating %d edge Nodes: %v", n, err)
	}
}

// deleteBulkNodes deletes the Nodes createBulkNodes made and waits until they are gone, so later tests see only
// their own.
func deleteBulkNodes(t *testing.T, nodes typedcorev1.NodeInterface) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sel := metav1.ListOptions{LabelSelector: faultLabel}
	if err := nodes.DeleteCollection(ctx, metav1.DeleteOptions{}, sel); err != nil {
		t.Errorf("deleting the bulk Nodes: %v", err)
		return
	}
	for {
		list, err := nodes.List(ctx, metav1.ListOptions{LabelSelector: faultLabel, Limit: 1})
		if err == nil && len(list.Items) == 0 {
			return
		}
		if ctx.Err() != nil {
			t.Errorf("the bulk Nodes are not gone: %v", err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// launchSyncer starts the binary as startSyncer does, but returns at once, without waiting for /readyz.
func launchSyncer(t *testing.T, kubeconfig, netnsName string, args ...string) *syncerProc {
	t.Helper()
	p := &syncerProc{
		t:       t,
		logPath: filepath.Join(t.TempDir(), "edgewatcher-syncer.log"),
		args:    append([]string{"--kubeconfig=" + kubeconfig, "--netns=" + netnsName, "-v=2"}, args...),
	}
	t.Cleanup(func() {
		if p.proc != nil {
			_ = p.proc.Stop(5 * time.Second)
		}
		if t.Failed() {
			t.Logf("----- edgewatcher-syncer log tail -----\n%s", p.tail(80))
		}
	})
	port, err := framework.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p.metricsAddr = "127.0.0.1:" + strconv.Itoa(port)
	argv := append([]string{"--metrics-bind-address=" + p.metricsAddr, "--healthz-bind-address=" + p.metricsAddr}, p.args...)
	spawn(func() { p.proc, err = framework.StartProcess("edgewatcher-syncer", p.logPath, syncerBin, argv...) })
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// killReport says where a kill landed.
type killReport struct {
	// child is the pid of the last `ipset restore` the syncer ran, and restores how many it had run in the sync.
	child, restores int
	// childEnv is the environment (/proc/<pid>/environ) of the first of them that could be read.
	childEnv string
	// read is how many bytes those children had read (their scripts, after a few of their own files each), and
	// after is how many they were to read before the kill.
	read, after int64
	// finished says the last child had exited before the kill, and no other followed: the kill came after the
	// restores.
	finished bool
	// at is when the signal was sent.
	at  time.Time
	err error
}

// String describes the report.
func (k killReport) String() string {
	if k.finished {
		return fmt.Sprintf("after its ipset restores (%d, the last pid %d) had finished, %d bytes read, before reaching %d",
			k.restores, k.child, k.read, k.after)
	}
	return fmt.Sprintf("while its ipset restore number %d (pid %d) was running, the restores having read %d bytes (aimed at %d)",
		k.restores, k.child, k.read, k.after)
}

// nextRestoreWait is how long killMidRestore looks for another `ipset restore` once one has ended: the syncer
// starts the next restore of a sync at once (a cold sync creates its sets in one and fills them in the next).
const nextRestoreWait = 500 * time.Millisecond

// killMidRestore waits until the `ipset ... restore` children the syncer proc runs, one after another, have read
// at least after bytes in all (or the last has exited and no other follows), then sends SIGKILL: to the syncer's
// process group when group (the syncer and its child, as when a container is killed), else to the syncer alone,
// whose child then reads to the end of what was written into its stdin pipe. It waits for the syncer to exit. It
// may run on any goroutine.
func killMidRestore(proc *framework.Process, timeout time.Duration, after int64, group bool) killReport {
	k := killReport{after: after}
	deadline := time.Now().Add(timeout)
	for {
		child, err := awaitRestoreChild(proc, k.child, deadline, k.restores == 0)
		if err != nil {
			k.err = err
			return k
		}
		if child == 0 {
			k.finished = true
			break
		}
		if k.childEnv == "" { // empty once the child has exited
			env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", child))
			k.childEnv = string(env)
		}
		k.child, k.restores = child, k.restores+1
		if watchRestore(child, after, deadline, &k.read) {
			break
		}
		if time.Now().After(deadline) {
			k.finished = true
			break
		}
	}
	target := proc.Pid()
	if group {
		target = -target
	}
	k.at = time.Now()
	if err := syscall.Kill(target, syscall.SIGKILL); err != nil {
		k.err = fmt.Errorf("kill -9 %d: %w", target, err)
		return k
	}
	select {
	case <-proc.Done():
	case <-time.After(10 * time.Second):
		k.err = errors.New("the syncer did not exit within 10s of SIGKILL")
	}
	return k
}

// awaitRestoreChild polls for an `ipset ... restore` child of the syncer proc other than prev: the first of a sync
// until deadline (an error if none comes), a later one for nextRestoreWait (0 if none comes).
func awaitRestoreChild(proc *framework.Process, prev int, deadline time.Time, first bool) (int, error) {
	until := deadline
	if next := time.Now().Add(nextRestoreWait); !first && next.Before(deadline) {
		until = next
	}
	for {
		if child := restoreChild(proc.Pid()); child != 0 && child != prev {
			return child, nil
		}
		switch {
		case proc.Exited() && first:
			return 0, fmt.Errorf("the syncer exited before it ran ipset restore: %w", proc.ExitError())
		case time.Now().After(until) && first:
			return 0, errors.New("the syncer ran no ipset restore before the deadline")
		case proc.Exited() || time.Now().After(until):
			return 0, nil
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// watchRestore adds what the restore child reads to *read, the bytes of the sync's restores so far, until *read
// reaches after (true), or the child exits or deadline passes (false).
func watchRestore(child int, after int64, deadline time.Time, read *int64) bool {
	before := *read
	for *read < after {
		n, err := bytesRead(child)
		if err != nil || time.Now().After(deadline) {
			return false
		}
		*read = before + n
		time.Sleep(100 * time.Microsecond)
	}
	return true
}

// restoreChild returns the pid of the process pid's child running `ipset ... restore`, or 0.
func restoreChild(pid int) int {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0
	}
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		if err != nil {
			continue
		}
		for _, c := range strings.Fields(string(b)) {
			argv := procArgv(c)
			if len(argv) > 0 && filepath.Base(argv[0]) == "ipset" && slices.Contains(argv, "restore") {
				child, _ := strconv.Atoi(c)
				return child
			}
		}
	}
	return 0
}

// procArgv returns a process's command line, or nil.
func procArgv(pid string) []string {
	b, err := os.ReadFile("/proc/" + pid + "/cmdline")
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

// bytesRead returns rchar of /proc/<pid>/io: the bytes the process has read so far. It fails once the process
// has exited (a zombie has no io file to read).
func bytesRead(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, err
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "rchar:"); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, errors.New("no rchar")
}

// waitGone waits until the process pid has exited (or is a zombie) and says when, counted from since.
func waitGone(pid int, since time.Time, timeout time.Duration) string {
	for time.Since(since) < timeout {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(b), ") Z ") {
			return "gone by " + time.Since(since).Round(time.Millisecond).String() + " after the kill"
		}
		time.Sleep(time.Millisecond)
	}
	return "still running " + timeout.String() + " after the kill"
}

// mustReadKernel reads the namespace's kernel state with saves, failing the test on error.
func mustReadKernel(t *testing.T, ns *netns.Namespace, saves map[string]string) *kernelstate.State {
	t.Helper()
	st, err := kernelstate.ReadWith(ns, saves)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// setEntries counts the entries of each of our sets in st.
func setEntries(st *kernelstate.State) map[string]int {
	counts := map[string]int{}
	for l := range strings.Lines(st.Raw) {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "add" && slices.Contains(st.Sets, f[1]) {
			counts[f[1]]++
		}
	}
	return counts
}

// kernelSummary describes st briefly: our sets with their entry counts, the rules in our chain and the jumps.
func kernelSummary(st *kernelstate.State) string {
	counts := setEntries(st)
	var b strings.Builder
	b.WriteString("sets")
	if len(st.Sets) == 0 {
		b.WriteString(" none")
	}
	for _, name := range st.Sets {
		fmt.Fprintf(&b, " %s=%d", name, counts[name])
	}
	fmt.Fprintf(&b, "; chain rules ipv4=%d ipv6=%d; jumps", st.ChainRules["ipv4"], st.ChainRules["ipv6"])
	keys := make([]string, 0, len(st.Jumps))
	for k := range st.Jumps {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		b.WriteString(" none")
	}
	for _, k := range keys {
		fmt.Fprintf(&b, " [%s]=%d", k, st.Jumps[k])
	}
	fmt.Fprintf(&b, "; %d destinations forwarded", len(st.Forwarded))
	return b.String()
}

// exactProblems lists how st differs from exactly want with the families enabled: EnabledProblems, and exactly
// one DNAT rule per target in our chain of each family, one set per target and no temporary set, and as many
// set entries in all as want has destinations, so no destination also sits in another set.
func exactProblems(st *kernelstate.State, want map[string]string, families ...string) []string {
	out := st.EnabledProblems(want, families...)
	targets := map[string]map[string]bool{"ipv4": {}, "ipv6": {}}
	for _, target := range want {
		fam := "ipv4"
		if strings.HasPrefix(target, "[") {
			fam = "ipv6"
		}
		targets[fam][target] = true
	}
	for _, fam := range []string{"ipv4", "ipv6"} {
		if got, want := st.ChainRules[fam], len(targets[fam]); got != want {
			out = append(out, fmt.Sprintf("%d %s rules in our chain, want %d (one per target)", got, fam, want))
		}
	}
	if got, want := len(st.Sets), len(targets["ipv4"])+len(targets["ipv6"]); got != want {
		out = append(out, fmt.Sprintf("%d sets %v, want %d (one per target)", got, st.Sets, want))
	}
	total := 0
	for name, n := range setEntries(st) {
		total += n
		if strings.HasSuffix(name, "-tmp") {
			out = append(out, fmt.Sprintf("temporary set %s left with %d entries", name, n))
		}
	}
	for _, name := range st.Sets {
		if strings.HasSuffix(name, "-tmp") {
			out = append(out, "temporary set "+name+" left")
		}
	}
	if total != len(want) {
		out = append(out, fmt.Sprintf("%d entries in our sets, want %d", total, len(want)))
	}
	return out
}

// waitExact polls the namespace until exactProblems finds nothing, and returns how long that took.
func waitExact(t *testing.T, ns *netns.Namespace, saves map[string]string, step string, timeout time.Duration, want map[string]string,
	families ...string,
) time.Duration {
	t.Helper()
	start := time.Now()
	var last []string
	var summary string
	for time.Since(start) < timeout {
		st := mustReadKernel(t, ns, saves)
		if last = exactProblems(st, want, families...); len(last) == 0 {
			return time.Since(start)
		}
		summary = kernelSummary(st)
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not exact within %v (%d problems, the first 20):\n  %s\nkernel: %s", step, timeout, len(last),
		strings.Join(last[:min(len(last), 20)], "\n  "), summary)
	return 0
}

// prober dials destinations from a namespace in rounds until stopped, and records every connection that no
// cloudcore stand-in answered for its destination.
type prober struct {
	done chan struct{}
	once sync.Once
	wg   sync.WaitGroup
	mu   sync.Mutex
	res  probeResult
}

// probeResult is what a prober saw.
type probeResult struct {
	rounds, dials int
	failures      []string
	// last is the stand-in that last answered each destination.
	last map[string]string
}

// startProber probes dests from ns every probeInterval until stopped or the test ends; check, when not nil, runs
// in every round too and its error counts as a failure.
func startProber(t *testing.T, ns *netns.Namespace, dests []string, interval time.Duration, check func() error) *prober {
	p := &prober{done: make(chan struct{}), res: probeResult{last: map[string]string{}}}
	t.Cleanup(func() { p.stop() })
	p.wg.Go(func() {
		for {
			select {
			case <-p.done:
				return
			case <-time.After(interval):
			}
			var failures []string
			answers := map[string]string{}
			for _, d := range dests {
				body, err := get(ns, d, "/probe", true)
				name, rest, _ := strings.Cut(body, " ")
				if err != nil || (name != "cloudcore-1" && name != "cloudcore-2") || rest != "host="+d+" path=/probe" {
					failures = append(failures, fmt.Sprintf("%s: %s: %q %s", time.Now().Format("15:04:05.000"), d, body, errString(err)))
					continue
				}
				answers[d] = name
			}
			if check != nil {
				if err := check(); err != nil {
					failures = append(failures, time.Now().Format("15:04:05.000")+": "+err.Error())
				}
			}
			p.mu.Lock()
			p.res.rounds++
			p.res.dials += len(dests)
			p.res.failures = append(p.res.failures, failures...)
			for d, name := range answers {
				p.res.last[d] = name
			}
			p.mu.Unlock()
		}
	})
	return p
}

// stop ends the probing and returns what it saw.
func (p *prober) stop() probeResult {
	p.once.Do(func() { close(p.done) })
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.res
}

// metric returns the value of the /metrics sample series, or 0 when it is absent (a counter never incremented).
func (p *syncerProc) metric(t *testing.T, series string) float64 {
	t.Helper()
	_, body, err := p.get("/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.Lines(body) {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("/metrics %q: %v", l, err)
			}
			return f
		}
	}
	return 0
}

// privateXtablesLock points $XTABLES_LOCKFILE, which the syncer and its iptables children inherit, at a new lock
// file of the test for the rest of t, and checks that iptables-legacy in ns takes that file: were it ignored, the
// syncer would take the host's /run/xtables.lock, and holding the test's file would not stop it.
func privateXtablesLock(t *testing.T, ns *netns.Namespace) *xtablesLock {
	t.Helper()
	lock := openXtablesLock(t, filepath.Join(t.TempDir(), "xtables.lock"))
	t.Setenv(xtablesLockEnv, lock.path)
	lock.hold(t)
	out, err := ns.Run("iptables-legacy", "-w", "1", "-t", "nat", "-S")
	lock.release(t)
	if err == nil || !strings.Contains(err.Error(), lock.path) {
		t.Fatalf("iptables-legacy does not honour $%s: with %s held, a bounded wait returned %q, %v", xtablesLockEnv, lock.path, out, err)
	}
	return lock
}

// wantEnv checks that process pid runs with key=value in its environment. Right after exec.Cmd.Start,
// /proc/<pid>/environ can read empty: the kernel wakes the parent of a vfork child when the child releases the
// old memory map, before it records where the new environment lies. So it waits for a non-empty environment.
func wantEnv(t *testing.T, pid int, key, value string) {
	t.Helper()
	var b []byte
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var err error
		if b, err = os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid)); err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if !hasEnv(string(b), key, value) {
		t.Fatalf("process %d does not run with %s=%s; its environment: %q", pid, key, value, b)
	}
}

// hasEnv reports whether environ, as /proc/<pid>/environ holds it, sets key to value.
func hasEnv(environ, key, value string) bool {
	return slices.Contains(strings.Split(environ, "\x00"), key+"="+value)
}

// xtablesLock is a lock file iptables-legacy takes through $XTABLES_LOCKFILE, held with flock(2) by the test.
type xtablesLock struct {
	f    *os.File
	path string
	// id is the file as /proc/locks names it: major:minor:inode.
	id string
}

// openXtablesLock creates the lock file at path.
func openXtablesLock(t *testing.T, path string) *xtablesLock {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	return &xtablesLock{f: f, path: path, id: fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)}
}

// hold takes the lock, waiting up to a second for an iptables command of the syncer that holds it.
func (l *xtablesLock) hold(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			t.Fatalf("flock %s: %v", l.path, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// release gives the lock up.
func (l *xtablesLock) release(t *testing.T) {
	t.Helper()
	if err := l.unlock(); err != nil {
		t.Fatal(err)
	}
}

// unlock gives the lock up; it may run on any goroutine.
func (l *xtablesLock) unlock() error {
	if err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN); err != nil {
		return fmt.Errorf("flock -u %s: %w", l.path, err)
	}
	return nil
}

// lockWaiter is a process /proc/locks showed blocked on a file lock.
type lockWaiter struct {
	pid, ppid int
	command   string
	// lock is the file, major:minor:inode.
	lock string
}

// waiterWatch samples /proc/locks until stopped.
type waiterWatch struct {
	done chan struct{}
	wg   sync.WaitGroup
	seen map[int]lockWaiter
}

// watchLockWaiters records, every few milliseconds, the processes blocked on a flock(2) lock.
func watchLockWaiters() *waiterWatch {
	w := &waiterWatch{done: make(chan struct{}), seen: map[int]lockWaiter{}}
	w.wg.Go(func() {
		for {
			select {
			case <-w.done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			b, err := os.ReadFile("/proc/locks")
			if err != nil {
				continue
			}
			for l := range strings.Lines(string(b)) {
				// 1: -> FLOCK  ADVISORY  WRITE 23030 fe:00:9978364 0 EOF
				f := strings.Fields(l)
				if len(f) < 7 || f[1] != "->" || f[2] != "FLOCK" {
					continue
				}
				pid, err := strconv.Atoi(f[5])
				if err != nil {
					continue
				}
				if _, ok := w.seen[pid]; ok {
					continue
				}
				lw := lockWaiter{pid: pid, lock: f[6], command: strings.Join(procArgv(f[5]), " ")}
				if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
					if _, rest, ok := strings.Cut(string(stat), ") "); ok {
						if fs := strings.Fields(rest); len(fs) > 1 {
							lw.ppid, _ = strconv.Atoi(fs[1])
						}
					}
				}
				w.seen[pid] = lw
			}
		}
	})
	return w
}

// stop ends the sampling and returns the waiters seen.
func (w *waiterWatch) stop() []lockWaiter {
	close(w.done)
	w.wg.Wait()
	out := make([]lockWaiter, 0, len(w.seen))
	for _, lw := range w.seen {
		out = append(out, lw)
	}
	return out
}

// notYetMoved returns the destinations of want that st holds only in sets whose rule DNATs elsewhere.
func notYetMoved(st *kernelstate.State, want map[string]string) []string {
	setTarget := map[string]string{}
	for l := range strings.Lines(st.Raw) {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "-A" && f[1] == dataplane.ChainName {
			setTarget[kernelstate.FieldAfter(f, "--match-set")] = kernelstate.FieldAfter(f, "--to-destination")
		}
	}
	held := map[string][]string{}
	for l := range strings.Lines(st.Raw) {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "add" && setTarget[f[1]] != "" {
			if d, err := kernelstate.ParseEntry(f[2]); err == nil {
				held[d] = append(held[d], setTarget[f[1]])
			}
		}
	}
	var out []string
	for d, target := range want {
		if len(held[d]) > 0 && !slices.Contains(held[d], target) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}
