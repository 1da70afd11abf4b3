package dataplane

import (
	"context"
	"net/netip"
	"slices"
	"sync"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// Fake is an in-memory Dataplane for unit tests of the control loop. It validates rules as Netfilter does.
type Fake struct {
	mu       sync.Mutex
	rules    map[netip.AddrPort]forwarding.Rule
	applies  int
	cleanups int
	deltas   int
	verifies int
	err      error
}

var _ Dataplane = &Fake{}

// NewFake returns an empty Fake.
func NewFake() *Fake { return &Fake{} }

// Apply implements Dataplane: it records rules, unless an error is injected.
func (f *Fake) Apply(_ context.Context, rules []forwarding.Rule) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if _, err := plan(rules); err != nil {
		return err
	}
	f.rules = make(map[netip.AddrPort]forwarding.Rule, len(rules))
	for _, r := range rules {
		f.rules[r.Destination] = r
	}
	f.applies++
	return nil
}

// Cleanup implements Dataplane: it forgets every rule, unless an error is injected.
func (f *Fake) Cleanup(context.Context) error {
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
func (f *Fake) Rules() []forwarding.Rule {
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
func (f *Fake) Applies() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applies
}

// Cleanups returns how many Cleanup calls succeeded.
func (f *Fake) Cleanups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cleanups
}

// SetError makes every later call fail with err until it is called again with nil.
func (f *Fake) SetError(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

var _ DeltaApplier = &Fake{}

// ApplyDelta implements DeltaApplier: before a successful Apply it returns ErrFullApplyRequired, as Netfilter does.
func (f *Fake) ApplyDelta(_ context.Context, added, removed []forwarding.Rule) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.applies == 0 {
		return ErrFullApplyRequired
	}
	for _, rules := range [][]forwarding.Rule{added, removed} {
		if _, err := plan(rules); err != nil {
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
func (f *Fake) Deltas() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.deltas
}

// Verify implements DeltaApplier: before a successful Apply it returns ErrFullApplyRequired.
func (f *Fake) Verify(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.applies == 0 {
		return ErrFullApplyRequired
	}
	f.verifies++
	return nil
}

// Verifies returns how many Verify calls succeeded.
func (f *Fake) Verifies() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.verifies
}
