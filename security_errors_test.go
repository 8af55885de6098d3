package kafka

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/sasl"
	"github.com/zeroalloc/kafka/sasl/oauthbearer"
	saslplain "github.com/zeroalloc/kafka/sasl/plain"
	"github.com/zeroalloc/kafka/sasl/scram"
)

// dialTimeout bounds the dials of the error tests: every failure must come
// well within it.
const dialTimeout = 5 * time.Second

// dialErr dials addr with d (its Timeout set to dialTimeout) and returns
// the error, checking that it came within the timeout.
func dialErr(t *testing.T, d *Dialer, addr string) error {
	t.Helper()
	d.Timeout = dialTimeout
	start := time.Now()
	c, err := d.Dial("tcp", addr)
	if c != nil {
		c.Close()
	}
	if took := time.Since(start); took >= dialTimeout {
		t.Errorf("the dial took %v, past its timeout of %v", took, dialTimeout)
	}
	return err
}

// TestSecuredWrongPassword: a refused password is SASLAuthenticationFailed
// with the broker's message, from the Dialer, the Writer and the Reader,
// and nowhere shows the password.
func TestSecuredWrongPassword(t *testing.T) {
	sec := kafkatest.Secured(t)
	const wrong = "not-the-password-42"
	s256, _ := scram.Mechanism(scram.SHA256, sec.User, wrong)
	s512, _ := scram.Mechanism(scram.SHA512, sec.User, wrong)
	for _, m := range []sasl.Mechanism{saslplain.Mechanism{Username: sec.User, Password: wrong}, s256, s512} {
		t.Run(m.Name(), func(t *testing.T) {
			s := secureSetup{addrs: sec.SASLSSL, tls: sec.TLS(t), mech: m}
			err := dialErr(t, s.dialer(), s.addrs[0])
			if !errors.Is(err, SASLAuthenticationFailed) || !strings.Contains(err.Error(), "Authentication failed") {
				t.Fatalf("Dial: %v, want SASLAuthenticationFailed with the broker's message", err)
			}
			checkNoSecret(t, "the Dialer's error", err.Error(), wrong)

			var logs bytes.Buffer
			var mu sync.Mutex
			logf := LoggerFunc(func(format string, args ...any) {
				mu.Lock()
				fmt.Fprintf(&logs, format+"\n", args...)
				mu.Unlock()
			})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			w := &Writer{Addr: TCP(s.addrs...), Topic: kafkatest.Topic(t), Transport: s.transport(),
				MaxAttempts: 2, WriteBackoffMax: 100 * time.Millisecond, ErrorLogger: logf}
			err = w.WriteMessages(ctx, Message{Value: []byte("x")})
			if !errors.Is(err, SASLAuthenticationFailed) {
				t.Errorf("Writer: %v, want SASLAuthenticationFailed", err)
			}
			w.Close()
			checkNoSecret(t, "the Writer's error", fmt.Sprint(err), wrong)
			checkNoSecret(t, "the Writer's stats", fmt.Sprintf("%+v", w.Stats()), wrong)

			r := NewReader(ReaderConfig{Brokers: s.addrs, Topic: kafkatest.Topic(t), Dialer: s.dialer(),
				MaxAttempts: 1, ErrorLogger: logf, Logger: logf})
			_, err = r.ReadMessage(ctx)
			if !errors.Is(err, SASLAuthenticationFailed) {
				t.Errorf("Reader: %v, want SASLAuthenticationFailed", err)
			}
			checkNoSecret(t, "the Reader's error", fmt.Sprint(err), wrong)
			checkNoSecret(t, "the Reader's stats", fmt.Sprintf("%+v", r.Stats()), wrong)
			r.Close()
			mu.Lock()
			checkNoSecret(t, "the logs", logs.String(), wrong)
			mu.Unlock()
		})
	}
}

func checkNoSecret(t *testing.T, what, s, secret string) {
	t.Helper()
	if strings.Contains(s, secret) || strings.Contains(strings.ToLower(s), fmt.Sprintf("%x", secret)) {
		t.Errorf("%s shows the secret: %s", what, s)
	}
}

