package kafkatest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// The 3-node cluster is shared by the test processes of one `go test ./...`
// run, which go test runs in parallel, and its tests kill, stop and restart
// nodes: two of them at once would take down two nodes of three, and a test
// that needs the others up (min.insync.replicas is 2) would fail for
// another's doing. So a test that uses it holds an exclusive lock on a file
// of the checkout until it ends: such tests run one at a time across
// packages. Within a process the lock is counted, so that a test, its
// subtests and helpers may each ask for it.
var hold3 struct {
	sync.Mutex
	n int
	f *os.File
}

// cluster3LockName returns the name of the lock file of the 3-node
// cluster under test: "cluster3" for the cluster of scripts/kafka's default
// Kafka version, "cluster3-<version>" for the cluster of another
// KAFKA_VERSION, which scripts/kafka keeps apart (so that a 3.9 and a 4.4
// run do not wait for each other, and a 3.9 run and a 4.4 run that share a
// cluster cannot happen).
func cluster3LockName(root string) (string, error) {
	v := os.Getenv("KAFKA_VERSION")
	if v == "" {
		return "cluster3", nil
	}
	def, err := defaultVersion(root)
	if err != nil {
		return "", err
	}
	if v == def {
		return "cluster3", nil
	}
	return "cluster3-" + v, nil
}

// defaultVersion reads the default Kafka version from scripts/kafka (its
// DEFAULT_VERSION line), the one whose clusters keep the plain names.
func defaultVersion(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "scripts", "kafka"))
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "readonly DEFAULT_VERSION="); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New("scripts/kafka has no DEFAULT_VERSION line")
}

// holdCluster3 takes the 3-node cluster's lock for tb (see hold3), waiting
// for a test of another process to end, and gives it back when tb ends.
func holdCluster3(tb testing.TB) {
	tb.Helper()
	hold3.Lock()
	defer hold3.Unlock()
	if hold3.n == 0 {
		root, err := repoRoot()
		if err != nil {
			tb.Fatalf("kafkatest: the 3-node cluster's lock: %v", err)
		}
		dir := filepath.Join(root, ".cache", "kafka", "locks")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatalf("kafkatest: the 3-node cluster's lock: %v", err)
		}
		name, err := cluster3LockName(root)
		if err != nil {
			tb.Fatalf("kafkatest: the 3-node cluster's lock: %v", err)
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			tb.Fatalf("kafkatest: the 3-node cluster's lock: %v", err)
		}
		for {
			err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
			if err != syscall.EINTR {
				break
			}
		}
		if err != nil {
			f.Close()
			tb.Fatalf("kafkatest: the 3-node cluster's lock: %v", err)
		}
		hold3.f = f
	}
	hold3.n++
	tb.Cleanup(func() {
		hold3.Lock()
		defer hold3.Unlock()
		if hold3.n--; hold3.n == 0 {
			hold3.f.Close() // releases the lock
			hold3.f = nil
		}
	})
}
