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

package join

import (
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
)

// Token sources.
const (
	TokenFromSecret = "tokensecret"
	TokenMinted     = "minted"
)

// Token is a join token with its expiry and where it came from.
type Token struct {
	// Value is "<CA hash>.<JWT>".
	Value string
	// ExpiresAt is the JWT's exp.
	ExpiresAt time.Time
	// Source is TokenFromSecret or TokenMinted.
	Source string
}

// Token returns cloudcore's current token from kubeedge/tokensecret, refusing one that is
// missing, malformed, expired or about to expire; or, with minting enabled, a fresh token
// signed with kubeedge/casecret for ttl (nil means the default), clamped to the maximum.
func (s *Service) Token(ttl *time.Duration) (*Token, error) {
	now := s.now()
	if s.Tokens.Mint {
		var requested time.Duration
		if ttl != nil {
			requested = *ttl
		}
		d := jointoken.ClampTTL(requested, s.Tokens.MaxTTL, s.Tokens.DefaultTTL)
		value, exp, err := jointoken.MintFromSecret(s.State.CASecret(), d, now)
		if err != nil {
			return nil, &Unavailable{Source: "secret " + jointoken.Namespace + "/" + jointoken.CASecretName, Err: err}
		}
		return &Token{Value: value, ExpiresAt: exp, Source: TokenMinted}, nil
	}
	t, err := jointoken.FromSecret(s.State.TokenSecret(), now, jointoken.WithMinValidity(s.Tokens.MinValidity))
	if err != nil {
		return nil, &Unavailable{Source: "secret " + jointoken.Namespace + "/" + jointoken.TokenSecretName, Err: err}
	}
	return &Token{Value: t.Value(), ExpiresAt: t.ExpiresAt, Source: TokenFromSecret}, nil
}
