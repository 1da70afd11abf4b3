package dataplane

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

func TestFake(t *testing.T) {
	ctx := context.Background()
	a, b := rule("a", "10.1.0.1:10351", "10.0.0.2:10003"), rule("b", "10.1.0.2:10351", "10.0.0.2:10003")
	boom := errors.New("boom")
	tests := []struct {
		name      string
		step      func(f *Fake) error
		wantErr   error
		wantRules []forwarding.Rule
	}{
		{"apply sorts and deduplicates", func(f *Fake) error { return f.Apply(ctx, []forwarding.Rule{b, a, a}) }, nil, []forwarding.Rule{a, b}},
		{"invalid rules are refused and kept out", func(f *Fake) error {
			return f.Apply(ctx, []forwarding.Rule{a, rule("x", "10.1.0.1:10351", "10.0.0.3:10003")})
		}, nil, []forwarding.Rule{a, b}},
		{"injected error", func(f *Fake) error { f.SetError(boom); return f.Apply(ctx, []forwarding.Rule{a}) }, boom, []forwarding.Rule{a, b}},
		{"cleanup", func(f *Fake) error { f.SetError(nil); return f.Cleanup(ctx) }, nil, nil},
	}
	f := NewFake()
	var _ Dataplane = f
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