// namedMechanism is a mechanism the brokers do not enable.
type namedMechanism string

func (m namedMechanism) Name() string { return string(m) }
func (m namedMechanism) Start(context.Context) (sasl.StateMachine, []byte, error) {
	return nil, nil, errors.New("not reached")
}

// TestSecuredMechanismErrors: a mechanism the listener does not enable is
// UnsupportedSASLMechanism naming those it does; SASL on a listener
// without SASL is IllegalSASLState saying so; a bad bearer token is
// SASLAuthenticationFailed; a token source's failure is returned as is.
func TestSecuredMechanismErrors(t *testing.T) {
	sec := kafkatest.Secured(t)
	err := dialErr(t, &Dialer{TLS: sec.TLS(t), SASLMechanism: namedMechanism("SCRAM-SHA-1")}, sec.SASLSSL[0])
	if !errors.Is(err, UnsupportedSASLMechanism) {
		t.Errorf("SCRAM-SHA-1: %v, want UnsupportedSASLMechanism", err)
	} else {
		for _, m := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"} {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("SCRAM-SHA-1: %q does not name the enabled %s", err, m)
			}
		}
	}

	err = dialErr(t, &Dialer{TLS: sec.TLS(t), SASLMechanism: saslplain.Mechanism{Username: sec.User, Password: sec.Password}}, sec.SSL[0])
	if !errors.Is(err, IllegalSASLState) || !strings.Contains(err.Error(), "listener") {
		t.Errorf("SASL on the SSL listener: %v, want IllegalSASLState saying the listener refused SASL", err)
	}

	const badToken = "not-a-jwt-secret-value"
	err = dialErr(t, &Dialer{TLS: sec.TLS(t), SASLMechanism: oauthbearer.Mechanism{TokenSource: oauthbearer.TokenSourceFunc(
		func(context.Context) (string, error) { return badToken, nil })}}, sec.SASLSSL[0])
	if !errors.Is(err, SASLAuthenticationFailed) {
		t.Errorf("a malformed bearer token: %v, want SASLAuthenticationFailed", err)
	} else {
		checkNoSecret(t, "the error", err.Error(), badToken)
	}

	srcErr := errors.New("the identity provider is down")
	err = dialErr(t, &Dialer{TLS: sec.TLS(t), SASLMechanism: oauthbearer.Mechanism{TokenSource: oauthbearer.TokenSourceFunc(
		func(context.Context) (string, error) { return "", srcErr })}}, sec.SASLSSL[0])
	if !errors.Is(err, srcErr) {
		t.Errorf("a failing token source: %v, want its error", err)
	}
}

// TestSecuredWrongProtocol: plaintext to a TLS listener and TLS to a
// plaintext one fail at once with an error that says so, and reading the
// TLS bytes as a frame size allocates nothing of that size.
func TestSecuredWrongProtocol(t *testing.T) {
	sec := kafkatest.Secured(t)
	plainAddr := kafkatest.Brokers(t)[0]
	mech := saslplain.Mechanism{Username: sec.User, Password: sec.Password}
	for _, tc := range []struct {
		name string
		addr string
		d    *Dialer
		want string
		is   error
	}{
		{"plaintext to SSL", sec.SSL[0], &Dialer{}, "takes TLS", broker.ErrTLSAnswer},
		{"plaintext to MTLS", sec.MTLS[0], &Dialer{}, "takes TLS", broker.ErrTLSAnswer},
		{"SASL without TLS to SASL_SSL", sec.SASLSSL[0], &Dialer{SASLMechanism: mech}, "takes TLS", broker.ErrTLSAnswer},
		{"TLS to PLAINTEXT", plainAddr, &Dialer{TLS: sec.TLS(t)}, "does not take TLS", nil},
		{"TLS to SASL_PLAINTEXT", sec.SASLPlaintext[0], &Dialer{TLS: sec.TLS(t), SASLMechanism: mech}, "does not take TLS", nil},
		{"no CA", sec.SSL[0], &Dialer{TLS: &tls.Config{}}, "certificate signed by unknown authority", nil},
		{"no client certificate to MTLS", sec.MTLS[0], &Dialer{TLS: sec.TLS(t)}, "client certificates", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			grew := heapGrowth(func() { err = dialErr(t, tc.d, tc.addr) })
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("%v, want an error saying %q", err, tc.want)
			}
			if grew > 8<<20 {
				t.Errorf("the failed dial allocated %d bytes", grew)
			}
			t.Logf("%v", err)
		})
	}
}

