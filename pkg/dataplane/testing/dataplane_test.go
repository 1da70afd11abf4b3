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
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// rule builds a rule from strings.
func rule(node, dst, target string) forwarding.Rule {
	return forwarding.Rule{Node: node, Destination: netip.MustParseAddrPort(dst), Target: netip.MustParseAddrPort(target)}
}

func TestFakeDataplane(t *testing.T) {
	ctx := context.Background()
	a, b := rule("a", "10.1.0.1:10351", "10.0.0.2:10003"), rule("b", "10.1.0.2:10351", "10.0.0.2:10003")
	boom := errors.New("boom")
	tests := []struct {
		name      string
		step      func(f *FakeDataplane) error
		wantErr   error
		wantRules []forwarding.Rule
	}{
		{"apply sorts and deduplicates", func(f *FakeDataplane) error { return f.Apply(ctx, []forwarding.Rule{b, a, a}) }, nil, []forwarding.Rule{a, b}},
		{"invalid rules are refused and kept out", func(f *FakeDataplane) error {
			return f.Apply(ctx, []forwarding.Rule{a, rule("x", "10.1.0.1:10351", "10.0.0.3:10003")})
		}, nil, []forwarding.Rule{a, b}},
		{"injected error", func(f *FakeDataplane) error { f.SetError(boom); return f.Apply(ctx, []forwarding.Rule{a}) }, boom, []forwarding.Rule{a, b}},
		{"cleanup", func(f *FakeDataplane) error { f.SetError(nil); return f.Cleanup(ctx) }, nil, nil},
	}
	f := NewFakeDataplane()
	for _, tt := range tests {
		err := tt.step(f)
		if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.wantErr)
		}
		if got := f.Rules(); !slices.Equal(got, tt.wantRules) {
			t.Errorf("%s: rules %v, want %v", tt.name, got, tt.wantRules)
		}
	}
	if f.Applies() != 1 || f.Cleanups() != 1 {
		t.Errorf("Applies %d Cleanups %d, want 1 and 1", f.Applies(), f.Cleanups())
	}
}

// TestFakeDataplaneApplyDelta checks the delta semantics the syncer's unit tests rely on.
func TestFakeDataplaneApplyDelta(t *testing.T) {
	f := NewFakeDataplane()
	e1 := rule("e1", "10.1.0.1:10351", "10.0.0.2:10003")
	if err := f.ApplyDelta(context.Background(), []forwarding.Rule{e1}, nil); !errors.Is(err, dataplane.ErrFullApplyRequired) {
		t.Fatalf("before Apply: %v", err)
	}
	if err := f.Apply(context.Background(), []forwarding.Rule{e1}); err != nil {
		t.Fatal(err)
	}
	moved := rule("e1", "10.1.0.1:10351", "10.0.0.3:10003")
	if err := f.ApplyDelta(context.Background(), []forwarding.Rule{moved}, []forwarding.Rule{e1}); err != nil {
		t.Fatal(err)
	}
	if got := f.Rules(); !slices.Equal(got, []forwarding.Rule{moved}) || f.Deltas() != 1 {
		t.Fatalf("rules %v after %d deltas", got, f.Deltas())
	}
}
