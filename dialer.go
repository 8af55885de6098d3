package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/sasl"
	"github.com/zeroalloc/kafka/wire"
)

// Dialer opens connections to Kafka brokers, as net.Dialer opens network
// connections. Its zero value dials plain TCP with no timeout.
type Dialer struct {
	// ClientID identifies the connections' client to the brokers
	// (DefaultClientID when empty).
	ClientID string

	// DialFunc, when set, opens the network connections instead of a
	// net.Dialer; LocalAddr, DualStack, FallbackDelay and KeepAlive are then
	// ignored.
	DialFunc func(ctx context.Context, network string, address string) (net.Conn, error)

	// Timeout bounds a whole dial: connecting, the TLS handshake, API
	// version negotiation and SASL authentication. Zero means none (the
	// operating system may still give up on connecting).
	Timeout time.Duration

	// Deadline is the time after which dials fail; zero means none. With
	// Timeout also set, the earlier of the two applies.
	Deadline time.Time

	// LocalAddr is the local address to dial from; nil lets the system pick.
	LocalAddr net.Addr

	// DualStack is kept for kafka-go compatibility: net.Dialer always tries
	// IPv4 and IPv6 in parallel ("Happy Eyeballs") now, unless
	// FallbackDelay is negative.
	DualStack bool

	// FallbackDelay is how long to wait before the fallback address family
	// is tried (300ms when zero; negative disables the fallback).
	FallbackDelay time.Duration

	// KeepAlive is the TCP keep-alive period; zero uses the system's
	// default, negative disables keep-alives.
	KeepAlive time.Duration

	// Resolver, when set, maps the host of each address dialed to another
	// host or address (see Resolver).
	Resolver Resolver

	// TLS, when set, makes connections use TLS with this configuration;
	// the handshake is bounded by the dial's context and Timeout. When its
	// ServerName is empty, the host of the address dialed (before any
	// Resolver) is used, so the broker's certificate is verified against
	// it unless InsecureSkipVerify is set. Certificates holds the client
	// certificate of listeners that require one (mutual TLS).
	TLS *tls.Config

	// SASLMechanism, when set, authenticates each connection after API
	// versions are negotiated: SaslHandshake v1, then SaslAuthenticate
	// round trips driven by the mechanism (packages sasl/plain, sasl/scram,
	// sasl/oauthbearer, or any kafka-go mechanism). When the broker gives
	// the session a lifetime (connections.max.reauth.ms, or a token's
	// expiry), long-lived connections of Conn, Writer and Reader
	// re-authenticate before it ends (KIP-368). Brokers older than Kafka
	// 1.0, which speak only SaslHandshake v0, are not supported.
	SASLMechanism sasl.Mechanism

	// TransactionalID is the transactional id of the connections' writes;
	// empty means non-transactional.
	TransactionalID string
}

// DefaultDialer is the Dialer of the package-level Dial functions: a 10
// second timeout and no TLS or SASL.
var DefaultDialer = &Dialer{
	Timeout:   10 * time.Second,
	DualStack: true,
}

