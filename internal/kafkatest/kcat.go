package kafkatest

import (
	"os"
	"os/exec"
	"testing"
)

// Kcat returns the path of kcat (librdkafka's command-line client), the
// second client of the interop tests. `make test` installs it; without it a
// test fails in CI and is skipped elsewhere.
func Kcat(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("kcat is not installed (make test installs it): %v", err)
		}
		tb.Skipf("kcat is not installed: %v", err)
	}
	return path
}
