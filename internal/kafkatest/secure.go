package kafkatest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Security describes the secured listeners of a test cluster (see
// scripts/kafka): their addresses, one per node in node order (the slices
// are the caller's), the folder
// of the throw-away CA and client certificate, and the test user's
// credentials. The broker's authorizer denies that user every topic whose
// name begins with DeniedPrefix.
type Security struct {
	// SSL listeners take TLS from any client.
	SSL []string
	// MTLS listeners take TLS with a client certificate signed by the CA
	// (ClientTLS); its principal is User.
	MTLS []string
	// SASLPlaintext listeners take SASL without TLS: PLAIN, SCRAM-SHA-256,
	// SCRAM-SHA-512 and OAUTHBEARER (unsecured JWTs: any token whose
	// subject is User is User).
	SASLPlaintext []string
	// SASLSSL listeners take the same SASL mechanisms over TLS.
	SASLSSL []string
	// SASLReauth listeners are SASLSSL ones whose sessions last 3 seconds:
	// a client must re-authenticate its connections (KIP-368) to keep them.
	SASLReauth []string
	// TLSDir holds ca.pem, client.pem and client-key.pem.
	TLSDir string
	// User and Password are valid for PLAIN and both SCRAM mechanisms.
	User, Password string
}

// DeniedPrefix begins the names of the topics the test user is denied.
const DeniedPrefix = "denied-"

// Secured returns the secured listeners of the 1-node test cluster, from
// the environment (KAFKA_BROKERS_SSL, KAFKA_BROKERS_MTLS,
// KAFKA_BROKERS_SASL_PLAINTEXT, KAFKA_BROKERS_SASL_SSL,
// KAFKA_BROKERS_SASL_REAUTH, KAFKA_TLS_DIR, KAFKA_SASL_USER and
// KAFKA_SASL_PASSWORD, all set) or from `scripts/kafka up`. Without them the
// test is skipped, or fails when CI is set.
func Secured(tb testing.TB) *Security {
	tb.Helper()
	return single.secured(tb)
}

// Secured3 is Secured for the 3-node test cluster (the environment's names
// with KAFKA_BROKERS_3_ and KAFKA_TLS_DIR_3), which it holds as Cluster3
// does: until tb ends, no test of another process uses the cluster.
func Secured3(tb testing.TB) *Security {
	tb.Helper()
	holdCluster3(tb)
	return triple.secured(tb)
}

// ExampleSecured returns the secured listeners of the 1-node test cluster
// for Example functions; it panics when there are none.
func ExampleSecured() *Security {
	s, err := single.security()
	if err != nil {
		panic("kafkatest: no secured Kafka listeners for the example: " + err.Error())
	}
	return s
}

// TLS returns a TLS configuration that trusts the cluster's CA, for the
// SSL, SASLSSL and SASLReauth listeners.
func (s *Security) TLS(tb testing.TB) *tls.Config {
	tb.Helper()
	cfg, err := s.tlsConfig(false)
	if err != nil {
		tb.Fatalf("kafkatest: %v", err)
	}
	return cfg
}

// ClientTLS is TLS with the client certificate, for the MTLS listeners.
func (s *Security) ClientTLS(tb testing.TB) *tls.Config {
	tb.Helper()
	cfg, err := s.tlsConfig(true)
	if err != nil {
		tb.Fatalf("kafkatest: %v", err)
	}
	return cfg
}

// ExampleTLS is TLS for Example functions; it panics on error.
func (s *Security) ExampleTLS(client bool) *tls.Config {
	cfg, err := s.tlsConfig(client)
	if err != nil {
		panic("kafkatest: " + err.Error())
	}
	return cfg
}

func (s *Security) tlsConfig(client bool) (*tls.Config, error) {
	ca, err := os.ReadFile(filepath.Join(s.TLSDir, "ca.pem"))
	if err != nil {
		return nil, fmt.Errorf("the test cluster's CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("no certificate in %s", filepath.Join(s.TLSDir, "ca.pem"))
	}
	cfg := &tls.Config{RootCAs: pool}
	if client {
		cert, err := tls.LoadX509KeyPair(filepath.Join(s.TLSDir, "client.pem"), filepath.Join(s.TLSDir, "client-key.pem"))
		if err != nil {
			return nil, fmt.Errorf("the test client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// DeniedTopic returns a topic name unique to this call that the test user
// is denied (Topic's, after DeniedPrefix).
func DeniedTopic(tb testing.TB) string {
	tb.Helper()
	name := DeniedPrefix + Topic(tb)
	if len(name) > maxTopicLen {
		name = DeniedPrefix + name[len(name)-maxTopicLen+len(DeniedPrefix):]
	}
	return name
}

func (c *cluster) secured(tb testing.TB) *Security {
	tb.Helper()
	s, err := c.security()
	if err != nil {
		unavailable(tb, err)
	}
	cp := *s
	for _, l := range []*[]string{&cp.SSL, &cp.MTLS, &cp.SASLPlaintext, &cp.SASLSSL, &cp.SASLReauth} {
		*l = slices.Clone(*l)
	}
	return &cp
}

func (c *cluster) security() (*Security, error) {
	c.secOnce.Do(func() { c.secErr = c.provisionSecurity() })
	return &c.sec, c.secErr
}

// secureEnv names the environment variables of a cluster's secured
// listeners: the suffix after KAFKA_BROKERS_ (or KAFKA_BROKERS_3_).
var secureEnv = []string{"SSL", "MTLS", "SASL_PLAINTEXT", "SASL_SSL", "SASL_REAUTH"}

func (c *cluster) provisionSecurity() error {
	vars := map[string]string{}
	tlsEnv := "KAFKA_TLS_DIR"
	if c.nodes != 1 {
		tlsEnv += fmt.Sprintf("_%d", c.nodes)
	}
	if os.Getenv(c.env+"_SASL_SSL") != "" {
		for _, k := range secureEnv {
			vars["KAFKA_BROKERS_"+k] = os.Getenv(c.env + "_" + k)
		}
		vars["KAFKA_TLS_DIR"] = os.Getenv(tlsEnv)
		vars["KAFKA_SASL_USER"] = os.Getenv("KAFKA_SASL_USER")
		vars["KAFKA_SASL_PASSWORD"] = os.Getenv("KAFKA_SASL_PASSWORD")
	} else {
		up, _, err := c.runUp()
		if err != nil {
			return err
		}
		if up["KAFKA_BROKERS_SASL_SSL"] == "" {
			return errors.New("the test cluster has no secured listeners (scripts/kafka up printed no KAFKA_BROKERS_SASL_SSL line): it was made by an older scripts/kafka; remake it with scripts/kafka down, then up")
		}
		vars = up
	}
	s := &c.sec
	for _, f := range []struct {
		dst *[]string
		key string
	}{
		{&s.SSL, "SSL"}, {&s.MTLS, "MTLS"}, {&s.SASLPlaintext, "SASL_PLAINTEXT"},
		{&s.SASLSSL, "SASL_SSL"}, {&s.SASLReauth, "SASL_REAUTH"},
	} {
		*f.dst = parseBrokers(vars["KAFKA_BROKERS_"+f.key])
		if len(*f.dst) != c.nodes {
			return fmt.Errorf("KAFKA_BROKERS_%s of the %d-node cluster names %d brokers: %q", f.key, c.nodes, len(*f.dst), vars["KAFKA_BROKERS_"+f.key])
		}
	}
	s.TLSDir, s.User, s.Password = vars["KAFKA_TLS_DIR"], vars["KAFKA_SASL_USER"], vars["KAFKA_SASL_PASSWORD"]
	if s.TLSDir == "" || s.User == "" || s.Password == "" {
		return fmt.Errorf("the %d-node cluster's TLS folder (%s) or SASL credentials (KAFKA_SASL_USER, KAFKA_SASL_PASSWORD) are not set", c.nodes, tlsEnv)
	}
	return nil
}
