package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/IBM/sarama"
	kafkago "github.com/segmentio/kafka-go"
	kgscram "github.com/segmentio/kafka-go/sasl/scram"
	"github.com/twmb/franz-go/pkg/kgo"
	franzscram "github.com/twmb/franz-go/pkg/sasl/scram"
	"github.com/xdg-go/scram"
	kafka "github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/broker"
	zscram "github.com/zeroalloc/kafka/sasl/scram"
)

// -security sasl_ssl runs every client over the test broker's SASL_SSL
// listener with SCRAM-SHA-512, each configured in its own terms: TLS that
// verifies the broker against the test CA, and the SCRAM implementation
// the client comes with (sarama has none: it takes xdg-go/scram, as its
// documentation shows). The runner's own work (topics, prefill, end
// offsets) stays on the plaintext listener.

// securityModes are the values of -security.
var securityModes = []string{"none", "sasl_ssl"}

// passwordEnv carries the SASL password from the runner to its workers,
// so that it is in no command line and no result file.
const passwordEnv = "KBENCH_SASL_PASSWORD"

// secure reports whether c runs over SASL_SSL.
func (c *config) secure() bool { return c.Security == "sasl_ssl" }

// saslPassword returns the workers' SASL password.
func saslPassword() string { return os.Getenv(passwordEnv) }

// tlsConfig returns a TLS configuration that trusts the test CA in
// c.TLSDir.
func (c *config) tlsConfig() (*tls.Config, error) {
	pem, err := os.ReadFile(filepath.Join(c.TLSDir, "ca.pem"))
	if err != nil {
		return nil, fmt.Errorf("-security %s: the CA: %w", c.Security, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-security %s: no certificate in %s", c.Security, filepath.Join(c.TLSDir, "ca.pem"))
	}
	return &tls.Config{RootCAs: roots}, nil
}

// zSecurity returns this module's TLS configuration and SCRAM-SHA-512
// mechanism for c, nil and nil without -security.
func zSecurity(c *config) (*tls.Config, *kafka.Dialer, error) {
	if !c.secure() {
		return nil, nil, nil
	}
	cfg, err := c.tlsConfig()
	if err != nil {
		return nil, nil, err
	}
	mech, err := zscram.Mechanism(zscram.SHA512, c.SASLUser, saslPassword())
	if err != nil {
		return nil, nil, err
	}
	return cfg, &kafka.Dialer{Timeout: 10 * time.Second, TLS: cfg, SASLMechanism: mech}, nil
}

// zTransport returns the Writer's Transport for c (nil: the default).
func zTransport(c *config) (*kafka.Transport, error) {
	_, d, err := zSecurity(c)
	if d == nil || err != nil {
		return nil, err
	}
	return &kafka.Transport{TLS: d.TLS, SASL: d.SASLMechanism}, nil
}

// zDialer returns the Dialer of this module's Readers and Conns for c.
func zDialer(c *config) (*kafka.Dialer, error) {
	_, d, err := zSecurity(c)
	if d == nil && err == nil {
		d = kafka.DefaultDialer
	}
	return d, err
}

// kgSecurity returns kafka-go's Dialer for c: its own sasl/scram (xdg-go).
func kgDialer(c *config) (*kafkago.Dialer, error) {
	if !c.secure() {
		return kafkago.DefaultDialer, nil
	}
	cfg, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	mech, err := kgscram.Mechanism(kgscram.SHA512, c.SASLUser, saslPassword())
	if err != nil {
		return nil, err
	}
	return &kafkago.Dialer{Timeout: 10 * time.Second, DualStack: true, TLS: cfg, SASLMechanism: mech}, nil
}

// kgTransport returns kafka-go's Writer Transport for c (nil: the default).
func kgTransport(c *config) (*kafkago.Transport, error) {
	if !c.secure() {
		return nil, nil
	}
	d, err := kgDialer(c)
	if err != nil {
		return nil, err
	}
	return &kafkago.Transport{TLS: d.TLS, SASL: d.SASLMechanism}, nil
}

// franzSecurity returns franz-go's options for c: its pkg/sasl/scram.
func franzSecurity(c *config) ([]kgo.Opt, error) {
	if !c.secure() {
		return nil, nil
	}
	cfg, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	auth := franzscram.Auth{User: c.SASLUser, Pass: saslPassword()}
	return []kgo.Opt{kgo.DialTLSConfig(cfg), kgo.SASL(auth.AsSha512Mechanism())}, nil
}

// saramaSecurity sets sarama's Net.TLS and Net.SASL for c.
func saramaSecurity(c *config, cfg *sarama.Config) error {
	if !c.secure() {
		return nil
	}
	tc, err := c.tlsConfig()
	if err != nil {
		return err
	}
	cfg.Net.TLS.Enable = true
	cfg.Net.TLS.Config = tc
	cfg.Net.SASL.Enable = true
	cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
	cfg.Net.SASL.User = c.SASLUser
	cfg.Net.SASL.Password = saslPassword()
	cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &xdgSCRAM{hash: scram.SHA512} }
	return nil
}

