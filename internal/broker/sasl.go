package broker

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/zeroalloc/kafka/sasl"
	"github.com/zeroalloc/kafka/wire"
)

// ErrSaslHandshakeV0 means the broker only speaks SaslHandshake v0, whose
// tokens travel as raw frames without SaslAuthenticate (Kafka before 1.0);
// this client does not implement that form.
var ErrSaslHandshakeV0 = errors.New("kafka: the broker supports only SaslHandshake v0 (Kafka before 1.0), which this client does not speak")

// ErrSessionExpired means a connection's SASL session has ended (it sat
// idle past the lifetime the broker gave it, so it was not re-authenticated
// in time): the broker closes a connection that sends anything more, so it
// must be replaced.
var ErrSessionExpired = errors.New("kafka: the connection's SASL session has expired")

// ErrReauthInFlight means Reauthenticate was called with requests in
// flight.
var ErrReauthInFlight = errors.New("kafka: re-authentication needs a connection with nothing in flight")

// session is what a Conn keeps of its SASL authentication, to re-authenticate
// before the broker's session lifetime ends (KIP-368).
type session struct {
	mech sasl.Mechanism
	meta sasl.Metadata
	// lifetime is the last session lifetime the broker gave, 0 if none;
	// expires is when the session ends at the latest (counted from before
	// the first SaslAuthenticate was sent, so before the broker's count
	// began), reauth when to re-authenticate: at 85 to 95 % of the
	// lifetime (chosen at random, as Kafka's Java client does, so that
	// connections made together do not re-authenticate together).
	lifetime time.Duration
	expires  time.Time
	reauth   time.Time
	count    int
}

// minReauthInterval is the least time between two authentications of one
// connection that brokers accept.
const minReauthInterval = time.Second

// Authenticate runs a SASL exchange with mech on a negotiated Conn: a
// SaslHandshake v1 naming the mechanism, then SaslAuthenticate requests
// carrying the state machine's tokens until it reports done. A Kafka error
// in either answer is returned as a wire.Error (with the broker's message
// when it sent one); as after Exchange, a Conn that is not Usable after an
// error must be closed. The mechanism and the Metadata that ctx carries are
// kept to re-authenticate when the broker gives the session a lifetime
// (see Refresh).
func (c *Conn) Authenticate(ctx context.Context, mech sasl.Mechanism) error {
	corr, hv, err := c.sendHandshake(mech)
	if err != nil {
		return err
	}
	return c.finishAuth(ctx, mech, corr, hv)
}

// sendHandshake sends the SaslHandshake naming mech.
func (c *Conn) sendHandshake(mech sasl.Mechanism) (corr int32, version int16, err error) {
	hv, err := c.Version(wire.KeySaslHandshake)
	if err != nil {
		return 0, 0, err
	}
	if hv < 1 {
		return 0, 0, ErrSaslHandshakeV0
	}
	if _, err := c.Version(wire.KeySaslAuthenticate); err != nil {
		return 0, 0, err
	}
	hreq := wire.SaslHandshakeRequest{Mechanism: mech.Name()}
	corr, err = c.Send(wire.KeySaslHandshake, hv, &hreq)
	return corr, hv, err
}

// finishAuth reads the answer to the SaslHandshake sent as corr and runs
// the SaslAuthenticate exchange.
func (c *Conn) finishAuth(ctx context.Context, mech sasl.Mechanism, corr int32, hv int16) error {
	var hresp wire.SaslHandshakeResponse
	if err := c.ReceiveInto(corr, hv, &hresp); err != nil {
		return err
	}
	switch code := wire.Error(hresp.ErrorCode); code {
	case 0:
	case wire.UnsupportedSaslMechanism:
		return &wire.ErrorWithMessage{
			Err: code,
			Msg: "mechanism " + mech.Name() + " is not enabled on this listener, which enables [" + strings.Join(hresp.Mechanisms, " ") + "]",
		}
	case wire.IllegalSaslState:
		return &wire.ErrorWithMessage{Err: code, Msg: "the listener refused SASL (a listener without SASL does, or a re-authentication too soon after the last)"}
	default:
		return code
	}
	av, err := c.Version(wire.KeySaslAuthenticate)
	if err != nil {
		return err
	}
	sess, token, err := mech.Start(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
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
			break
		}
		token = next
	}
	c.setSession(ctx, mech, start, time.Duration(aresp.SessionLifetimeMs)*time.Millisecond)
	return nil
}

