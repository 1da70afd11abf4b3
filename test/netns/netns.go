package netns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// DummyInterface is the interface New adds to every namespace and gives the test addresses. It is one end of a
// veth pair whose other end, DummyPeer, is in the same namespace (some kernels lack the dummy link type), so its
// connected routes send test traffic nowhere but the namespace itself.
const DummyInterface = "ew0"

// DummyPeer is the other end of DummyInterface's veth pair; it has no addresses.
const DummyPeer = "ew0p"

// namePrefix starts every namespace name, so a leaked one is recognisable.
const namePrefix = "ew-test-"

// runDir is where `ip netns` keeps its namespace handles.
const runDir = "/run/netns"

// Namespace is a network namespace created for one test.
type Namespace struct {
	// Name is the namespace's name, as `ip netns` knows it.
	Name string
}

// New creates a fresh network namespace, brings up lo and DummyInterface (with its peer) with addrs assigned (IPv6 without
// duplicate address detection, so they are usable at once), and deletes the namespace when the test ends.
// It skips or fails the test (see SkipOrFail) when it is not root or `ip netns` does not work.
func New(tb testing.TB, addrs ...netip.Prefix) *Namespace {
	tb.Helper()
	RequireRoot(tb)
	RequireCommands(tb, "ip")
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("random namespace name: %v", err)
	}
	ns := &Namespace{Name: namePrefix + hex.EncodeToString(b[:])}
	if out, err := exec.Command("ip", "netns", "add", ns.Name).CombinedOutput(); err != nil {
		SkipOrFail(tb, "ip netns add %s: %v: %s", ns.Name, err, strings.TrimSpace(string(out)))
	}
	tb.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "delete", ns.Name).CombinedOutput(); err != nil {
			tb.Errorf("ip netns delete %s: %v: %s", ns.Name, err, out)
		}
	})
	ns.MustRun(tb, "ip", "link", "set", "lo", "up")
	ns.MustRun(tb, "ip", "link", "add", DummyInterface, "type", "veth", "peer", "name", DummyPeer)
	ns.MustRun(tb, "ip", "link", "set", DummyPeer, "up")
	ns.MustRun(tb, "ip", "link", "set", DummyInterface, "up")
	for _, p := range addrs {
		args := []string{"ip", "address", "add", p.String(), "dev", DummyInterface}
		if p.Addr().Is6() {
			args = append(args, "nodad")
		}
		ns.MustRun(tb, args...)
	}
	return ns
}

// Path returns the namespace's handle file, which setns accepts.
func (ns *Namespace) Path() string { return filepath.Join(runDir, ns.Name) }

// Command returns a command that runs argv inside the namespace via `ip netns exec`.
func (ns *Namespace) Command(ctx context.Context, argv ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Name}, argv...)...)
}

// Run runs argv inside the namespace and returns its standard output; the error includes standard error.
func (ns *Namespace) Run(argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := ns.Command(ctx, argv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("in %s: %s: %w: %s", ns.Name, strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// MustRun runs argv inside the namespace and fails the test on error.
func (ns *Namespace) MustRun(tb testing.TB, argv ...string) string {
	tb.Helper()
	out, err := ns.Run(argv...)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// exists reports whether the namespace's handle is still there.
func (ns *Namespace) exists() bool {
	_, err := os.Stat(ns.Path())
	return err == nil
}
