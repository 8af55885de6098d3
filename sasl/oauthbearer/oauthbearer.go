// Package oauthbearer is the SASL OAUTHBEARER mechanism (RFC 7628, KIP-255)
// for brokers that take OAuth 2 bearer tokens:
//
//	mech := oauthbearer.Mechanism{TokenSource: oauthbearer.TokenSourceFunc(
//		func(ctx context.Context) (string, error) { return fetchToken(ctx) })}
//	dialer := &kafka.Dialer{SASLMechanism: mech, TLS: &tls.Config{}}
//
// The token source is called for every authentication: each new
// connection, and each re-authentication of a long-lived one (KIP-368),
// which a broker asks for before the token it was given expires. So a
// source that refreshes its token before it expires keeps connections
// alive. A bearer token is a credential: send it over TLS only.
package oauthbearer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/zeroalloc/kafka/sasl"
)

// TokenSource returns the bearer token for one authentication.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenSourceFunc makes a function a TokenSource.
type TokenSourceFunc func(ctx context.Context) (string, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// Mechanism authenticates with the tokens of TokenSource. Formatting it
// with fmt (any verb) shows the extensions' keys only, never a token.
type Mechanism struct {
	// TokenSource is called for each authentication (see the package
	// comment).
	TokenSource TokenSource
	// Extensions are sent with every authentication (SASL extensions,
	// KIP-342), for brokers that want more than the token, such as a
	// logical cluster or identity pool. Keys are letters only and "auth"
	// is reserved; values are printable ASCII.
	Extensions map[string]string
}

// Name returns "OAUTHBEARER".
func (Mechanism) Name() string { return "OAUTHBEARER" }

// ErrNoTokenSource is returned by Start when TokenSource is nil.
var ErrNoTokenSource = errors.New("oauthbearer: no TokenSource")

// Start asks the token source for a token and returns the client's one
// message: the token and the extensions.
func (m Mechanism) Start(ctx context.Context) (sasl.StateMachine, []byte, error) {
	if m.TokenSource == nil {
		return nil, nil, ErrNoTokenSource
	}
	if err := checkExtensions(m.Extensions); err != nil {
		return nil, nil, err
	}
	token, err := m.TokenSource.Token(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("oauthbearer: the token source failed: %w", err)
	}
	if token == "" || strings.ContainsAny(token, "\x01 ") {
		return nil, nil, errors.New("oauthbearer: the token source returned an empty token or one with spaces or control characters")
	}
	const sep = "\x01"
	msg := make([]byte, 0, 64+len(token))
	msg = append(msg, "n,,"+sep+"auth=Bearer "...)
	msg = append(msg, token...)
	msg = append(msg, sep...)
	for _, k := range slices.Sorted(maps.Keys(m.Extensions)) {
		msg = append(msg, k...)
		msg = append(msg, '=')
		msg = append(msg, m.Extensions[k]...)
		msg = append(msg, sep...)
	}
	msg = append(msg, sep...)
	return &session{}, msg, nil
}

// checkExtensions applies Kafka's rules for extension keys and values, so
// that a bad one fails here with a clear error rather than at the broker.
func checkExtensions(ext map[string]string) error {
	for k, v := range ext {
		if k == "" || k == "auth" || strings.IndexFunc(k, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) >= 0 {
			return fmt.Errorf("oauthbearer: extension key %q: want letters only, and not \"auth\"", k)
		}
		if v == "" || strings.IndexFunc(v, func(r rune) bool { return !(r >= 0x21 && r <= 0x7e || r == ' ' || r == '\t' || r == '\r' || r == '\n') }) >= 0 {
			return fmt.Errorf("oauthbearer: extension %q: the value must be printable ASCII, not empty", k)
		}
	}
	return nil
}

// session waits for the broker's answer to the client's message: nothing
// on success; on failure a JSON error (RFC 7628, 3.2.2), which the client
// acknowledges with a lone separator so the broker ends the exchange with
// its error.
type session struct{ failed bool }

func (s *session) Next(ctx context.Context, challenge []byte) (bool, []byte, error) {
	if len(challenge) == 0 {
		return true, nil, nil
	}
	if s.failed {
		return false, nil, fmt.Errorf("oauthbearer: the broker refused the token: %.200q", challenge)
	}
	s.failed = true
	return false, []byte{1}, nil
}

// Format prints the mechanism's extension keys, never a token.
func (m Mechanism) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "OAUTHBEARER(extensions %q)", slices.Sorted(maps.Keys(m.Extensions)))
}

// UnsecuredJWT returns an unsigned JWT ("alg": "none") naming subject and
// expiring after lifetime, such as Kafka brokers accept with their
// unsecured validator (OAuthBearerUnsecuredValidatorCallbackHandler): for
// tests and development only, as anyone can make one for any subject.
func UnsecuredJWT(subject string, lifetime time.Duration) string {
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{
		"sub": subject,
		"iat": now.Unix(),
		"exp": now.Add(lifetime).Unix(),
	})
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString(claims) + "."
}
