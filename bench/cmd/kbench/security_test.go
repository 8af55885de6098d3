package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// TestSecuritySmoke runs every client in every scenario over the SASL_SSL
// listener with SCRAM-SHA-512 (-security sasl_ssl), a few hundred messages
// each: every run must verify, every client's settings must say how it was
// secured, and the password must be in no result file.
func TestSecuritySmoke(t *testing.T) {
	sec := kafkatest.Secured(t)
	t.Setenv("KAFKA_BROKERS_SASL_SSL", strings.Join(sec.SASLSSL, ","))
	t.Setenv("KAFKA_TLS_DIR", sec.TLSDir)
	t.Setenv("KAFKA_SASL_USER", sec.User)
	t.Setenv("KAFKA_SASL_PASSWORD", sec.Password)
	out := t.TempDir()
	rep := runKbench(t, 5*time.Minute, "-security", "sasl_ssl", "-count", "300", "-out", out)
	runs := 0
	for _, r := range rep.Results {
		runs++
		if !r.Verified {
			t.Errorf("%s %s: not verified: %s (error: %s)", r.Scenario, r.Client, r.Problem, r.Err)
		}
		if !strings.Contains(r.Settings, "SASL_SSL with SCRAM-SHA-512") || r.Config.Security != "sasl_ssl" {
			t.Errorf("%s %s: settings %q do not say it ran over SASL_SSL", r.Scenario, r.Client, r.Settings)
		}
		if strings.Join(r.Config.Brokers, ",") != strings.Join(kafkatest.Brokers(t), ",") {
			t.Errorf("%s %s: the runner checked %v, not the plaintext listener", r.Scenario, r.Client, r.Config.Brokers)
		}
	}
	if runs < 4*len(clientNames())-2 {
		t.Errorf("%d runs", runs)
	}
	files, err := rep.save(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), sec.Password) {
			t.Errorf("%s holds the SASL password", f)
		}
	}
}
