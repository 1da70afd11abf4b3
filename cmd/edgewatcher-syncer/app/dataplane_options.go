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
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// Values of --iptables-backend.
const (
	// BackendAuto detects the variant the host's other users program (dataplane.DetectBackend); cleanup then
	// cleans every installed variant.
	BackendAuto = "auto"
	// BackendLegacy is iptables-legacy.
	BackendLegacy = "legacy"
	// BackendNFT is iptables-nft.
	BackendNFT = "nft"
)

// netnsFlag is the test-only flag that confines the kernel programming to a named network namespace.
const netnsFlag = "netns"

// DataplaneOptions select how the kernel is programmed; the syncer and cleanup share them.
type DataplaneOptions struct {
	// Backend is auto, legacy or nft.
	Backend string
	// IPFamilies are ipv4 and/or ipv6.
	IPFamilies []string
	// NetNS, for tests only, is a network namespace (a name under /run/netns or a path) in which every iptables
	// and ipset command runs and the local addresses are read, while the API is reached from the process's own
	// namespace. It is how the end-to-end tests keep the host's iptables untouched.
	NetNS string
}

// NewDataplaneOptions returns the defaults: auto-detected backend, IPv4 and IPv6.
func NewDataplaneOptions() *DataplaneOptions {
	return &DataplaneOptions{Backend: BackendAuto, IPFamilies: []string{"ipv4", "ipv6"}}
}

// AddFlags adds the dataplane flags to fs; --netns is hidden.
func (d *DataplaneOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&d.Backend, "iptables-backend", d.Backend, "iptables variant: auto (the one kubelet and kube-proxy use, as iptables-wrappers detects it), legacy or nft.")
	fs.StringSliceVar(&d.IPFamilies, "ip-families", d.IPFamilies, "Address families to program: ipv4 (iptables) and/or ipv6 (ip6tables).")
	fs.StringVar(&d.NetNS, netnsFlag, d.NetNS, "TEST ONLY: program iptables and ipset inside this network namespace (a name under /run/netns, or a path) instead of the process's own, and read the local addresses there. The API is still reached from the process's namespace.")
	_ = fs.MarkHidden(netnsFlag)
}

// Validate checks the dataplane options.
func (d *DataplaneOptions) Validate() []error {
	var errs []error
	switch d.Backend {
	case BackendAuto, BackendLegacy, BackendNFT:
	default:
		errs = append(errs, fmt.Errorf("--iptables-backend %q: must be %s, %s or %s", d.Backend, BackendAuto, BackendLegacy, BackendNFT))
	}
	if _, err := d.families(); err != nil {
		errs = append(errs, err)
	}
	if d.NetNS != "" && !filepath.IsAbs(d.NetNS) && strings.ContainsAny(d.NetNS, "/") {
		errs = append(errs, fmt.Errorf("--%s %q: must be a name under /run/netns or an absolute path", netnsFlag, d.NetNS))
	}
	return errs
}

// families parses --ip-families.
func (d *DataplaneOptions) families() ([]forwarding.Family, error) {
	var out []forwarding.Family
	for _, s := range d.IPFamilies {
		var f forwarding.Family
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "ipv4":
			f = forwarding.IPv4
		case "ipv6":
			f = forwarding.IPv6
		default:
			return nil, fmt.Errorf("--ip-families %q: each must be ipv4 or ipv6", s)
		}
		if slices.Contains(out, f) {
			return nil, fmt.Errorf("--ip-families %v: %s is repeated", d.IPFamilies, f)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, errors.New("--ip-families: at least one of ipv4 and ipv6 is required")
	}
	return out, nil
}

// executor runs kernel work where it belongs: inline, or on a thread inside the --netns namespace.
type executor interface {
	// do runs fn and returns when it has returned.
	do(fn func())
	// close releases the executor.
	close()
}

// inline runs functions on the calling goroutine, in the process's own network namespace.
type inline struct{}

func (inline) do(fn func()) { fn() }
func (inline) close()       {}

