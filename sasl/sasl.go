// Package sasl defines the interfaces through which a kafka.Dialer
// authenticates a connection with SASL, the same as kafka-go's package sasl,
// so that mechanisms written for kafka-go (PLAIN, SCRAM, OAUTHBEARER, AWS
// MSK IAM, ...) plug in unchanged.
//
// The Dialer runs the exchange after negotiating API versions: a
// SaslHandshake (v1) request naming Mechanism.Name, then SaslAuthenticate
// requests carrying the tokens of the StateMachine until it reports done.
package sasl

import "context"

// Mechanism is one SASL mechanism. It must be reusable and safe for
// concurrent use: a Dialer calls Start once per connection, possibly from
// several goroutines at a time.
type Mechanism interface {
	// Name returns the mechanism's name as the broker knows it
	// ("PLAIN", "SCRAM-SHA-512", ...); it is sent in the SaslHandshake.
	Name() string

	// Start begins an authentication. It returns the state machine of this
	// exchange and the initial response to send. A nil ir means the
	// mechanism has no initial response, which is different from an empty
	// one: an empty ir is sent as an empty token. A non-nil error aborts the
	// authentication. The Dialer only reads ir during the call that sends it.
	Start(ctx context.Context) (sess StateMachine, ir []byte, err error)
}

// StateMachine is the challenge/response flow of one authentication. It is
// made per connection by Mechanism.Start and used by one goroutine.
//
// The Dialer sends the initial response, passes the broker's answer to Next
// and sends what Next returns, until Next reports done or fails.
type StateMachine interface {
	// Next consumes the broker's challenge and returns the response to send.
	// done reports that authentication has succeeded (response is then
	// ignored); a non-nil error aborts it. The challenge is the
	// StateMachine's to keep.
	Next(ctx context.Context, challenge []byte) (done bool, response []byte, err error)
}

// Metadata describes the connection being authenticated, for mechanisms
// that sign the broker's address (AWS MSK IAM, for one).
type Metadata struct {
	// Host is the broker's host name or address, as dialed.
	Host string
	// Port is the broker's port.
	Port int
}

type ctxKey struct{}

// WithMetadata returns a copy of ctx that carries m; the Dialer passes such
// a context to Start and Next.
func WithMetadata(ctx context.Context, m *Metadata) context.Context {
	return context.WithValue(ctx, ctxKey{}, m)
}

// MetadataFromContext returns the Metadata that ctx carries, or nil.
func MetadataFromContext(ctx context.Context) *Metadata {
	m, _ := ctx.Value(ctxKey{}).(*Metadata)
	return m
}
