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

package netns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	if err := ns.add(); err != nil {
		SkipOrFail(tb, "%v", err)
	}
	tb.Cleanup(func() {
		if err := ns.Delete(); err != nil {
			tb.Error(err)
		}
	})
	if err := ns.setUp(addrs); err != nil {
		tb.Fatal(err)
	}
	return ns
}

// Create is New without a test: it creates the namespace name, set up as New does, and leaves deleting it to
// the caller (Delete). It needs root; on failure nothing is left behind.
func Create(name string, addrs ...netip.Prefix) (*Namespace, error) {
	ns := &Namespace{Name: name}
	if err := ns.add(); err != nil {
		return nil, err
	}
	if err := ns.setUp(addrs); err != nil {
		return nil, errors.Join(err, ns.Delete())
	}
	return ns, nil
}

// Delete deletes the namespace with `ip netns delete`; everything inside it (links, addresses, iptables and
// ipsets) goes with it.
func (ns *Namespace) Delete() error {
	if out, err := exec.Command("ip", "netns", "delete", ns.Name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns delete %s: %w: %s", ns.Name, err, out)
	}
	return nil
}

// Exists reports whether the namespace's handle is still there.
func (ns *Namespace) Exists() bool {
	_, err := os.Stat(ns.Path())
	return err == nil
}

// add runs `ip netns add`.
func (ns *Namespace) add() error {
	if out, err := exec.Command("ip", "netns", "add", ns.Name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns add %s: %w: %s", ns.Name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// setUp brings up lo and DummyInterface with its peer, and assigns addrs to DummyInterface.
func (ns *Namespace) setUp(addrs []netip.Prefix) error {
	cmds := [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"ip", "link", "add", DummyInterface, "type", "veth", "peer", "name", DummyPeer},
		{"ip", "link", "set", DummyPeer, "up"},
		{"ip", "link", "set", DummyInterface, "up"},
	}
	for _, p := range addrs {
		cmds = append(cmds, addressArgs(p, DummyInterface))
	}
	for _, argv := range cmds {
		if _, err := ns.Run(argv...); err != nil {
			return err
		}
	}
	return nil
}

// addressArgs returns the command that assigns p to dev, IPv6 without duplicate address detection.
func addressArgs(p netip.Prefix, dev string) []string {
	args := []string{"ip", "address", "add", p.String(), "dev", dev}
	if p.Addr().Is6() {
		args = append(args, "nodad")
	}
	return args
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
