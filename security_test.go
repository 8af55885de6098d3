package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/sasl"
	"github.com/zeroalloc/kafka/sasl/oauthbearer"
	saslplain "github.com/zeroalloc/kafka/sasl/plain"
	"github.com/zeroalloc/kafka/sasl/scram"
)

// secureSetup is one way of connecting to a secured listener: its
// addresses and the TLS configuration and SASL mechanism that go with it.
type secureSetup struct {
	name  string
	addrs []string
	tls   *tls.Config
	mech  sasl.Mechanism
}

// dialer returns a Dialer of the setup.
func (s secureSetup) dialer() *Dialer {
	return &Dialer{Timeout: 10 * time.Second, TLS: s.tls, SASLMechanism: s.mech}
}

// transport returns a Transport of the setup.
func (s secureSetup) transport() *Transport {
	return &Transport{TLS: s.tls, SASL: s.mech}
}

// mechanisms returns the test user's mechanisms: PLAIN, SCRAM-SHA-256,
// SCRAM-SHA-512 and OAUTHBEARER with a fresh unsecured token per
// authentication.
func mechanisms(t testing.TB, sec *kafkatest.Security) []sasl.Mechanism {
	t.Helper()
	s256, err := scram.Mechanism(scram.SHA256, sec.User, sec.Password)
	if err != nil {
		t.Fatal(err)
	}
	s512, err := scram.Mechanism(scram.SHA512, sec.User, sec.Password)
	if err != nil {
		t.Fatal(err)
	}
	return []sasl.Mechanism{
		saslplain.Mechanism{Username: sec.User, Password: sec.Password},
		s256,
		s512,
		oauthbearer.Mechanism{TokenSource: unsecuredTokens(sec.User, time.Hour)},
	}
}

// unsecuredTokens returns a token source of unsigned JWTs naming subject,
// as the test brokers' unsecured validator accepts.
func unsecuredTokens(subject string, lifetime time.Duration) oauthbearer.TokenSource {
	return oauthbearer.TokenSourceFunc(func(ctx context.Context) (string, error) {
		return oauthbearer.UnsecuredJWT(subject, lifetime), nil
	})
}

// secureSetups returns every listener of sec with every mechanism it takes.
func secureSetups(t testing.TB, sec *kafkatest.Security) []secureSetup {
	t.Helper()
	setups := []secureSetup{
		{"SSL", sec.SSL, sec.TLS(t), nil},
		{"MTLS", sec.MTLS, sec.ClientTLS(t), nil},
	}
	for _, m := range mechanisms(t, sec) {
		setups = append(setups,
			secureSetup{"SASL_PLAINTEXT/" + m.Name(), sec.SASLPlaintext, nil, m},
			secureSetup{"SASL_SSL/" + m.Name(), sec.SASLSSL, sec.TLS(t), m})
	}
	return setups
}

// TestSecuredListeners checks that every client surface works on every
// secured listener with every mechanism: a Writer, a Conn (writing, then
// reading by partition), a Reader of a partition and a Reader in a group
// each produce or read back the same messages.
func TestSecuredListeners(t *testing.T) {
	sec := kafkatest.Secured(t)
	for _, s := range secureSetups(t, sec) {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			checkSecuredSurfaces(t, s)
		})
	}
}

func checkSecuredSurfaces(t *testing.T, s secureSetup) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := kafkatest.Topic(t)
	const n = 10
	w := &Writer{Addr: TCP(s.addrs...), Topic: topic, Transport: s.transport(), BatchTimeout: time.Millisecond, AllowAutoTopicCreation: true}
	defer w.Close()
	for i := 0; i < n; i++ {
		if err := w.WriteMessages(ctx, Message{Value: []byte("w" + strconv.Itoa(i))}); err != nil {
			t.Fatalf("Writer: %v", err)
		}
	}
	conn, err := s.dialer().DialLeader(ctx, "tcp", s.addrs[0], topic, 0)
	if err != nil {
		t.Fatalf("DialLeader: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	for i := 0; i < n; i++ {
		if _, err := conn.WriteMessages(Message{Value: []byte("c" + strconv.Itoa(i))}); err != nil {
			t.Fatalf("Conn.WriteMessages: %v", err)
		}
	}
	want := make([]string, 0, 2*n)
	for i := 0; i < n; i++ {
		want = append(want, "w"+strconv.Itoa(i))
	}
	for i := 0; i < n; i++ {
		want = append(want, "c"+strconv.Itoa(i))
	}
	if _, err := conn.Seek(0, SeekAbsolute); err != nil {
		t.Fatalf("Conn.Seek: %v", err)
	}
	b := conn.ReadBatch(1, 1<<20)
	var got []string
	for len(got) < len(want) {
		m, err := b.ReadMessage()
		if err != nil {
			break
		}
		got = append(got, string(m.Value))
	}
	b.Close()
	checkValues(t, "Conn.ReadBatch", got, want)

	r := NewReader(ReaderConfig{Brokers: s.addrs, Topic: topic, Dialer: s.dialer(), MaxWait: 100 * time.Millisecond})
	defer r.Close()
	checkValues(t, "Reader", readN(ctx, t, r, len(want)), want)

	g := NewReader(ReaderConfig{Brokers: s.addrs, Topic: topic, GroupID: topic, Dialer: s.dialer(),
		MaxWait: 100 * time.Millisecond, StartOffset: FirstOffset, HeartbeatInterval: 500 * time.Millisecond})
	defer g.Close()
	checkValues(t, "group Reader", readN(ctx, t, g, len(want)), want)
}

// readN reads n messages' values with r.
func readN(ctx context.Context, t *testing.T, r *Reader, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("after %d messages: %v", len(got), err)
		}
		got = append(got, string(m.Value))
	}
	return got
}

func checkValues(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s read %q, want %q", what, got, want)
	}
}

// TestSecuredDeniedTopic checks that the broker's authorizer reaches every
// surface as TopicAuthorizationFailed: the test user is denied the topics
// named denied-*, over SASL and over mutual TLS alike.
func TestSecuredDeniedTopic(t *testing.T) {
	sec := kafkatest.Secured(t)
	s512, err := scram.Mechanism(scram.SHA512, sec.User, sec.Password)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []secureSetup{
		{"SASL_SSL/SCRAM-SHA-512", sec.SASLSSL, sec.TLS(t), s512},
		{"MTLS", sec.MTLS, sec.ClientTLS(t), nil},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			topic := kafkatest.DeniedTopic(t)
			w := &Writer{Addr: TCP(s.addrs...), Topic: topic, Transport: s.transport(), MaxAttempts: 2}
			defer w.Close()
			err := w.WriteMessages(ctx, Message{Value: []byte("x")})
			if !errors.Is(err, TopicAuthorizationFailed) {
				t.Errorf("Writer: %v, want TopicAuthorizationFailed", err)
			}
			_, err = s.dialer().DialLeader(ctx, "tcp", s.addrs[0], topic, 0)
			if !errors.Is(err, TopicAuthorizationFailed) {
				t.Errorf("DialLeader: %v, want TopicAuthorizationFailed", err)
			}
			r := NewReader(ReaderConfig{Brokers: s.addrs, Topic: topic, Dialer: s.dialer(), MaxAttempts: 1})
			defer r.Close()
			rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
			_, err = r.ReadMessage(rctx)
			rcancel()
			if !errors.Is(err, TopicAuthorizationFailed) {
				t.Errorf("Reader: %v, want TopicAuthorizationFailed", err)
			}
		})
	}
}
