package plain

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestStart(t *testing.T) {
	m := Mechanism{Username: "alice", Password: "s3cret"}
	if m.Name() != "PLAIN" {
		t.Fatalf("Name() = %q", m.Name())
	}
	sess, ir, err := m.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(ir), "\x00alice\x00s3cret"; got != want {
		t.Fatalf("initial response %q, want %q", got, want)
	}
	if done, resp, err := sess.Next(context.Background(), nil); !done || resp != nil || err != nil {
		t.Fatalf("Next: %v %q %v", done, resp, err)
	}
}

// TestFormatHidesPassword formats the mechanism, alone and inside other
// values, with every usual verb.
func TestFormatHidesPassword(t *testing.T) {
	const password = "hunter2-very-secret"
	m := Mechanism{Username: "alice", Password: password}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T%v"} {
		for _, v := range []any{m, &m, struct{ M Mechanism }{m}, []any{m}, map[string]Mechanism{"k": m}} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, password) || strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", password)) {
				t.Errorf("%s of %T shows the password: %s", verb, v, out)
			}
		}
	}
	if got, want := fmt.Sprintf("%+v", m), "{Username:alice Password:[redacted]}"; got != want {
		t.Errorf("%%+v = %q, want %q", got, want)
	}
	if got, want := fmt.Sprintf("%#v", m), `plain.Mechanism{Username:"alice", Password:"[redacted]"}`; got != want {
		t.Errorf("%%#v = %q, want %q", got, want)
	}
}
