// Package plain is the SASL PLAIN mechanism (RFC 4616), with kafka-go's API:
//
//	dialer := &kafka.Dialer{SASLMechanism: plain.Mechanism{Username: "alice", Password: "secret"}}
//
// PLAIN sends the password as it is: use it over TLS only (a SASL_SSL
// listener), or the password travels in clear text.
package plain

import (
	"context"
	"fmt"

	"github.com/zeroalloc/kafka/sasl"
)

// Mechanism authenticates with a user name and password. Formatting it
// with fmt (%v, %+v, %#v, or any verb) never shows the password.
type Mechanism struct {
	Username string
	Password string
}

// Name returns "PLAIN".
func (Mechanism) Name() string { return "PLAIN" }

// Start returns the whole exchange's one message: no authorization
// identity, the user name and the password, NUL-separated. The message is
// made anew for each call, and the Dialer does not keep it.
func (m Mechanism) Start(ctx context.Context) (sasl.StateMachine, []byte, error) {
	ir := make([]byte, 0, 2+len(m.Username)+len(m.Password))
	ir = append(ir, 0)
	ir = append(ir, m.Username...)
	ir = append(ir, 0)
	ir = append(ir, m.Password...)
	return m, ir, nil
}

// Next ends the exchange: a broker that refuses the credentials answers
// the initial message with an error, which the Dialer returns.
func (m Mechanism) Next(ctx context.Context, challenge []byte) (bool, []byte, error) {
	return true, nil, nil
}

// Format prints m without its password, for every verb.
func (m Mechanism) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "plain.Mechanism{Username:%q, Password:%q}", m.Username, redacted)
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{Username:%s Password:%s}", m.Username, redacted)
	default:
		fmt.Fprintf(f, "{%s %s}", m.Username, redacted)
	}
}

// redacted stands for the password in formatted output.
const redacted = "[redacted]"
