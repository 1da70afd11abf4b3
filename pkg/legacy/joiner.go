package legacy

import (
	"context"

	"k8s.io/apiserver/pkg/authentication/user"
)

// Request is one console join request.
type Request struct {
	// NodeName is the node_name query value.
	NodeName string
	// NodeIP is the node_ip query value.
	NodeIP string
	// DefaultTaint is nil when add_default_taint is absent (the console's per-field validator calls),
	// else the parsed bool. Absent means "check only": the Joiner must not reserve.
	DefaultTaint *bool
	// User is the authenticated caller; it may be nil with --legacy-auth=none.
	User user.Info
}

// Joiner validates, reserves (unless DefaultTaint is nil) and renders the one-line console command.
//
// Errors are *join.FieldError (name or IP invalid or in use) and *join.Unavailable (a dependency
// is missing or not ready); anything else is an internal error. The Joiner owns the order of the
// checks: name syntax, IP syntax, name in use, IP in use, then configuration.
type Joiner interface {
	Join(ctx context.Context, req Request) (command string, err error)
}

// JoinerFunc adapts a function to the Joiner interface.
type JoinerFunc func(ctx context.Context, req Request) (string, error)

// Join implements Joiner.
func (f JoinerFunc) Join(ctx context.Context, req Request) (string, error) { return f(ctx, req) }

var _ Joiner = JoinerFunc(nil)