// newExecutor returns the executor for d: a namespace thread when --netns is set, else inline.
func (d *DataplaneOptions) newExecutor() (executor, error) {
	if d.NetNS == "" {
		return inline{}, nil
	}
	klog.InfoS("Programming the kernel inside a network namespace (test only)", "netns", d.NetNS)
	return startNetnsThread(d.NetNS)
}

// newNetfilter creates a Netfilter for backend b (resolving auto) through ex, and describes it.
func (d *DataplaneOptions) newNetfilter(ctx context.Context, ex executor, b string, verify time.Duration) (*dataplane.Netfilter, string, error) {
	families, err := d.families()
	if err != nil {
		return nil, "", err
	}
	var nf *dataplane.Netfilter
	var backend dataplane.Backend
	ex.do(func() {
		switch b {
		case BackendAuto:
			backend, err = dataplane.DetectBackend(ctx, dataplane.ExecRunner{})
			if err != nil {
				return
			}
		case BackendLegacy:
			backend = dataplane.BackendLegacy
		case BackendNFT:
			backend = dataplane.BackendNFT
		}
		nf, err = dataplane.New(ctx, dataplane.Config{Backend: backend, Families: families, VerifyInterval: verify})
	})
	if err != nil {
		return nil, "", fmt.Errorf("iptables backend %s: %w", b, err)
	}
	names := make([]string, len(families))
	for i, f := range families {
		names[i] = strings.ToLower(f.String())
	}
	desc := fmt.Sprintf("%s (%s) %s", backend, nf.Mode(), strings.Join(names, ","))
	return nf, desc, nil
}

// installedBackends returns the iptables variants whose commands exist, for cleanup --iptables-backend=auto.
func installedBackends(ex executor) []string {
	var out []string
	ex.do(func() {
		for _, b := range []string{BackendNFT, BackendLegacy} {
			if _, err := exec.LookPath("iptables-" + b); err == nil {
				out = append(out, b)
			}
		}
	})
	return out
}

// executorDataplane runs a Netfilter's calls through an executor.
type executorDataplane struct {
	ex executor
	nf *dataplane.Netfilter
	// legacy, when set (--clean-legacy-rules), runs after every successful Apply until it has once succeeded.
	legacy *legacyCleaner
}

var (
	_ dataplane.DeltaApplier = executorDataplane{}
	_ dataplane.Prefiller    = executorDataplane{}
)

// Apply implements dataplane.Dataplane. With --clean-legacy-rules, a successful Apply is followed by the removal
// of the old EdgeWatcher agent's rules, until that has once succeeded; its failure never fails the Apply.
func (e executorDataplane) Apply(ctx context.Context, rules []forwarding.Rule) error {
	var err error
	e.ex.do(func() { err = e.nf.Apply(ctx, rules) })
	if err == nil && e.legacy != nil {
		e.legacy.afterApply(ctx, rules)
	}
	return err
}

// Prefill implements dataplane.Prefiller: its `ipset restore` starts on the executor's thread, so it fills the
// sets of the same network namespace as Apply.
func (e executorDataplane) Prefill(ctx context.Context, candidates []forwarding.Rule) error {
	var err error
	e.ex.do(func() { err = e.nf.Prefill(ctx, candidates) })
	return err
}

// ApplyDelta implements dataplane.DeltaApplier.
func (e executorDataplane) ApplyDelta(ctx context.Context, added, removed []forwarding.Rule) error {
	var err error
	e.ex.do(func() { err = e.nf.ApplyDelta(ctx, added, removed) })
	return err
}

// Verify implements dataplane.DeltaApplier.
func (e executorDataplane) Verify(ctx context.Context) error {
	var err error
	e.ex.do(func() { err = e.nf.Verify(ctx) })
	return err
}

// Cleanup implements dataplane.Dataplane.
func (e executorDataplane) Cleanup(ctx context.Context) error {
	var err error
	e.ex.do(func() { err = e.nf.Cleanup(ctx) })
	return err
}

// LastStats returns what the last Apply did.
func (e executorDataplane) LastStats() dataplane.Stats { return e.nf.LastStats() }
