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

package dataplane_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// hookRunner runs commands as ExecRunner does, except those fail refuses, and calls restore for `ipset
// restore`. It is no Starter, so every command goes through it.
type hookRunner struct {
	inner dataplane.Runner
	// fail, when set, makes a command fail without running.
	fail func(name string, args []string) bool
	// restore, when set, runs `ipset -exist restore` scripts instead of ExecRunner.
	restore func(ctx context.Context, script []byte) ([]byte, error)
}

// Run implements Runner.
func (r *hookRunner) Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	if r.fail != nil && r.fail(name, args) {
		return nil, &dataplane.CommandError{Command: name, Args: args, Stderr: "refused by the test", Err: errors.New("exit status 4")}
	}
	if r.restore != nil && name == "ipset" && len(args) > 0 && args[len(args)-1] == "restore" {
		return r.restore(ctx, stdin)
	}
	return r.inner.Run(ctx, stdin, name, args...)
}

// TestKernelChainFailureKeepsOldEntries moves a destination to a new target while the chain cannot be written (as
// when the xtables lock is held past the wait): the Apply fails and the destination stays in its old set, still
// forwarded by the old rule; the next Apply that can write the chain finishes the move exactly.
func TestKernelChainFailureKeepsOldEntries(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.String(), func(t *testing.T) {
			k := newKernel(t, b)
			runner := &hookRunner{inner: k.runner()}
			k.nf = k.newNetfilterWith(dataplane.Config{Runner: runner})
			stays := rule("e1", "10.1.0.1:10351", "10.0.0.2:10003")
			old := rule("e2", "10.1.0.2:10351", "10.0.0.2:10003")
			before := []forwarding.Rule{stays, old}
			k.apply(before)

			moved := rule("e2", "10.1.0.2:10351", "10.0.0.3:10003")
			after := []forwarding.Rule{stays, moved}
			runner.fail = func(name string, _ []string) bool { return strings.Contains(name, "tables") }
			for attempt := 1; attempt <= 2; attempt++ {
				if err := k.do(func() error { return k.nf.Apply(context.Background(), after) }); err == nil {
					t.Fatalf("attempt %d: Apply succeeded with the chain refused", attempt)
				}
				if got := k.natTable(forwarding.IPv4); !slicesContain(got, "--match-set "+dataplane.SetName(forwarding.IPv4, old.Target)+" ") {
					t.Fatalf("attempt %d: the old target's rule is gone:\n%s", attempt, strings.Join(got, "\n"))
				}
				if !k.member(dataplane.SetName(forwarding.IPv4, old.Target), old.Destination.String()) {
					t.Errorf("attempt %d: after a failed chain write, %s was deleted from its old set: not forwarded", attempt, old.Destination)
				}
			}
			runner.fail = nil
			k.apply(after)
			k.assertState("after the chain could be written", after, nil)
		})
	}
}

// TestKernelRestartAddsBeforeRebuilding restarts on the state a syncer killed in the middle of moving a
// destination between two existing targets leaves: still only in its old set. The restarted Apply reads both
// sets back and moves it by increments or, when a set holds what we never write and so cannot be read back,
// rebuilds that set; whatever it does, between any two of its set commands the destination must be in one of
// them. Each `ipset restore` is run in parts, split after every swap, and checked between them.
func TestKernelRestartAddsBeforeRebuilding(t *testing.T) {
	a, b := netip.MustParseAddrPort("10.0.0.2:10003"), netip.MustParseAddrPort("10.0.0.3:10003")
	for _, tc := range []struct {
		name    string
		foreign bool // a UDP entry in a's set, which the restart cannot read back
		check   func(st dataplane.Stats) bool
	}{
		{name: "read back", check: func(st dataplane.Stats) bool {
			return st.SetsRead == 2 && st.SetsRebuilt == 0 && st.EntriesAdded == 1 && st.EntriesRemoved == 1 && st.ChainsWritten == 0
		}},
		{name: "unreadable set rebuilt", foreign: true, check: func(st dataplane.Stats) bool {
			return st.SetsRead == 1 && st.SetsRebuilt == 1 && st.ChainsWritten == 0
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forKernels(t, []dataplane.Backend{dataplane.BackendNFT}, func(t *testing.T, k *kernel) {
				d := rule("d", "10.1.0.4:10351", a.String())
				before := []forwarding.Rule{d, rule("f", "10.1.0.5:10351", a.String()), rule("e", "10.1.0.6:10352", b.String())}
				k.apply(before)
				if tc.foreign {
					if err := k.do(func() error {
						_, err := k.runner().Run(context.Background(), nil, "ipset", "add", dataplane.SetName(forwarding.IPv4, a), "10.9.9.9,udp:53")
						return err
					}); err != nil {
						t.Fatal(err)
					}
				}

				var gaps []string
				check := func(where string) {
					if !k.member(dataplane.SetName(forwarding.IPv4, a), d.Destination.String()) && !k.member(dataplane.SetName(forwarding.IPv4, b), d.Destination.String()) {
						gaps = append(gaps, where)
					}
				}
				parts := 0
				runner := &hookRunner{inner: k.runner(), restore: func(ctx context.Context, script []byte) ([]byte, error) {
					for len(script) > 0 {
						part := script
						if i := bytes.Index(script, []byte("\nswap ")); i >= 0 {
							if j := bytes.IndexByte(script[i+1:], '\n'); j >= 0 {
								part = script[:i+1+j+1]
							}
						}
						script = script[len(part):]
						if _, err := k.runner().Run(ctx, part, "ipset", "-exist", "restore"); err != nil {
							return nil, err
						}
						parts++
						check(fmt.Sprintf("after restore part %d ending %q", parts, lastLine(part)))
					}
					return nil, nil
				}}
				k.nf = k.newNetfilterWith(dataplane.Config{Runner: runner})
				after := []forwarding.Rule{rule("d", "10.1.0.4:10351", b.String()), before[1], before[2]}
				if st := k.apply(after); !tc.check(st) {
					t.Errorf("restart stats %+v", st)
				}
				if len(gaps) > 0 {
					t.Errorf("%s was in neither set %s", d.Destination, strings.Join(gaps, "; "))
				}
				k.assertState("after the restart", after, nil)
			})
		})
	}
}

// member reports whether the set holds the destination (ip:port, TCP).
func (k *kernel) member(set, dest string) bool {
	k.t.Helper()
	ap := netip.MustParseAddrPort(dest)
	_, err := k.tryRun("ipset", "test", set, fmt.Sprintf("%s,tcp:%d", ap.Addr(), ap.Port()))
	var exit *exec.ExitError
	var failed *dataplane.CommandError
	if err != nil && !errors.As(err, &exit) && !errors.As(err, &failed) {
		k.t.Fatal(err)
	}
	return err == nil
}

// slicesContain reports whether a line of lines contains s.
func slicesContain(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// lastLine returns the last line of a script.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return lines[len(lines)-1]
}
