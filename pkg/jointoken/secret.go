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

package jointoken

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Option adjusts how FromSecret judges a token.
type Option func(*options)

// options are the settings Option functions change.
type options struct {
	minValidity time.Duration
}

// WithMinValidity makes FromSecret report ErrExpiringSoon for a token that expires less than d after now, so a
// command is never handed out with a token about to lapse. The default is 0: only expired tokens are errors.
func WithMinValidity(d time.Duration) Option {
	return func(o *options) { o.minValidity = d }
}

// FromSecret reads and checks the join token cloudcore keeps in secret kubeedge/tokensecret under key tokendata.
//
// Surrounding whitespace, such as a trailing newline from `echo`, is trimmed. Every error names the secret and key
// and says what is wrong: nil secret, missing or empty key, malformed token, a token stored base64-encoded a second
// time (kubeedge/kubeedge#1733; detected and explained, never guessed), an nbf in the future, or an expired token
// (often cloudcore no longer refreshing it, kubeedge/kubeedge#5826).
//
// A token that is valid but expires within WithMinValidity is returned together with an error wrapping
// ErrExpiringSoon, so a caller may still serve it with a warning.
func FromSecret(secret *corev1.Secret, now time.Time, opts ...Option) (*Token, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	where := secretRef(secret, TokenSecretName)
	if secret == nil {
		return nil, fmt.Errorf("secret %s: %w; cloudcore creates it when it starts, is cloudcore installed and running?", where, ErrSecretMissing)
	}
	value, err := secretValue(secret, where, TokenDataKey)
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(string(value))
	tok, err := Parse(text)
	if err != nil {
		return nil, explainMalformed(text, where, err)
	}
	if !tok.NotBefore.IsZero() && now.Before(tok.NotBefore) {
		return nil, fmt.Errorf("secret %s key %s: %w: it becomes valid at %s", where, TokenDataKey, ErrNotYetValid, stamp(tok.NotBefore))
	}
	if tok.Expired(now) {
		return nil, fmt.Errorf("secret %s key %s: %w at %s (%s ago); cloudcore should refresh it every "+
			"tokenRefreshDuration hours, so it has probably stopped refreshing (kubeedge/kubeedge#5826: v1.18.0, v1.18.1 "+
			"and v1.19.0 never save refreshed tokens); restart cloudcore or upgrade it",
			where, TokenDataKey, ErrExpired, stamp(tok.ExpiresAt), now.Sub(tok.ExpiresAt).Round(time.Second))
	}
	if left := tok.Remaining(now); left < o.minValidity {
		return tok, fmt.Errorf("secret %s key %s: %w: it expires at %s, in %s, less than the required %s",
			where, TokenDataKey, ErrExpiringSoon, stamp(tok.ExpiresAt), left.Round(time.Second), o.minValidity)
	}
	return tok, nil
}

// secretRef returns namespace/name of secret for messages, defaulting to the kubeedge secret it should be.
func secretRef(secret *corev1.Secret, defaultName string) string {
	ns, name := Namespace, defaultName
	if secret != nil && secret.Name != "" {
		ns, name = secret.Namespace, secret.Name
	}
	return ns + "/" + name
}

// secretValue returns the non-empty value of key, from Data or, for objects built in memory that the API server
// has not normalised (fake clients), from StringData.
func secretValue(secret *corev1.Secret, where, key string) ([]byte, error) {
	value, ok := secret.Data[key]
	if !ok {
		if s, inString := secret.StringData[key]; inString {
			value, ok = []byte(s), true
		}
	}
	if !ok {
		keys := slices.Sorted(maps.Keys(secret.Data))
		return nil, fmt.Errorf("secret %s has no key %s (keys present: %s): %w", where, key, listOrNone(keys), ErrKeyMissing)
	}
	if len(strings.TrimSpace(string(value))) == 0 {
		return nil, fmt.Errorf("secret %s key %s is empty: %w", where, key, ErrKeyMissing)
	}
	return value, nil
}

// explainMalformed wraps a Parse error with the secret and key, and recognises two copy-and-paste mistakes: a
// token that was base64-encoded before being stored, and a token wrapped in quotes.
func explainMalformed(text, where string, err error) error {
	if isEncodedToken(text) {
		return fmt.Errorf("secret %s key %s holds the base64 encoding of a join token, not the token itself "+
			"(kubeedge/kubeedge#1733): %w; store the raw token (kubectl create secret --from-literal encodes it once, "+
			"so do not encode it yourself)", where, TokenDataKey, ErrDoubleEncoded)
	}
	if len(text) >= 2 && strings.ContainsRune(`"'`, rune(text[0])) && text[len(text)-1] == text[0] {
		return fmt.Errorf("secret %s key %s is wrapped in quotes; store the bare token: %w", where, TokenDataKey, err)
	}
	return fmt.Errorf("secret %s key %s: %w", where, TokenDataKey, err)
}

// isEncodedToken reports whether text is base64 (any alphabet, padded or not) of a well-formed join token. A real
// token contains dots, which no base64 alphabet has, so this never mistakes a token for its encoding.
func isEncodedToken(text string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil {
			if _, perr := Parse(strings.TrimSpace(string(b))); perr == nil {
				return true
			}
		}
	}
	return false
}

// listOrNone joins keys for a message.
func listOrNone(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

// stamp formats t for messages in UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
