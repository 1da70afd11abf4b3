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

package legacy

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	authenticationv1 "k8s.io/api/authentication/v1"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
)

// AuthMode selects how the plain-HTTP legacy listener protects the route.
type AuthMode string

// Auth modes of the plain-HTTP legacy listener.
const (
	// AuthDelegated authenticates the forwarded bearer token and authorizes the caller with the
	// delegated authenticator and authorizer (TokenReview and SubjectAccessReview).
	AuthDelegated AuthMode = "delegated"
	// AuthWebhook authenticates the forwarded bearer token with a TokenReview webhook of its own,
	// such as ks-apiserver's POST /oauth/authenticate, and authorizes with SubjectAccessReview.
	AuthWebhook AuthMode = "webhook"
	// AuthProxyHeaders trusts X-Remote-User and X-Remote-Group from the trusted proxy networks (the
	// identity ks-apiserver 4.1 adds) and authorizes that identity with SubjectAccessReview.
	AuthProxyHeaders AuthMode = "proxy-headers"
	// AuthNone serves everyone, like the original EdgeWatcher; for trusted networks only.
	AuthNone AuthMode = "none"
)

// authModes are the known modes, in the order the help text lists them.
var authModes = []AuthMode{AuthDelegated, AuthWebhook, AuthProxyHeaders, AuthNone}

// known reports whether m is one of authModes.
func (m AuthMode) known() bool {
	for _, k := range authModes {
		if m == k {
			return true
		}
	}
	return false
}

// unknownModeError says which modes exist.
func unknownModeError(m AuthMode) error {
	quoted := make([]string, len(authModes))
	for i, k := range authModes {
		quoted[i] = strconv.Quote(string(k))
	}
	return fmt.Errorf("unknown auth mode %q: want one of %s", m, strings.Join(quoted, ", "))
}

var _ pflag.Value = new(AuthMode)

// String implements pflag.Value.
func (m *AuthMode) String() string { return string(*m) }

// Set implements pflag.Value; it accepts only the known modes.
func (m *AuthMode) Set(s string) error {
	if !AuthMode(s).known() {
		return unknownModeError(AuthMode(s))
	}
	*m = AuthMode(s)
	return nil
}

// Type implements pflag.Value.
func (m *AuthMode) Type() string { return "string" }

// Defaults of the token webhook flags.
const (
	// DefaultTokenWebhookVersion is the TokenReview version sent to the webhook. ks-apiserver
	// answers in the version it was sent (kubesphere/kubesphere@v3.4.1: pkg/kapis/oauth/handler.go).
	DefaultTokenWebhookVersion = "v1"
	// DefaultTokenWebhookCacheTTL matches the delegated authenticator's TokenReview cache.
	DefaultTokenWebhookCacheTTL = 10 * time.Second
)

// Options are the flags of the legacy listener.
type Options struct {
	// ListenAddress is the host:port of the plain-HTTP listener; empty (the default) disables it.
	ListenAddress string
	// Auth selects how the listener protects the route; the default is AuthDelegated.
	Auth AuthMode
	// TokenWebhookConfigFile locates the TokenReview webhook of AuthWebhook, in kubeconfig format
	// (as kube-apiserver's --authentication-token-webhook-config-file).
	TokenWebhookConfigFile string
	// TokenWebhookVersion is the authentication.k8s.io version of the TokenReviews sent: v1 or v1beta1.
	TokenWebhookVersion string
	// TokenWebhookCacheTTL is how long the webhook's answers are cached; zero disables the cache.
	TokenWebhookCacheTTL time.Duration
	// TrustedProxyCIDRs are the source networks whose X-Remote-User and X-Remote-Group headers
	// AuthProxyHeaders trusts.
	TrustedProxyCIDRs []string
}

// NewOptions returns the default options: listener off, delegated auth.
func NewOptions() *Options {
	return &Options{
		Auth:                 AuthDelegated,
		TokenWebhookVersion:  DefaultTokenWebhookVersion,
		TokenWebhookCacheTTL: DefaultTokenWebhookCacheTTL,
	}
}

