package legacy

import (
	"k8s.io/apiserver/pkg/authentication/authenticator"
)

// Authenticator returns the authenticator the listener's mode uses: delegated (the server's own,
// TokenReview against kube-apiserver) for AuthDelegated, the token webhook for AuthWebhook, the
// trusted-proxy header check for AuthProxyHeaders, and nil for AuthNone. Call it after Validate.
func (o *Options) Authenticator(delegated authenticator.Request) (authenticator.Request, error) {
	switch o.Auth {
	case AuthNone:
		return nil, nil
	case AuthWebhook:
		return NewTokenWebhookAuthenticator(o.TokenWebhookConfigFile, o.TokenWebhookVersion, o.TokenWebhookCacheTTL)
	case AuthProxyHeaders:
		trusted, err := parseCIDRs(o.TrustedProxyCIDRs)
		if err != nil {
			return nil, err
		}
		return NewProxyHeaderAuthenticator(trusted)
	default:
		return delegated, nil
	}
}
