package legacy

import (
	"fmt"
	"net"
	"strconv"

	"github.com/spf13/pflag"
)

// AuthMode selects how the plain-HTTP legacy listener protects the route.
type AuthMode string

// Auth modes of the plain-HTTP legacy listener.
const (
	// AuthDelegated authenticates the forwarded bearer token and authorizes the caller with the
	// delegated authenticator and authorizer (TokenReview and SubjectAccessReview).
	AuthDelegated AuthMode = "delegated"
	// AuthNone serves everyone, like the original EdgeWatcher; for trusted networks only.
	AuthNone AuthMode = "none"
)

var _ pflag.Value = new(AuthMode)

// String implements pflag.Value.
func (m *AuthMode) String() string { return string(*m) }

// Set implements pflag.Value; it accepts only the known modes.
func (m *AuthMode) Set(s string) error {
	switch AuthMode(s) {
	case AuthDelegated, AuthNone:
		*m = AuthMode(s)
		return nil
	}
	return fmt.Errorf("unknown auth mode %q: want %q or %q", s, AuthDelegated, AuthNone)
}

// Type implements pflag.Value.
func (m *AuthMode) Type() string { return "string" }

// Options are the flags of the legacy listener.
type Options struct {
	// ListenAddress is the host:port of the plain-HTTP listener; empty (the default) disables it.
	ListenAddress string
	// Auth selects how the listener protects the route; the default is AuthDelegated.
	Auth AuthMode
}

// NewOptions returns the default options: listener off, delegated auth.
func NewOptions() *Options {
	return &Options{Auth: AuthDelegated}
}

// AddFlags adds --legacy-listen-address and --legacy-auth to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.ListenAddress, "legacy-listen-address", o.ListenAddress,
		"host:port of the plain-HTTP listener that serves the KubeSphere console's legacy join route "+
			"(GET /api/v1alpha1/nodes/join) to ks-apiserver's proxy, for example \":8081\". Empty disables it.")
	fs.Var(&o.Auth, "legacy-auth",
		"How the plain-HTTP legacy listener protects the join route: \"delegated\" authenticates the forwarded "+
			"bearer token (TokenReview) and authorizes create on edgenodes/joincommand (SubjectAccessReview); "+
			"\"none\" serves everyone and is for trusted networks only.")
}

// Validate checks the options and returns every problem found.
func (o *Options) Validate() []error {
	if o == nil {
		return nil
	}
	var errs []error
	switch o.Auth {
	case AuthDelegated, AuthNone:
	default:
		errs = append(errs, fmt.Errorf("--legacy-auth: unknown mode %q: want %q or %q", o.Auth, AuthDelegated, AuthNone))
	}
	if o.ListenAddress != "" {
		if err := validateListenAddress(o.ListenAddress); err != nil {
			errs = append(errs, fmt.Errorf("--legacy-listen-address: %w", err))
		}
	}
	return errs
}

// validateListenAddress accepts host:port with a numeric port; the host may be empty.
func validateListenAddress(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}
