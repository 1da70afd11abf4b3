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

package dataplanetesting

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// FakeKernel is the iptables and ipset state of one fake network namespace, programmed through the commands
// Netfilter runs. It is safe for concurrent use; each command, and each line of `ipset restore`, is atomic.
type FakeKernel struct {
	mu sync.Mutex
	// sets are the ipsets by name.
	sets map[string]*ipset
	// rulesets are the iptables tables of each variant and family, by "<variant> <family>".
	rulesets map[string]*ruleset
	// system is the variant the plain iptables commands run.
	system string
	// commands counts the commands run, by name.
	commands map[string]int
	// fail, when set, decides whether a command fails before it runs.
	fail func(name string, args []string) error
}

var _ dataplane.Starter = &FakeKernel{}

// NewFakeKernel returns an empty fake kernel whose iptables and ip6tables commands are the nf_tables variant.
func NewFakeKernel() *FakeKernel {
	return &FakeKernel{sets: map[string]*ipset{}, rulesets: map[string]*ruleset{}, system: variantNFT, commands: map[string]int{}}
}

// The iptables variants.
const (
	variantNFT    = "nft"
	variantLegacy = "legacy"
)

// SetFailure makes every later command for which fail returns an error fail with it (as its standard error)
// before it runs, go-iptables calls included, until it is called again with nil.
func (k *FakeKernel) SetFailure(fail func(name string, args []string) error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fail = fail
}

// Commands returns how many commands of each name ran, go-iptables calls counted as their iptables command.
func (k *FakeKernel) Commands() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make(map[string]int, len(k.commands))
	for name, n := range k.commands {
		out[name] = n
	}
	return out
}

// Run implements dataplane.Runner: it runs the ipset, iptables, ip6tables, *-save and *-restore commands of
// either variant (iptables-nft, ip6tables-legacy-restore, ...) against the fake state.
func (k *FakeKernel) Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, commandError(name, args, 0, err.Error())
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.begin(name, args); err != nil {
		return nil, err
	}
	if name == "ipset" {
		return k.ipsetCommand(name, args, stdin)
	}
	cmd, ok := parseIPTablesCommand(name)
	if !ok {
		return nil, commandError(name, args, 127, "command not found in the fake kernel")
	}
	return k.iptablesCommand(cmd, args, stdin)
}

// begin counts a command and applies SetFailure; k.mu is held.
func (k *FakeKernel) begin(name string, args []string) error {
	k.commands[name]++
	if k.fail != nil {
		if err := k.fail(name, args); err != nil {
			return commandError(name, args, 4, err.Error())
		}
	}
	return nil
}

// Start implements dataplane.Starter: the command runs in the background, interleaved with other commands.
func (k *FakeKernel) Start(ctx context.Context, stdin []byte, name string, args ...string) (func() ([]byte, error), error) {
	if name == "ipset" {
		w, wait, err := k.StartWriting(ctx, name, args...)
		if err != nil {
			return nil, err
		}
		go func() {
			_, _ = w.Write(stdin)
			_ = w.Close()
		}()
		return wait, nil
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := k.Run(ctx, stdin, name, args...)
		done <- result{out, err}
	}()
	return func() ([]byte, error) { r := <-done; return r.out, r.err }, nil
}

// StartWriting implements dataplane.Starter. For `ipset restore`, each line takes effect as soon as it is
// written, as with the real command; canceling ctx kills it: writes then fail and wait reports it.
func (k *FakeKernel) StartWriting(ctx context.Context, name string, args ...string) (io.WriteCloser, func() ([]byte, error), error) {
	if name != "ipset" || len(args) == 0 || args[len(args)-1] != "restore" {
		var buf bytes.Buffer
		return nopCloser{&buf}, func() ([]byte, error) { return k.Run(ctx, buf.Bytes(), name, args...) }, nil
	}
	exist := len(args) == 2 && args[0] == "-exist"
	if !exist && len(args) != 1 {
		return nil, nil, commandError(name, args, 1, "unknown options")
	}
	k.mu.Lock()
	err := k.begin(name, args)
	k.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- k.restoreStream(ctx, pr, exist)
	}()
	stop := context.AfterFunc(ctx, func() { _ = pr.CloseWithError(errors.New("killed")) })
	wait := func() ([]byte, error) {
		err := <-done
		stop()
		if err != nil {
			_ = pr.CloseWithError(err) // the writer sees a broken pipe, as with a process that exited
			return nil, commandError(name, args, 1, err.Error())
		}
		return nil, nil
	}
	return pw, wait, nil
}

// restoreStream applies an `ipset restore` script line by line as it arrives, until its end, an error or ctx.
func (k *FakeKernel) restoreStream(ctx context.Context, r io.Reader, exist bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if ctx.Err() != nil {
			return errors.New("signal: killed")
		}
		k.mu.Lock()
		err := k.ipsetLine(sc.Text(), exist)
		k.mu.Unlock()
		if err != nil {
			_, _ = io.Copy(io.Discard, r)
			return ipsetError(fmt.Sprintf("Error in line %d: %v", n, err))
		}
	}
	if ctx.Err() != nil {
		return errors.New("signal: killed")
	}
	return sc.Err()
}

// nopCloser is a buffer a command reads once it is closed.
type nopCloser struct{ *bytes.Buffer }

// Close implements io.Closer.
func (nopCloser) Close() error { return nil }

// commandError is a failed command as ExecRunner reports it.
func commandError(name string, args []string, status int, stderr string) error {
	return &dataplane.CommandError{Command: name, Args: args, Stderr: strings.TrimSpace(stderr), Err: fmt.Errorf("exit status %d", status)}
}

// familyName names a family as the fake's keys do.
func familyName(f forwarding.Family) string {
	if f == forwarding.IPv6 {
		return "ipv6"
	}
	return "ipv4"
}