// Dial connects to the broker at address on network ("tcp", ...).
func (d *Dialer) Dial(network string, address string) (*Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to the broker at address on network, bounded by ctx
// as well as by the Dialer's Timeout and Deadline. Once the connection is
// made (and its API versions negotiated, and SASL done), ctx no longer
// affects it.
func (d *Dialer) DialContext(ctx context.Context, network string, address string) (*Conn, error) {
	return d.connect(ctx, network, address, ConnConfig{ClientID: d.ClientID, TransactionalID: d.TransactionalID})
}

// DialLeader connects to the leader of partition of topic, which it looks
// up through the broker at address, and returns once that leader serves
// the partition (see DialPartition). When the broker it was told of
// keeps answering that it does not (the leadership moved meanwhile), it
// looks the leader up again, three times at most. The whole is bounded by
// ctx and the Dialer's Timeout and Deadline.
func (d *Dialer) DialLeader(ctx context.Context, network string, address string, topic string, partition int) (*Conn, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	for round := 1; ; round++ {
		p, err := d.LookupPartition(ctx, network, address, topic, partition)
		if err != nil {
			return nil, err
		}
		c, err := d.DialPartition(ctx, network, address, p)
		if err == nil || !errors.Is(err, errNotServed) || round == leaderRounds {
			return c, err
		}
	}
}

// leaderRounds bounds DialLeader's lookups of a leader that does not
// serve its partition (about 2 seconds each, see DialPartition).
const leaderRounds = 3

// DialPartition connects to partition's leader, as LookupPartition or
// LookupPartitions described it (address is not used), and returns once
// the leader serves the partition. A broker lists a partition's leader (a
// topic just created, by CreateTopics or automatically, or a leadership
// just moved) a moment before the leader takes requests for it, and a
// first request in that moment failed with NOT_LEADER_OR_FOLLOWER or
// UNKNOWN_TOPIC_OR_PARTITION. So DialPartition asks the leader for the
// partition's last offset (one ListOffsets round trip) and, while the
// answer is such a retriable error, asks again after a pause (10 ms,
// doubling up to 500 ms), for about 2 seconds at most, bounded by ctx and
// the Dialer's Timeout and Deadline. A broker that still does not serve
// the partition then fails the dial with its last answer (errors.Is sees
// it); any other answer, an error or not, returns the connection.
func (d *Dialer) DialPartition(ctx context.Context, network string, address string, partition Partition) (*Conn, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	leader := partition.Leader
	c, err := d.connect(ctx, network, net.JoinHostPort(leader.Host, strconv.Itoa(leader.Port)), ConnConfig{
		ClientID:        d.ClientID,
		Topic:           partition.Topic,
		Partition:       partition.ID,
		Broker:          leader.ID,
		Rack:            leader.Rack,
		TransactionalID: d.TransactionalID,
	})
	if err != nil {
		return nil, err
	}
	if err := c.awaitServed(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// errNotServed wraps the last answer of a leader that kept answering that
// it does not serve the partition (awaitServed).
var errNotServed = errors.New("kafka: the partition's leader does not serve it")

// notServed is awaitServed's error: errNotServed and the broker's answer.
type notServed struct{ err error }

func (e notServed) Error() string   { return errNotServed.Error() + ": " + e.err.Error() }
func (e notServed) Unwrap() []error { return []error{errNotServed, e.err} }

// serveAttempts bounds awaitServed's questions: with serveBackoff's
// pauses, about 2 seconds.
const serveAttempts = 10

// serveBackoff is the pause after awaitServed's question n (from 0): 10 ms
// doubling, at most 500 ms.
func serveBackoff(n int) time.Duration {
	return min(10*time.Millisecond<<n, 500*time.Millisecond)
}

// awaitServed asks the broker for the last offset of the Conn's partition
// until the answer is not a retriable Kafka error (see DialPartition),
// bounded by ctx.
func (c *Conn) awaitServed(ctx context.Context) error {
	stop := bindContext(ctx, c.nc)
	defer stop()
	for attempt := 0; ; attempt++ {
		_, err := c.ReadLastOffset()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.mu.Lock()
		lost := c.err != nil // not an answer: the exchange failed
		c.mu.Unlock()
		if lost {
			return err
		}
		if ke := Error(0); !errors.As(err, &ke) || !ke.Temporary() {
			return nil // an answer for the partition, if not the offset
		}
		if attempt == serveAttempts-1 {
			return notServed{err}
		}
		if !sleep(ctx, serveBackoff(attempt)) {
			return ctx.Err()
		}
	}
}

// LookupLeader returns the leader of partition of topic, looked up through
// the broker at address.
func (d *Dialer) LookupLeader(ctx context.Context, network string, address string, topic string, partition int) (Broker, error) {
	p, err := d.LookupPartition(ctx, network, address, topic, partition)
	return p.Leader, err
}

// LookupPartition returns partition of topic, looked up through the broker
// at address. While the answer is a retriable error (a topic being created
// has no leader yet, for one), it asks again with a growing pause, until ctx
// (or the Dialer's Timeout or Deadline) ends; a partition that does not
// exist fails with UnknownTopicOrPartition.
func (d *Dialer) LookupPartition(ctx context.Context, network string, address string, topic string, partition int) (Partition, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		return Partition{}, err
	}
	defer c.Close()
	stop := bindContext(ctx, c.nc)
	defer stop()
retry:
	for attempt := 0; ; attempt++ {
		if attempt > 0 && !sleep(ctx, backoff(attempt)) {
			return Partition{}, ctx.Err()
		}
		parts, err := c.ReadPartitions(topic)
		if err != nil {
			// A timeout is temporary too, but it closed the connection:
			// the next attempt reports that.
			if isTemporary(err) {
				continue
			}
			return Partition{}, contextError(ctx, err)
		}
		for _, p := range parts {
			if p.ID != partition {
				continue
			}
			if isTemporary(p.Error) {
				continue retry // no leader yet
			}
			return p, p.Error
		}
		return Partition{}, UnknownTopicOrPartition
	}
}

// LookupPartitions returns the partitions of topic, looked up through the
// broker at address.
func (d *Dialer) LookupPartitions(ctx context.Context, network string, address string, topic string) ([]Partition, error) {
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := bindContext(ctx, c.nc)
	defer stop()
	parts, err := c.ReadPartitions(topic)
	return parts, contextError(ctx, err)
}

// bound returns ctx bounded by the Dialer's Timeout and Deadline too.
func (d *Dialer) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.Timeout == 0 && d.Deadline.IsZero() {
		return ctx, func() {}
	}
	dl := d.Deadline
	if d.Timeout != 0 {
		if t := time.Now().Add(d.Timeout); dl.IsZero() || t.Before(dl) {
			dl = t
		}
	}
	return context.WithDeadline(ctx, dl)
}

// connect dials address and readies a Conn on it: TLS handshake, API
// version negotiation and SASL authentication, all bounded by ctx, the
// Timeout and the Deadline.
func (d *Dialer) connect(ctx context.Context, network, address string, cfg ConnConfig) (*Conn, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	host, port := splitHostPort(address)
	nc, err := d.dial(ctx, network, host, port)
	if err != nil {
		return nil, err
	}
	c := NewConnWith(nc, cfg)
	stop := bindContext(ctx, nc)
	err = c.ready(ctx, d.SASLMechanism, host, port)
	stop()
	if err != nil {
		nc.Close()
		if ctx.Err() == nil && d.TLS == nil && isClosedByPeer(err) {
			return nil, &listenerError{addr: nc.RemoteAddr().String(), err: err, hint: "a TLS listener does so when the client does not use TLS: is Dialer.TLS or Transport.TLS needed?"}
		}
		if errors.Is(err, broker.ErrTLSAnswer) {
			return nil, fmt.Errorf("%w (broker %s)", err, nc.RemoteAddr())
		}
		if ctx.Err() == nil && d.TLS != nil && isTLSAlert(err) {
			// With TLS 1.3 the client's handshake ends before the server
			// has checked the client's certificate: a refusal comes as
			// an alert at the first read.
			return nil, &listenerError{addr: nc.RemoteAddr().String(), err: err, hint: "a listener that requires client certificates does so without a valid one (see tls.Config.Certificates)"}
		}
		return nil, contextError(ctx, err)
	}
	return c, nil
}

// listenerError says a broker refused a connection at its first bytes, and
// why that may be; errors.Is sees the error inside.
type listenerError struct {
	addr, hint string
	err        error
}

func (e *listenerError) Error() string {
	return "kafka: the broker at " + e.addr + " refused the connection at once (" + e.err.Error() + "); " + e.hint
}

func (e *listenerError) Unwrap() error { return e.err }

// isTLSAlert reports whether err is an alert the TLS peer sent.
func isTLSAlert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}

