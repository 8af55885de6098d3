package kafka_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/sasl/oauthbearer"
	"github.com/zeroalloc/kafka/sasl/plain"
	"github.com/zeroalloc/kafka/sasl/scram"
)

// TLS: the broker's certificate is verified against the CA, for the host
// dialed (the Dialer sets ServerName from the address).
func Example_tls() {
	sec := kafkatest.ExampleSecured()
	broker := sec.SSL[0]                          // a TLS listener, "broker:9093"
	caFile := filepath.Join(sec.TLSDir, "ca.pem") // the CA that signed the brokers' certificates

	pem, err := os.ReadFile(caFile)
	if err != nil {
		panic(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	dialer := &kafka.Dialer{
		Timeout: 10 * time.Second,
		TLS:     &tls.Config{RootCAs: roots},
	}

	conn, err := dialer.DialLeader(context.Background(), "tcp", broker, kafkatest.ExampleTopic("tls"), 0)
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.WriteMessages(kafka.Message{Value: []byte("over TLS")}); err != nil {
		panic(err)
	}
	last, _ := conn.ReadLastOffset()
	fmt.Println("last offset:", last)
	// Output: last offset: 1
}

// Mutual TLS: the client presents a certificate signed by a CA the
// listener trusts; the broker takes its subject as the principal.
func Example_mutualTLS() {
	sec := kafkatest.ExampleSecured()
	broker := sec.MTLS[0] // a listener with ssl.client.auth=required
	dir := sec.TLSDir     // ca.pem, client.pem, client-key.pem

	pem, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		panic(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem"))
	if err != nil {
		panic(err)
	}
	dialer := &kafka.Dialer{
		Timeout: 10 * time.Second,
		TLS:     &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}},
	}

	conn, err := dialer.DialLeader(context.Background(), "tcp", broker, kafkatest.ExampleTopic("mtls"), 0)
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.WriteMessages(kafka.Message{Value: []byte("with a client certificate")}); err != nil {
		panic(err)
	}
	last, _ := conn.ReadLastOffset()
	fmt.Println("last offset:", last)
	// Output: last offset: 1
}

// SASL/PLAIN over TLS (a SASL_SSL listener): a Writer takes the mechanism
// in its Transport, a Reader in its Dialer.
func Example_saslPlain() {
	sec := kafkatest.ExampleSecured()
	brokers := sec.SASLSSL                   // SASL_SSL listeners
	tlsConfig := sec.ExampleTLS(false)       // trusts the brokers' CA, as in Example_tls
	user, password := sec.User, sec.Password // kafkatest, kafkatest-secret
	topic := kafkatest.ExampleTopic("sasl-plain")

	mechanism := plain.Mechanism{Username: user, Password: password}
	w := &kafka.Writer{
		Addr:                   kafka.TCP(brokers...),
		Topic:                  topic,
		Transport:              &kafka.Transport{TLS: tlsConfig, SASL: mechanism},
		AllowAutoTopicCreation: true,
	}
	if err := w.WriteMessages(context.Background(), kafka.Message{Value: []byte("hello over SASL/PLAIN")}); err != nil {
		panic(err)
	}
	w.Close()

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: brokers,
		Topic:   topic,
		Dialer:  &kafka.Dialer{Timeout: 10 * time.Second, TLS: tlsConfig, SASLMechanism: mechanism},
	})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := r.ReadMessage(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", m.Value)
	// Output: hello over SASL/PLAIN
}

// SASL/SCRAM-SHA-512 (SCRAM-SHA-256 likewise, with scram.SHA256): the
// password never travels, and the client checks that the broker knows the
// user's keys. A Reader in a group authenticates its coordinator
// connections the same way.
func Example_saslSCRAM() {
	sec := kafkatest.ExampleSecured()
	brokers := sec.SASLSSL
	tlsConfig := sec.ExampleTLS(false)
	user, password := sec.User, sec.Password
	topic := kafkatest.ExampleTopic("sasl-scram")

	mechanism, err := scram.Mechanism(scram.SHA512, user, password)
	if err != nil {
		panic(err)
	}
	w := &kafka.Writer{
		Addr:                   kafka.TCP(brokers...),
		Topic:                  topic,
		Transport:              &kafka.Transport{TLS: tlsConfig, SASL: mechanism},
		AllowAutoTopicCreation: true,
	}
	if err := w.WriteMessages(context.Background(), kafka.Message{Value: []byte("hello over SCRAM-SHA-512")}); err != nil {
		panic(err)
	}
	w.Close()

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     brokers,
		GroupID:     topic + "-group",
		Topic:       topic,
		StartOffset: kafka.FirstOffset,
		Dialer:      &kafka.Dialer{Timeout: 10 * time.Second, TLS: tlsConfig, SASLMechanism: mechanism},
	})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := r.ReadMessage(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", m.Value)
	// Output: hello over SCRAM-SHA-512
}

// SASL/OAUTHBEARER: the token source is called for every authentication,
// including the re-authentications a broker asks for before a token
// expires, so a source that refreshes its token keeps connections alive.
// The test brokers accept unsigned tokens; a real one verifies them.
func Example_saslOAuthBearer() {
	sec := kafkatest.ExampleSecured()
	brokers := sec.SASLSSL
	tlsConfig := sec.ExampleTLS(false)
	topic := kafkatest.ExampleTopic("sasl-oauthbearer")

	mechanism := oauthbearer.Mechanism{
		TokenSource: oauthbearer.TokenSourceFunc(func(ctx context.Context) (string, error) {
			// Fetch or refresh a token from the identity provider here.
			return oauthbearer.UnsecuredJWT("kafkatest", time.Hour), nil
		}),
	}
	dialer := &kafka.Dialer{Timeout: 10 * time.Second, TLS: tlsConfig, SASLMechanism: mechanism}
	conn, err := dialer.DialLeader(context.Background(), "tcp", brokers[0], topic, 0)
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.WriteMessages(kafka.Message{Value: []byte("with a bearer token")}); err != nil {
		panic(err)
	}
	last, _ := conn.ReadLastOffset()
	fmt.Println("last offset:", last)
	// Output: last offset: 1
}
