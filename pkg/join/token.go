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
