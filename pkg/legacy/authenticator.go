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