// isClosedByPeer reports whether err says the other end closed or reset
// the connection.
func isClosedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// ready negotiates API versions and, with a mechanism, authenticates.
func (c *Conn) ready(ctx context.Context, mech sasl.Mechanism, host, port string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.version(wire.KeyApiVersions); err != nil {
		return err
	}
	if mech == nil {
		return nil
	}
	p, _ := strconv.Atoi(port)
	ctx = sasl.WithMetadata(ctx, &sasl.Metadata{Host: host, Port: p})
	if err := c.bc.Authenticate(ctx, mech); err != nil {
		c.failed(err)
		return &saslError{host: host, port: port, err: err}
	}
	return nil
}

// saslError says which broker refused authentication; errors.Is sees the
// Kafka error inside.
type saslError struct {
	host, port string
	err        error
}

func (e *saslError) Error() string {
	return "kafka: SASL authentication with " + net.JoinHostPort(e.host, e.port) + " failed: " + e.err.Error()
}

func (e *saslError) Unwrap() error { return e.err }

// dial resolves host, connects and, with TLS configured, completes the
// handshake.
func (d *Dialer) dial(ctx context.Context, network, host, port string) (net.Conn, error) {
	origHost := host
	if d.Resolver != nil {
		addrs, err := d.Resolver.LookupHost(ctx, host)
		if err != nil {
			return nil, err
		}
		if len(addrs) > 0 {
			h, p, err := net.SplitHostPort(addrs[0])
			if err != nil {
				h, p = addrs[0], ""
			}
			host = h
			if port == "" {
				port = p
			}
		}
	}
	if port == "" {
		port = "9092"
	}
	addr := net.JoinHostPort(host, port)
	dial := d.DialFunc
	if dial == nil {
		nd := net.Dialer{LocalAddr: d.LocalAddr, FallbackDelay: d.FallbackDelay, KeepAlive: d.KeepAlive}
		dial = nd.DialContext
	}
	nc, err := dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if d.TLS == nil {
		return nc, nil
	}
	cfg := d.TLS
	if cfg.ServerName == "" {
		cfg = cfg.Clone()
		cfg.ServerName = origHost // the name dialed, not a Resolver's answer
	}
	tc := tls.Client(nc, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		nc.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if isClosedByPeer(err) {
			return nil, &listenerError{addr: addr, err: err, hint: "a listener that does not take TLS (PLAINTEXT, SASL_PLAINTEXT) does so when the client uses TLS"}
		}
		return nil, fmt.Errorf("kafka: TLS handshake with %s: %w", addr, err)
	}
	return tc, nil
}

