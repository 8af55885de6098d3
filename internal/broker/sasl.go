package broker

import (
	"context"
	"errors"
	"strings"

	"github.com/zeroalloc/kafka/sasl"
	"github.com/zeroalloc/kafka/wire"
)

// ErrSaslHandshakeV0 means the broker only speaks SaslHandshake v0, whose
// tokens travel as raw frames without SaslAuthenticate (Kafka before 1.0);
// this client does not implement that form.
var ErrSaslHandshakeV0 = errors.New("kafka: the broker supports only SaslHandshake v0 (Kafka before 1.0), which this client does not speak")

// Authenticate runs a SASL exchange with mech on a negotiated Conn: a
// SaslHandshake v1 naming the mechanism, then SaslAuthenticate requests
// carrying the state machine's tokens until it reports done. A Kafka error
// in either answer is returned as a wire.Error (with the broker's message
// when it sent one); as after Exchange, a Conn that is not Usable after an
// error must be closed.
func (c *Conn) Authenticate(ctx context.Context, mech sasl.Mechanism) error {
	hv, err := c.Version(wire.KeySaslHandshake)
	if err != nil {
		return err
	}
	if hv < 1 {
		return ErrSaslHandshakeV0
	}
	av, err := c.Version(wire.KeySaslAuthenticate)
	if err != nil {
		return err
	}
	hreq := wire.SaslHandshakeRequest{Mechanism: mech.Name()}
	var hresp wire.SaslHandshakeResponse
	if err := c.Exchange(hv, &hreq, &hresp); err != nil {
		return err
	}
	if code := wire.Error(hresp.ErrorCode); code == wire.UnsupportedSaslMechanism {
		return &wire.ErrorWithMessage{
			Err: wire.Error(hresp.ErrorCode),
			Msg: "mechanism " + hreq.Mechanism + " refused; the broker enables [" + strings.Join(hresp.Mechanisms, " ") + "]",
		}
	} else if code != 0 {
		// A listener without SASL answers ILLEGAL_SASL_STATE.
		return code
	}
	sess, token, err := mech.Start(ctx)
	if err != nil {
		return err
	}
	var areq wire.SaslAuthenticateRequest
	var aresp wire.SaslAuthenticateResponse
	for {
		areq.AuthBytes = token
		if areq.AuthBytes == nil {
			areq.AuthBytes = []byte{}
		}
		if err := c.Exchange(av, &areq, &aresp); err != nil {
			return err
		}
		if err := wire.ErrorForCodeMessage(aresp.ErrorCode, aresp.ErrorMessage); err != nil {
			return err
		}
		// AuthBytes aliases the read buffer; the state machine may keep it.
		challenge := append([]byte(nil), aresp.AuthBytes...)
		done, next, err := sess.Next(ctx, challenge)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		token = next
	}
}
