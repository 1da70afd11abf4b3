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

package dataplane

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// lockWaitSeconds is how long iptables commands wait for the xtables lock.
const lockWaitSeconds = 5

// Config configures a Netfilter dataplane.
type Config struct {
	// Backend selects the iptables variant; see DetectBackend.
	Backend Backend
	// Families are the address families to program; nil means IPv4 and IPv6.
	Families []forwarding.Family
	// Runner runs ipset and the iptables restore commands; nil means ExecRunner. A large fill overlaps the chain
	// writes, and Prefill acts, only when it is a Starter.
	Runner Runner
	// NewIPTables returns the iptables client of one family that runs command, such as ip6tables-legacy; nil
	// means NewIPTables (go-iptables), which execs command itself, so that every command runs in the network
	// namespace of the calling OS thread.
	NewIPTables func(f forwarding.Family, command string) (IPTables, error)
	// ReadSet reads back a set whose content an Apply does not know (after a restart or a failed set command).
	// nil means ReadSetNetlink when Runner is nil, else `ipset save` through Runner.
	ReadSet SetReader
	// VerifyInterval lets an Apply skip re-reading the kernel when the last full Apply was less than this long ago
	// and the set of targets is unchanged: it then only adds and deletes set entries, in one `ipset restore`.
	// Drift is then repaired within VerifyInterval instead of by the next Apply. Zero verifies on every Apply.
	VerifyInterval time.Duration
}

// Netfilter is the kernel Dataplane: ipsets matched by DNAT rules in ChainName, jumped to from nat OUTPUT and
// PREROUTING. It is safe for concurrent use; calls are serialised. All commands run on the calling goroutine.
type Netfilter struct {
	mu       sync.Mutex
	runner   Runner
	readSet  SetReader
	families []*familyTables
	// applied is what the last successful Apply left in each set; nil forces full rebuilds.
	applied map[string][]netip.AddrPort
	// targets is the DNAT target of each set in applied.
	targets map[string]netip.AddrPort
	// verifyInterval and verified implement Config.VerifyInterval: verified is when the last full Apply succeeded.
	verifyInterval time.Duration
	verified       time.Time
	stats          Stats
	// overlapMinEntries is overlapMinEntries, or another threshold in tests.
	overlapMinEntries int
	// prefill is the running Prefill the next Apply completes, or nil.
	prefill *prefill
}

var _ Dataplane = &Netfilter{}

// familyTables is the iptables handle of one family.
type familyTables struct {
	family  forwarding.Family
	ipt     IPTables
	restore string
	mode    string
}

// New returns a Netfilter for cfg. It checks that the iptables commands exist and learns their mode.
func New(ctx context.Context, cfg Config) (*Netfilter, error) {
	if !cfg.Backend.Valid() {
		return nil, fmt.Errorf("unknown iptables backend %q (want %q, %q or empty)", cfg.Backend, BackendLegacy, BackendNFT)
	}
	n := &Netfilter{runner: cfg.Runner, verifyInterval: cfg.VerifyInterval, overlapMinEntries: overlapMinEntries}
	n.readSet = cfg.ReadSet
	if n.readSet == nil {
		n.readSet = runnerSetReader(cfg.Runner)
		if cfg.Runner == nil {
			n.readSet = ReadSetNetlink
		}
	}
	if n.runner == nil {
		n.runner = ExecRunner{}
	}
	newIPTables := cfg.NewIPTables
	if newIPTables == nil {
		newIPTables = NewIPTables
	}
	fams := cfg.Families
	if fams == nil {
		fams = []forwarding.Family{forwarding.IPv4, forwarding.IPv6}
	}
	for _, f := range fams {
		if f != forwarding.IPv4 && f != forwarding.IPv6 || slices.ContainsFunc(n.families, func(t *familyTables) bool { return t.family == f }) {
			return nil, fmt.Errorf("invalid or repeated address family %v", f)
		}
		cmd := cfg.Backend.command(f)
		ipt, err := newIPTables(f, cmd)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cmd, err)
		}
		version, err := n.runner.Run(ctx, nil, cmd, "--version")
		if err != nil {
			return nil, err
		}
		n.families = append(n.families, &familyTables{family: f, ipt: ipt, restore: cmd + "-restore", mode: parseMode(version)})
	}
	return n, nil
}

// Mode returns the iptables mode in use, "nf_tables" or "legacy" (of the first family).
func (n *Netfilter) Mode() string {
	if len(n.families) == 0 {
		return ""
	}
	return n.families[0].mode
}

// LastStats returns what the last Apply did.
func (n *Netfilter) LastStats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}

// tables returns the handle of family f, or nil when f is not enabled.
func (n *Netfilter) tables(f forwarding.Family) *familyTables {
	for _, t := range n.families {
		if t.family == f {
			return t
		}
	}
	return nil
}