// splitHostPort splits address into host and port; an address without a
// port gives port "" (the default, 9092, applies after resolution).
func splitHostPort(address string) (host, port string) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return address, ""
	}
	return host, port
}

// aLongTimeAgo is a deadline in the past, set to abort blocked I/O.
var aLongTimeAgo = time.Unix(1, 0)

// bindContext makes ctx bound the I/O on nc until stop is called: its
// deadline becomes nc's, and its cancellation sets a deadline in the past.
// stop clears the deadlines again.
func bindContext(ctx context.Context, nc net.Conn) (stop func()) {
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	done := make(chan struct{})
	cancel := context.AfterFunc(ctx, func() {
		nc.SetDeadline(aLongTimeAgo)
		close(done)
	})
	return func() {
		if !cancel() {
			<-done
		}
		nc.SetDeadline(time.Time{})
	}
}

// contextError returns ctx's error in place of err when ctx has ended (the
// timeout it caused on the connection says less), else err. A timeout at
// or after ctx's deadline is ctx's even when ctx's own timer has not run
// yet: the connection's deadline, set to ctx's, may strike first.
func contextError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if e := ctx.Err(); e != nil {
		return e
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) && errors.Is(err, os.ErrDeadlineExceeded) {
		return context.DeadlineExceeded
	}
	// The socket's deadline is ctx's: its timeout may fire a moment
	// before ctx's timer marks ctx done.
	if dl, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return err
}

// isTemporary reports whether err says it is temporary (net.Error and
// Kafka retriable errors do).
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// backoff is the pause before attempt n of a lookup: n² × 100ms, at most 10s.
func backoff(n int) time.Duration {
	return min(time.Duration(n*n)*100*time.Millisecond, 10*time.Second)
}

// sleep waits for d or until ctx ends; it reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Dial connects to address with DefaultDialer.
func Dial(network string, address string) (*Conn, error) {
	return DefaultDialer.Dial(network, address)
}

// DialContext connects to address with DefaultDialer.
func DialContext(ctx context.Context, network string, address string) (*Conn, error) {
	return DefaultDialer.DialContext(ctx, network, address)
}

// DialLeader connects to the leader of partition of topic with
// DefaultDialer.
func DialLeader(ctx context.Context, network string, address string, topic string, partition int) (*Conn, error) {
	return DefaultDialer.DialLeader(ctx, network, address, topic, partition)
}

// DialPartition connects to partition's leader with DefaultDialer.
func DialPartition(ctx context.Context, network string, address string, partition Partition) (*Conn, error) {
	return DefaultDialer.DialPartition(ctx, network, address, partition)
}

// LookupPartition looks partition of topic up with DefaultDialer.
func LookupPartition(ctx context.Context, network string, address string, topic string, partition int) (Partition, error) {
	return DefaultDialer.LookupPartition(ctx, network, address, topic, partition)
}

// LookupPartitions looks the partitions of topic up with DefaultDialer.
func LookupPartitions(ctx context.Context, network string, address string, topic string) ([]Partition, error) {
	return DefaultDialer.LookupPartitions(ctx, network, address, topic)
}