// AddFlags adds the --legacy-* flags of the listener to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.ListenAddress, "legacy-listen-address", o.ListenAddress,
		"host:port of the plain-HTTP listener that serves the KubeSphere console's legacy join route "+
			"(GET /api/v1alpha1/nodes/join) to ks-apiserver's proxy, for example \":8081\". Empty disables it.")
	fs.Var(&o.Auth, "legacy-auth",
		"How the plain-HTTP legacy listener authenticates the console user; every mode but \"none\" then authorizes "+
			"create on edgenodes/joincommand for that user with a SubjectAccessReview. "+
			"\"delegated\": the forwarded bearer token, with a TokenReview to kube-apiserver (only if kube-apiserver trusts "+
			"KubeSphere's tokens, through its token webhook or OIDC). "+
			"\"webhook\": the forwarded bearer token, with a TokenReview to the webhook of --legacy-token-webhook-config-file, "+
			"KubeSphere's own at ks-apiserver's POST /oauth/authenticate (KubeSphere 3.1 to 4.1). "+
			"\"proxy-headers\": X-Remote-User and X-Remote-Group as ks-apiserver 4.1's extension proxy sets them, trusted only "+
			"from --legacy-trusted-proxy-cidrs, and only safe when nothing but ks-apiserver can reach the listener (NetworkPolicy). "+
			"\"none\": serves everyone, for trusted networks only. "+
			"Outside \"proxy-headers\", X-Remote-* headers are stripped and never trusted.")
	fs.StringVar(&o.TokenWebhookConfigFile, "legacy-token-webhook-config-file", o.TokenWebhookConfigFile,
		"File in kubeconfig format that locates the TokenReview webhook of --legacy-auth=webhook, as kube-apiserver's "+
			"--authentication-token-webhook-config-file: clusters[].cluster.server is the full URL, for KubeSphere "+
			"http://ks-apiserver.kubesphere-system.svc/oauth/authenticate, plus certificate-authority-data for https; "+
			"the user entry may stay empty, ks-apiserver needs no credentials there. Required with --legacy-auth=webhook.")
	fs.StringVar(&o.TokenWebhookVersion, "legacy-token-webhook-version", o.TokenWebhookVersion,
		"authentication.k8s.io version of the TokenReviews sent to the webhook: v1 or v1beta1. ks-apiserver accepts both.")
	fs.DurationVar(&o.TokenWebhookCacheTTL, "legacy-token-webhook-cache-ttl", o.TokenWebhookCacheTTL,
		"How long the webhook's answers are cached; 0 asks the webhook on every request. A token revoked in "+
			"KubeSphere (logout) keeps working here for up to this long.")
	fs.StringSliceVar(&o.TrustedProxyCIDRs, "legacy-trusted-proxy-cidrs", o.TrustedProxyCIDRs,
		"Source networks (CIDRs, comma-separated or repeated) whose X-Remote-User and X-Remote-Group headers "+
			"--legacy-auth=proxy-headers trusts: ks-apiserver's pod addresses. Required with, and only allowed with, "+
			"that mode. The headers carry no proof, so also let only ks-apiserver reach the listener (NetworkPolicy).")
}

// Validate checks the options and returns every problem found; a webhook config file is read and parsed.
func (o *Options) Validate() []error {
	if o == nil {
		return nil
	}
	var errs []error
	if !o.Auth.known() {
		errs = append(errs, fmt.Errorf("--legacy-auth: %w", unknownModeError(o.Auth)))
	}
	if o.ListenAddress != "" {
		if err := validateListenAddress(o.ListenAddress); err != nil {
			errs = append(errs, fmt.Errorf("--legacy-listen-address: %w", err))
		}
	}
	errs = append(errs, o.validateWebhook()...)
	errs = append(errs, o.validateProxyHeaders()...)
	return errs
}

// validateWebhook checks the --legacy-token-webhook-* flags against the mode.
func (o *Options) validateWebhook() []error {
	var errs []error
	switch {
	case o.Auth == AuthWebhook && o.TokenWebhookConfigFile == "":
		errs = append(errs, errors.New("--legacy-auth=webhook needs --legacy-token-webhook-config-file, a kubeconfig-format "+
			"file whose server is the TokenReview webhook (KubeSphere: http://ks-apiserver.kubesphere-system.svc/oauth/authenticate)"))
	case o.Auth == AuthWebhook:
		if _, err := loadTokenWebhookConfig(o.TokenWebhookConfigFile); err != nil {
			errs = append(errs, fmt.Errorf("--legacy-token-webhook-config-file: %w", err))
		}
	case o.TokenWebhookConfigFile != "":
		errs = append(errs, fmt.Errorf("--legacy-token-webhook-config-file is only used with --legacy-auth=webhook, not %q", o.Auth))
	}
	switch o.TokenWebhookVersion {
	case authenticationv1.SchemeGroupVersion.Version, authenticationv1beta1.SchemeGroupVersion.Version:
	default:
		errs = append(errs, fmt.Errorf("--legacy-token-webhook-version %q: want v1 or v1beta1", o.TokenWebhookVersion))
	}
	if o.TokenWebhookCacheTTL < 0 {
		errs = append(errs, fmt.Errorf("--legacy-token-webhook-cache-ttl %s: must not be negative", o.TokenWebhookCacheTTL))
	}
	return errs
}

// validateProxyHeaders checks --legacy-trusted-proxy-cidrs against the mode.
func (o *Options) validateProxyHeaders() []error {
	switch {
	case o.Auth == AuthProxyHeaders && len(o.TrustedProxyCIDRs) == 0:
		return []error{errors.New("--legacy-auth=proxy-headers needs --legacy-trusted-proxy-cidrs, the networks of " +
			"ks-apiserver's pods; headers from anywhere else are ignored")}
	case o.Auth != AuthProxyHeaders && len(o.TrustedProxyCIDRs) > 0:
		return []error{fmt.Errorf("--legacy-trusted-proxy-cidrs is only used with --legacy-auth=proxy-headers, not %q", o.Auth)}
	}
	if _, err := parseCIDRs(o.TrustedProxyCIDRs); err != nil {
		return []error{fmt.Errorf("--legacy-trusted-proxy-cidrs: %w", err)}
	}
	return nil
}

// parseCIDRs parses networks such as 10.233.64.0/18 or fd00::/8.
func parseCIDRs(cidrs []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(cidrs))
	for _, s := range cidrs {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.233.64.0/18: %w", s, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
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
