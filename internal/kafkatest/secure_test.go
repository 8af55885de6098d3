package kafkatest

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"
)

// TestSecured checks the secured listeners scripts/kafka reports: a TLS
// handshake with the cluster's CA succeeds on every TLS listener (with the
// client certificate on MTLS, which refuses a client without one), and
// the SASL_PLAINTEXT listener answers ApiVersions, which needs no
// authentication.
func TestSecured(t *testing.T) {
	s := Secured(t)
	if s.User == "" || s.Password == "" {
		t.Fatalf("no credentials: %+v", s)
	}
	for _, l := range []struct {
		name  string
		addrs []string
		cfg   *tls.Config
	}{
		{"SSL", s.SSL, s.TLS(t)},
		{"MTLS", s.MTLS, s.ClientTLS(t)},
		{"SASL_SSL", s.SASLSSL, s.TLS(t)},
		{"SASL_REAUTH", s.SASLReauth, s.TLS(t)},
	} {
		for _, addr := range l.addrs {
			if err := tlsRoundTrip(addr, l.cfg); err != nil {
				t.Errorf("%s %s: %v", l.name, addr, err)
			}
		}
	}
	if err := tlsRoundTrip(s.MTLS[0], s.TLS(t)); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("MTLS without a client certificate: %v, want the broker to refuse it", err)
	}
	for _, addr := range s.SASLPlaintext {
		checkApiVersions(t, addr, 3)
	}
	if !strings.HasPrefix(DeniedTopic(t), DeniedPrefix) || !validTopic.MatchString(DeniedTopic(t)) {
		t.Errorf("DeniedTopic() = %q", DeniedTopic(t))
	}
}

// tlsRoundTrip makes a TLS connection to addr and reads a byte after the
// handshake, which a TLS 1.3 server refusing the client's certificate
// answers with an alert.
func tlsRoundTrip(addr string, cfg *tls.Config) error {
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
		return nil // the broker waits for a request, as it should
	}
	return err
}