// setSession records a successful authentication that began at start and
// was given lifetime (0: none).
func (c *Conn) setSession(ctx context.Context, mech sasl.Mechanism, start time.Time, lifetime time.Duration) {
	s := c.auth
	if s == nil {
		s = &session{}
		if m := sasl.MetadataFromContext(ctx); m != nil {
			s.meta = *m
		}
		c.auth = s
	}
	s.mech, s.lifetime = mech, lifetime
	s.count++
	s.expires, s.reauth = time.Time{}, time.Time{}
	if lifetime > 0 {
		s.expires = start.Add(lifetime)
		s.reauth = start.Add(time.Duration(float64(lifetime) * (0.85 + 0.1*rand.Float64())))
		// Brokers refuse a re-authentication less than a second after
		// the previous one.
		if earliest := start.Add(minReauthInterval); s.reauth.Before(earliest) {
			s.reauth = earliest
		}
	}
}

// SessionLifetime returns the lifetime the broker gave the connection's
// SASL session at its last authentication: 0 without SASL or when the
// broker set none (the session then lasts as long as the connection).
func (c *Conn) SessionLifetime() time.Duration {
	if c.auth == nil {
		return 0
	}
	return c.auth.lifetime
}

// Authentications returns how many times the connection authenticated
// (1 + the re-authentications), 0 without SASL.
func (c *Conn) Authentications() int {
	if c.auth == nil {
		return 0
	}
	return c.auth.count
}

// ReauthAt returns when the connection should re-authenticate, zero
// without a session lifetime.
func (c *Conn) ReauthAt() time.Time {
	if c.auth == nil {
		return time.Time{}
	}
	return c.auth.reauth
}

// ReauthDue reports whether a request sent at time at would come at or
// after the point where the connection should re-authenticate.
func (c *Conn) ReauthDue(at time.Time) bool {
	s := c.auth
	return s != nil && !s.reauth.IsZero() && !at.Before(s.reauth)
}

// SessionExpired reports whether the session will have ended by time at.
func (c *Conn) SessionExpired(at time.Time) bool {
	s := c.auth
	return s != nil && !s.expires.IsZero() && !at.Before(s.expires)
}

// Refresh keeps the connection's SASL session alive for the next request
// and whatever follows it within ahead (a long poll's wait, say): it
// re-authenticates (Reauthenticate) when that is due by then, and returns
// ErrSessionExpired, sending nothing, when the session has ended already
// (the Conn is then unusable). Without SASL or a session lifetime it does
// nothing. For connections that send one request at a time: the caller
// has nothing in flight. ctx bounds the exchange; the caller's socket
// deadlines apply too.
func (c *Conn) Refresh(ctx context.Context, ahead time.Duration) error {
	if c.auth == nil || c.auth.reauth.IsZero() {
		return nil
	}
	now := time.Now()
	if !c.ReauthDue(now.Add(ahead)) {
		return nil
	}
	if c.SessionExpired(now) {
		c.broken.Store(true)
		return ErrSessionExpired
	}
	return c.Reauthenticate(ctx)
}

// Reauthenticate authenticates the connection again with the mechanism of
// its last authentication, before its session ends (KIP-368). The Conn
// must have nothing in flight (pipelined senders use StartReauth and
// FinishReauth). A failure leaves the Conn unusable: it must be closed.
func (c *Conn) Reauthenticate(ctx context.Context) error {
	if c.inflight.Load() != 0 {
		return ErrReauthInFlight
	}
	corr, err := c.StartReauth()
	if err != nil {
		return err
	}
	return c.FinishReauth(ctx, corr)
}

// StartReauth begins a re-authentication on a connection that may have
// requests in flight: it sends the SaslHandshake and returns its
// correlation id. The broker answers the requests sent before first, in
// order; the caller reads those answers, then calls FinishReauth to read
// the handshake's and finish, sending nothing else on the connection
// meanwhile. The Conn must have authenticated before.
func (c *Conn) StartReauth() (int32, error) {
	if c.auth == nil {
		return 0, errors.New("kafka: re-authentication of a connection that never authenticated")
	}
	corr, _, err := c.sendHandshake(c.auth.mech)
	if err != nil {
		c.broken.Store(true)
	}
	return corr, err
}

// FinishReauth reads the answer to the SaslHandshake StartReauth sent as
// corr and runs the rest of the exchange. ctx (which gets the connection's
// sasl.Metadata) is passed to the mechanism. A failure leaves the Conn
// unusable: it must be closed.
func (c *Conn) FinishReauth(ctx context.Context, corr int32) error {
	s := c.auth
	hv, _ := c.Version(wire.KeySaslHandshake)
	meta := s.meta
	err := c.finishAuth(sasl.WithMetadata(ctx, &meta), s.mech, corr, hv)
	if err != nil {
		// Unlike a first authentication, a failed re-authentication
		// leaves nothing to retry on this connection: the broker closes
		// it.
		c.broken.Store(true)
	}
	return err
}