// heapGrowth returns the bytes allocated while fn ran.
func heapGrowth(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestSecuredServerName: the server name comes from the address dialed, so
// the certificate's names are checked: localhost and 127.0.0.1 are in it, a
// name that resolves to the same broker but is not is refused, and a
// Resolver's answer does not replace the name dialed.
func TestSecuredServerName(t *testing.T) {
	sec := kafkatest.Secured(t)
	_, port, _ := net.SplitHostPort(sec.SSL[0])
	for _, host := range []string{"localhost", "127.0.0.1"} {
		if err := dialErr(t, &Dialer{TLS: sec.TLS(t)}, net.JoinHostPort(host, port)); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	// "broker.test" resolves to 127.0.0.1 through the Resolver; the
	// certificate does not name it.
	res := resolverFunc(func(ctx context.Context, host string) ([]string, error) { return []string{"127.0.0.1"}, nil })
	err := dialErr(t, &Dialer{TLS: sec.TLS(t), Resolver: res}, net.JoinHostPort("broker.test", port))
	if err == nil || !strings.Contains(err.Error(), "broker.test") {
		t.Errorf("a name the certificate lacks: %v, want a verification error naming it", err)
	}
	cfg := sec.TLS(t)
	cfg.ServerName = "localhost"
	if err := dialErr(t, &Dialer{TLS: cfg, Resolver: res}, net.JoinHostPort("broker.test", port)); err != nil {
		t.Errorf("an explicit ServerName: %v", err)
	}
}

type resolverFunc func(ctx context.Context, host string) ([]string, error)

func (f resolverFunc) LookupHost(ctx context.Context, host string) ([]string, error) {
	return f(ctx, host)
}

// TestSecretsNotFormatted formats every configuration value that holds a
// mechanism, with %v, %+v, %#v and %s: no password or token shows.
func TestSecretsNotFormatted(t *testing.T) {
	const password, token = "formatted-password-secret", "formatted-token-secret"
	s512, _ := scram.Mechanism(scram.SHA512, "alice", password)
	mechs := []sasl.Mechanism{
		saslplain.Mechanism{Username: "alice", Password: password},
		s512,
		oauthbearer.Mechanism{TokenSource: oauthbearer.TokenSourceFunc(func(context.Context) (string, error) { return token, nil })},
	}
	for _, m := range mechs {
		d := &Dialer{SASLMechanism: m, TLS: &tls.Config{}}
		tr := &Transport{SASL: m}
		values := []any{
			m, d, *d, tr, *tr,
			&Writer{Addr: TCP("x:1"), Transport: tr},
			WriterConfig{Brokers: []string{"x:1"}, Dialer: d},
			NewWriter(WriterConfig{Brokers: []string{"x:1"}, Dialer: d}),
			ReaderConfig{Brokers: []string{"x:1"}, Dialer: d},
			NewReader(ReaderConfig{Brokers: []string{"x:1"}, Topic: "t", Dialer: d}),
			struct{ D Dialer }{*d},
		}
		for _, v := range values {
			for _, verb := range []string{"%v", "%+v", "%#v"} {
				out := fmt.Sprintf(verb, v)
				checkNoSecret(t, fmt.Sprintf("%s of %T (%s)", verb, v, m.Name()), out, password)
				checkNoSecret(t, fmt.Sprintf("%s of %T (%s)", verb, v, m.Name()), out, token)
			}
			if r, ok := v.(*Reader); ok {
				r.Close()
			}
			if w, ok := v.(*Writer); ok {
				w.Close()
			}
		}
	}
}
