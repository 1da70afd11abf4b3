// Package syncer tests edgewatcher-syncer end to end: the real binary against a real kube-apiserver and etcd,
// programming a real kernel inside network namespaces the test creates. The syncer process runs in the host's
// namespace, where kube-apiserver listens on loopback, and confines every iptables and ipset command to the
// test's "control-plane host" namespace with its test-only --netns flag; the host's own iptables are never
// touched (TestMain checks that no trace of the syncer appears there).
package syncer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

var (
	cp        *framework.ControlPlane
	syncerBin string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := prerequisites(); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "e2e/syncer: CI is set and this is required: %v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "e2e/syncer: SKIPPING every syncer end-to-end test: %v (set CI=1 to make this a failure)\n", err)
		return 0
	}
	before, err := framework.HostForwardingTrace()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/syncer: reading the host's nat table and ipsets: %v\n", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "edgewatcher-syncer-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/syncer: %v\n", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	// iptables-legacy, which cleanup with the auto backend also runs, would take the host's /run/xtables.lock;
	// every child gets a private lock file instead, so no test ever delays the host's own iptables users.
	if _, set := os.LookupEnv(xtablesLockEnv); !set {
		if err := os.Setenv(xtablesLockEnv, filepath.Join(dir, "xtables.lock")); err != nil {
			fmt.Fprintf(os.Stderr, "e2e/syncer: %v\n", err)
			return 1
		}
	}
	if syncerBin, err = framework.SyncerBinary(dir); err != nil {
		fmt.Fprintf(os.Stderr, "e2e/syncer: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	spawn(func() { cp, err = framework.StartControlPlane(ctx, framework.ControlPlaneOptions{}) })
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/syncer: starting the control plane: %v\n", err)
		return 1
	}
	code := m.Run()
	_ = cp.Stop()
	after, err := framework.HostForwardingTrace()
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "e2e/syncer: reading the host's nat table and ipsets: %v\n", err)
		code = 1
	case after != before:
		fmt.Fprintf(os.Stderr, "e2e/syncer: the host's own namespace changed:\nbefore: %q\nafter:  %q\n", before, after)
		code = 1
	}
	return code
}

// spawnc feeds the spawner thread.
var spawnc = make(chan func())

func init() {
	go func() {
		// Never unlocked: this thread lives as long as the test binary.
		runtime.LockOSThread()
		for fn := range spawnc {
			fn()
		}
	}()
}

// spawn runs fn on a goroutine locked to an OS thread that lives as long as the test binary, and waits for it.
// framework.StartProcess sets Pdeathsig, which the kernel fires when the *thread* that forked the child exits,
// not the process; netns.Do ends the threads it uses, and the Go runtime may have forked from one of them
// earlier. Starting every long-lived child (etcd, kube-apiserver, the syncer) here keeps them alive.
func spawn(fn func()) {
	done := make(chan struct{})
	spawnc <- func() {
		defer close(done)
		fn()
	}
	<-done
}

// prerequisites reports why the tests cannot run here: missing control-plane binaries, not root, or missing
// kernel tools.
func prerequisites() error {
	if err := framework.CheckBinaries(); err != nil {
		return err
	}
	return framework.CheckNetnsTools()
}
