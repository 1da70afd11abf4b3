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
	"context"
	"net/netip"
	"slices"
	"sync"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// FakeDataplane is an in-memory dataplane.DeltaApplier for unit tests of the control loop. It validates rules
// as Netfilter does.
type FakeDataplane struct {
	mu       sync.Mutex
	rules    map[netip.AddrPort]forwarding.Rule
	applies  int
	cleanups int
	deltas   int
	verifies int
	err      error
}

var _ dataplane.DeltaApplier = &FakeDataplane{}

// NewFakeDataplane returns an empty FakeDataplane.
func NewFakeDataplane() *FakeDataplane { return &FakeDataplane{} }

// Apply implements dataplane.Dataplane: it records rules, unless an error is injected.
func (f *FakeDataplane) Apply(_ context.Context, rules []forwarding.Rule) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if err := dataplane.Validate(rules); err != nil {
		return err
	}
	f.rules = make(map[netip.AddrPort]forwarding.Rule, len(rules))
	for _, r := range rules {
		f.rules[r.Destination] = r
	}
	f.applies++
	return nil
}

// Cleanup implements dataplane.Dataplane: it forgets every rule, unless an error is injected.
func (f *FakeDataplane) Cleanup(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.rules = nil
	f.cleanups++
	return nil
}

// Rules returns the programmed rules, sorted by destination.
func (f *FakeDataplane) Rules() []forwarding.Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]forwarding.Rule, 0, len(f.rules))
	for _, r := range f.rules {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b forwarding.Rule) int { return a.Destination.Compare(b.Destination) })
	return out
}

// Applies returns how many Apply calls succeeded.
func (f *FakeDataplane) Applies() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applies
}

// Cleanups returns how many Cleanup calls succeeded.
func (f *FakeDataplane) Cleanups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cleanups
}

// SetError makes every later call fail with err until it is called again with nil.
func (f *FakeDataplane) SetError(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// ApplyDelta implements dataplane.DeltaApplier: before a successful Apply it returns
// dataplane.ErrFullApplyRequired, as Netfilter does.
func (f *FakeDataplane) ApplyDelta(_ context.Context, added, removed []forwarding.Rule) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.applies == 0 {
		return dataplane.ErrFullApplyRequired
	}
	for _, rules := range [][]forwarding.Rule{added, removed} {
		if err := dataplane.Validate(rules); err != nil {
			return err
		}
	}
	for _, r := range added {
		f.rules[r.Destination] = r
	}
	for _, r := range removed {
		if got, ok := f.rules[r.Destination]; ok && got.Target == r.Target && !slices.Contains(added, got) {
			delete(f.rules, r.Destination)
		}
	}
	f.deltas++
	return nil
}

// Deltas returns how many ApplyDelta calls succeeded.
func (f *FakeDataplane) Deltas() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.deltas
}

// Verify implements dataplane.DeltaApplier: before a successful Apply it returns dataplane.ErrFullApplyRequired.
func (f *FakeDataplane) Verify(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.applies == 0 {
		return dataplane.ErrFullApplyRequired
	}
	f.verifies++
	return nil
}

// Verifies returns how many Verify calls succeeded.
func (f *FakeDataplane) Verifies() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.verifies
}
