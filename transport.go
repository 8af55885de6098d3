package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/sasl"
)

// Logger is where a Writer or Reader logs; *log.Logger is one.
type Logger interface {
	Printf(format string, args ...any)
}

// LoggerFunc makes a function a Logger.
type LoggerFunc func(format string, args ...any)

// Printf calls f.
func (f LoggerFunc) Printf(format string, args ...any) { f(format, args...) }

// RoundTripper is what a Writer's Transport field holds: a *Transport.
// (kafka-go's RoundTripper sends arbitrary protocol messages; here the
// Writer speaks to brokers itself and the Transport only says how to
// connect, so no other implementation is accepted.)
type RoundTripper interface {
	transport() *Transport
}

// Transport says how a Writer connects to brokers, with kafka-go's
// Transport fields.
type Transport struct {
	// Dial opens connections (a net.Dialer by default).
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// DialTimeout bounds connecting, TLS and SASL included (default 5 s).
	DialTimeout time.Duration
	// IdleTimeout is accepted for compatibility; connections stay open
	// while the Writer does.
	IdleTimeout time.Duration
	// MetadataTTL is how often metadata is refreshed (default 6 s); it is
	// also refreshed at once when a broker says it is stale.
	MetadataTTL time.Duration
	// MetadataTopics is accepted for compatibility: the Writer asks only
	// for the topics it writes to.
	MetadataTopics []string
	// ClientID is sent with every request.
	ClientID string
	// TLS, when set, makes connections use TLS, as Dialer.TLS does (the
	// server name from the address dialed, the broker verified unless
	// InsecureSkipVerify is set).
	TLS *tls.Config
	// SASL, when set, authenticates every connection, and re-authenticates
	// long-lived ones before the session lifetime the broker gives ends
	// (KIP-368).
	SASL sasl.Mechanism
	// Resolver, when set, maps broker host names to addresses.
	Resolver Resolver
	// Context is accepted for compatibility.
	Context context.Context
}

// DefaultTransport is the Transport of Writers that set none.
var DefaultTransport RoundTripper = &Transport{}

func (t *Transport) transport() *Transport { return t }

func (w *Writer) transport() *Transport {
	if w.Transport != nil {
		if t := w.Transport.transport(); t != nil {
			return t
		}
	}
	return DefaultTransport.transport()
}

// dialer returns the Dialer that makes t's connections.
func (t *Transport) dialer() *Dialer {
	d := &Dialer{
		ClientID:      t.ClientID,
		DialFunc:      t.Dial,
		Timeout:       or(t.DialTimeout, 5*time.Second),
		TLS:           t.TLS,
		SASLMechanism: t.SASL,
		Resolver:      t.Resolver,
	}
	if d.ClientID == "" {
		d.ClientID = DefaultClientID
	}
	return d
}

// dialBroker connects to addr and returns the protocol connection, API
// versions negotiated and SASL done.
func (d *Dialer) dialBroker(ctx context.Context, addr string) (*broker.Conn, error) {
	c, err := d.connect(ctx, "tcp", addr, ConnConfig{ClientID: d.ClientID})
	if err != nil {
		return nil, err
	}
	return c.bc, nil
}

// WriterConfig is kafka-go's older way of configuring a Writer, for
// NewWriter.
type WriterConfig struct {
	Brokers           []string
	Topic             string
	Dialer            *Dialer
	Balancer          Balancer
	MaxAttempts       int
	QueueCapacity     int
	BatchSize         int
	BatchBytes        int
	BatchTimeout      time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	RebalanceInterval time.Duration
	IdleConnTimeout   time.Duration
	// RequiredAcks: -1 (all, also for 0, as kafka-go documents the
	// default), 1 (leader only); RequireNone's value for none.
	RequiredAcks int
	Async        bool
	CompressionCodec
	Logger      Logger
	ErrorLogger Logger
}

// Validate checks the configuration.
func (c WriterConfig) Validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("kafka: cannot create a Writer with an empty list of brokers")
	}
	return nil
}

// NewWriter returns a Writer configured by config (kafka-go's older API;
// prefer setting the Writer's fields). It panics on an invalid config, as
// kafka-go's does.
func NewWriter(config WriterConfig) *Writer {
	if err := config.Validate(); err != nil {
		panic(err)
	}
	w := &Writer{
		Addr:         TCP(config.Brokers...),
		Topic:        config.Topic,
		Balancer:     config.Balancer,
		MaxAttempts:  config.MaxAttempts,
		BatchSize:    config.BatchSize,
		BatchBytes:   int64(config.BatchBytes),
		BatchTimeout: config.BatchTimeout,
		ReadTimeout:  config.ReadTimeout,
		WriteTimeout: config.WriteTimeout,
		RequiredAcks: RequiredAcks(config.RequiredAcks),
		Async:        config.Async,
		Logger:       config.Logger,
		ErrorLogger:  config.ErrorLogger,
	}
	if config.RequiredAcks == 0 {
		w.RequiredAcks = RequireAll
	}
	if config.CompressionCodec != nil {
		w.Compression = Compression(config.CompressionCodec.Code())
	}
	if d := config.Dialer; d != nil {
		w.Transport = &Transport{
			Dial:        d.DialFunc,
			DialTimeout: d.Timeout,
			ClientID:    d.ClientID,
			TLS:         d.TLS,
			SASL:        d.SASLMechanism,
			Resolver:    d.Resolver,
		}
	}
	return w
}