// xdgSCRAM is the SCRAM client sarama's documentation pairs it with.
type xdgSCRAM struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func (x *xdgSCRAM) Begin(user, password, authzID string) error {
	cl, err := x.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	x.conv = cl.NewConversation()
	return nil
}

func (x *xdgSCRAM) Step(challenge string) (string, error) { return x.conv.Step(challenge) }
func (x *xdgSCRAM) Done() bool                            { return x.conv.Done() }

// confluentSecurity sets librdkafka's security properties for c.
func confluentSecurity(c *config, set func(key string, value any)) {
	if !c.secure() {
		return
	}
	set("security.protocol", "SASL_SSL")
	set("sasl.mechanisms", "SCRAM-SHA-512")
	set("sasl.username", c.SASLUser)
	set("sasl.password", saslPassword())
	set("ssl.ca.location", filepath.Join(c.TLSDir, "ca.pem"))
}

// securitySettings describes how client is secured, for its settings text.
func securitySettings(client string, c *config) string {
	if !c.secure() {
		return ""
	}
	how := map[string]string{
		"zeroalloc":      "Transport{TLS, SASL} and Dialer{TLS, SASLMechanism} with sasl/scram SHA512",
		"zeroalloc-conn": "Dialer{TLS, SASLMechanism} with sasl/scram SHA512",
		"kafka-go":       "Transport{TLS, SASL} and Dialer{TLS, SASLMechanism} with kafka-go's sasl/scram SHA512 (xdg-go/scram)",
		"kafka-go-conn":  "Dialer{TLS, SASLMechanism} with kafka-go's sasl/scram SHA512 (xdg-go/scram)",
		"franz-go":       "kgo.DialTLSConfig, kgo.SASL(scram.Auth{...}.AsSha512Mechanism())",
		"sarama":         "Net.TLS{Enable, Config}, Net.SASL{Mechanism: SCRAM-SHA-512, SCRAMClientGeneratorFunc: xdg-go/scram SHA512}",
		"confluent":      "security.protocol=SASL_SSL, sasl.mechanisms=SCRAM-SHA-512, ssl.ca.location (librdkafka's TLS: OpenSSL)",
	}[client]
	return "; SASL_SSL with SCRAM-SHA-512, TLS verifying the broker against the test CA: " + how
}

// errNoSecurity means -security asks for listeners the broker lacks.
var errNoSecurity = errors.New("-security sasl_ssl: no SASL_SSL listener known: give KAFKA_BROKERS_SASL_SSL, KAFKA_TLS_DIR, KAFKA_SASL_USER and KAFKA_SASL_PASSWORD, or let the runner start the repository's broker (scripts/kafka up prints them)")

// dialFloorConn returns the latency floor's connection to addr: plain TCP,
// or with -security TLS and SCRAM as the clients connect (security.go), so
// that the floor includes what TLS costs a round trip.
func dialFloorConn(ctx context.Context, c *config, d *kafka.Dialer, addr string) (*broker.Conn, error) {
	if !c.secure() {
		return broker.Dial(ctx, addr, "kbench-floor")
	}
	var nd net.Dialer
	raw, err := nd.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	cfg := d.TLS.Clone()
	cfg.ServerName, _, _ = net.SplitHostPort(addr)
	tc := tls.Client(raw, cfg)
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	bc := broker.NewConn(tc, "kbench-floor")
	if err := bc.Negotiate(); err != nil {
		bc.Close()
		return nil, err
	}
	if err := bc.Authenticate(ctx, d.SASLMechanism); err != nil {
		bc.Close()
		return nil, err
	}
	return bc, nil
}
