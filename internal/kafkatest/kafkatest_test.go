package kafkatest

import (
	"errors"
	"net"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestApiVersions(t *testing.T) {
	clusters := []struct {
		name  string
		addrs func(testing.TB) []string
	}{
		{"1node", Brokers},
		{"3nodes", Cluster3},
	}
	for _, c := range clusters {
		t.Run(c.name, func(t *testing.T) {
			addrs := c.addrs(t)
			for _, addr := range addrs {
				for _, version := range []int16{0, 3} {
					checkApiVersions(t, addr, version)
				}
				brokers, err := metadataBrokers(addr)
				if err != nil {
					t.Fatalf("Metadata from %s: %v", addr, err)
				}
				if len(brokers) != len(addrs) {
					t.Errorf("Metadata from %s lists %d brokers %v, want %d", addr, len(brokers), brokers, len(addrs))
				}
			}
		})
	}
}

func checkApiVersions(t *testing.T, addr string, version int16) {
	t.Helper()
	code, apis, err := apiVersions(addr, version)
	if err != nil {
		t.Fatalf("ApiVersions v%d from %s: %v", version, addr, err)
	}
	if code != 0 {
		t.Fatalf("ApiVersions v%d from %s: error code %d", version, addr, code)
	}
	for _, want := range []struct {
		key    int16
		name   string
		minMax int16
	}{
		{apiKeyProduce, "Produce", 3},
		{apiKeyFetch, "Fetch", 4},
		{apiKeyMetadata, "Metadata", 4},
		{apiKeyApiVersions, "ApiVersions", 3},
	} {
		r, ok := apis[want.key]
		switch {
		case !ok:
			t.Errorf("ApiVersions v%d from %s: no %s (key %d) among %d APIs", version, addr, want.name, want.key, len(apis))
		case r.min < 0 || r.min > r.max:
			t.Errorf("ApiVersions v%d from %s: %s versions %d..%d", version, addr, want.name, r.min, r.max)
		case r.max < want.minMax:
			t.Errorf("ApiVersions v%d from %s: %s max version %d, want at least %d", version, addr, want.name, r.max, want.minMax)
		}
	}
}

// TestKillAndStart kills node 2 of the 3-node cluster, checks that the
// others notice, restarts it and checks that it serves again.
func TestKillAndStart(t *testing.T) {
	addrs := Cluster3(t)
	down := false
	t.Cleanup(func() {
		if down {
			Start(t, 3, 2) // leave the shared cluster whole for other tests
		}
	})

	start := time.Now()
	Kill(t, 3, 2)
	down = true
	t.Logf("killed node 2 in %v", time.Since(start).Round(time.Millisecond))
	conn, err := net.DialTimeout("tcp", addrs[1], 2*time.Second)
	if err == nil {
		conn.Close()
		t.Fatalf("node 2 (%s) still accepts connections after Kill", addrs[1])
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dialing killed node 2 (%s): %v, want connection refused", addrs[1], err)
	}

	// The controller fences the silent broker after broker.session.timeout.ms.
	start = time.Now()
	awaitBrokerCount(t, addrs[0], 2, 30*time.Second)
	t.Logf("node 1 dropped node 2 from metadata after %v", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	Start(t, 3, 2)
	down = false
	t.Logf("restarted node 2 in %v", time.Since(start).Round(time.Millisecond))
	checkApiVersions(t, addrs[1], 3)
	awaitBrokerCount(t, addrs[1], 3, 30*time.Second)
	awaitBrokerCount(t, addrs[0], 3, 30*time.Second)
}

// awaitBrokerCount polls addr's metadata until it lists want brokers.
func awaitBrokerCount(t *testing.T, addr string, want int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		brokers, err := metadataBrokers(addr)
		if err == nil && len(brokers) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Metadata from %s after %v: %d brokers %v (err %v), want %d", addr, timeout, len(brokers), brokers, err, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var validTopic = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

func TestTopic(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		name := Topic(t)
		if !validTopic.MatchString(name) {
			t.Fatalf("Topic() = %q, not a valid Kafka topic name", name)
		}
		if !strings.HasPrefix(name, "TestTopic-") {
			t.Errorf("Topic() = %q, want the test name as prefix", name)
		}
		if seen[name] {
			t.Fatalf("Topic() returned %q twice", name)
		}
		seen[name] = true
	}
	t.Run("odd/chars.and spaces\u00e9", func(t *testing.T) {
		name := Topic(t)
		if !validTopic.MatchString(name) || strings.Contains(name, ".") {
			t.Fatalf("Topic() = %q, want only [a-zA-Z0-9_-]", name)
		}
	})
	t.Run(strings.Repeat("long", 100), func(t *testing.T) {
		a, b := Topic(t), Topic(t)
		if !validTopic.MatchString(a) || len(a) != maxTopicLen {
			t.Fatalf("Topic() = %q (%d chars), want a valid name of %d chars", a, len(a), maxTopicLen)
		}
		if a == b {
			t.Fatalf("Topic() returned %q twice", a)
		}
	})
}

func TestParseBrokers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"127.0.0.1:9092", []string{"127.0.0.1:9092"}},
		{" a:1, b:2 ,,c:3,", []string{"a:1", "b:2", "c:3"}},
	} {
		if got := parseBrokers(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("parseBrokers(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCluster3LockName: the 3-node cluster of each Kafka version has a
// lock of its own, as scripts/kafka gives it a run directory of its own;
// the default version's keeps the plain name, also when named explicitly.
func TestCluster3LockName(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	def, err := defaultVersion(root)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(def) {
		t.Fatalf("default version %q read from scripts/kafka", def)
	}
	for _, tc := range []struct{ version, want string }{
		{"", "cluster3"},
		{def, "cluster3"},
		{"3.9.2", "cluster3-3.9.2"},
	} {
		t.Setenv("KAFKA_VERSION", tc.version)
		if got, err := cluster3LockName(root); err != nil || got != tc.want {
			t.Errorf("KAFKA_VERSION=%q: %q, %v, want %q", tc.version, got, err, tc.want)
		}
	}
}
