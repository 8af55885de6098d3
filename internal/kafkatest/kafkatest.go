// Package kafkatest gives tests a real Apache Kafka cluster and unique topic
// names.
//
// Brokers and Cluster3 return the addresses of a 1-node and a 3-node KRaft
// cluster. They take them from the environment (KAFKA_BROKERS,
// KAFKA_BROKERS_3) when set; otherwise the first call in a test process runs
// scripts/kafka up, which starts a cluster or reuses the one already running,
// so all packages of a `go test ./...` run share one cluster of each size.
// Secured and Secured3 return the same clusters' secured listeners (TLS,
// mutual TLS, SASL with and without TLS), their CA and the test user's
// credentials. When no cluster can be had, the test is skipped, or fails if
// the environment variable CI is set: CI never skips a test for want of a
// broker.
//
// The package uses only the standard library and none of the client's
// packages, so it can test them all.
package kafkatest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// upTimeout bounds one run of scripts/kafka up: a cold first run resolves
// the jars with Maven and starts the JVMs.
const upTimeout = 5 * time.Minute

type cluster struct {
	nodes int
	env   string
	once  sync.Once
	addrs []string
	err   error

	// upOnce runs scripts/kafka up once for both: its lines by name.
	upOnce sync.Once
	up     map[string]string
	upErr  error

	secOnce sync.Once
	sec     Security
	secErr  error
}

var (
	single = &cluster{nodes: 1, env: "KAFKA_BROKERS"}
	triple = &cluster{nodes: 3, env: "KAFKA_BROKERS_3"}
)

// Brokers returns the host:port addresses of the 1-node test cluster, from
// KAFKA_BROKERS or from `scripts/kafka up`. The slice is the caller's.
func Brokers(tb testing.TB) []string {
	tb.Helper()
	return single.get(tb)
}

// Cluster3 returns the host:port addresses of the 3-node test cluster, node 1
// first, from KAFKA_BROKERS_3 or from `scripts/kafka up --nodes 3`. The
// slice is the caller's. Until tb ends, no test of another process uses
// the cluster (they wait in Cluster3): its tests kill and restart nodes.
func Cluster3(tb testing.TB) []string {
	tb.Helper()
	holdCluster3(tb)
	return triple.get(tb)
}

// ExampleBroker returns the address of the 1-node test cluster for Example
// functions, which have no testing.TB: it panics when there is none, which
// fails the example loudly.
func ExampleBroker() string {
	single.once.Do(func() { single.addrs, single.err = single.provision() })
	if single.err != nil {
		panic("kafkatest: no Kafka cluster for the example: " + single.err.Error())
	}
	return single.addrs[0]
}

// ExampleTopic returns a fresh topic name for an Example function.
func ExampleTopic(name string) string {
	return fmt.Sprintf("example-%s-%d-%d", name, os.Getpid(), time.Now().UnixNano())
}

func (c *cluster) get(tb testing.TB) []string {
	tb.Helper()
	c.once.Do(func() { c.addrs, c.err = c.provision() })
	if c.err != nil {
		unavailable(tb, c.err)
	}
	return append([]string(nil), c.addrs...)
}

func (c *cluster) provision() ([]string, error) {
	if v := os.Getenv(c.env); v != "" {
		addrs := parseBrokers(v)
		if len(addrs) == 0 {
			return nil, fmt.Errorf("%s=%q names no broker", c.env, v)
		}
		return addrs, nil
	}
	vars, last, err := c.runUp()
	if err != nil {
		return nil, err
	}
	_, ok := strings.CutPrefix(last, "KAFKA_BROKERS=")
	if !ok {
		return nil, fmt.Errorf("scripts/kafka up printed %q as its last line, want KAFKA_BROKERS=host:port[,host:port]", last)
	}
	addrs := parseBrokers(vars["KAFKA_BROKERS"])
	if len(addrs) != c.nodes {
		return nil, fmt.Errorf("scripts/kafka up --nodes %d printed %d addresses: %q", c.nodes, len(addrs), last)
	}
	return addrs, nil
}

// runUp runs scripts/kafka up for c once and returns the NAME=value lines it
// printed, and its last line.
func (c *cluster) runUp() (map[string]string, string, error) {
	var last string
	c.upOnce.Do(func() {
		out, err := script(upTimeout, "up", "--nodes", strconv.Itoa(c.nodes))
		if err != nil {
			c.upErr = err
			return
		}
		c.up = map[string]string{}
		for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
			line = strings.TrimSpace(line)
			if k, v, ok := strings.Cut(line, "="); ok {
				c.up[k] = v
			}
			last = line
		}
		c.up[""] = last
	})
	return c.up, c.up[""], c.upErr
}

// parseBrokers splits a comma-separated address list, dropping blanks.
func parseBrokers(s string) []string {
	var addrs []string
	for a := range strings.SplitSeq(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("kafkatest: no Kafka cluster (CI is set, so this fails instead of skipping): %v", err)
	}
	tb.Skipf("kafkatest: no Kafka cluster, skipping (set KAFKA_BROKERS, or install Java 17+ and Maven for scripts/kafka): %v", err)
}

// Kill sends SIGKILL to node (1..nodes) of the nodes-node cluster started by
// scripts/kafka and returns once the process has exited.
func Kill(tb testing.TB, nodes, node int) {
	tb.Helper()
	nodeCommand(tb, "kill", nodes, node)
}

// Stop sends SIGTERM to node (1..nodes) of the nodes-node cluster and returns
// once the node has shut down cleanly.
func Stop(tb testing.TB, nodes, node int) {
	tb.Helper()
	nodeCommand(tb, "stop", nodes, node)
}

// Start restarts a stopped or killed node (1..nodes) of the nodes-node
// cluster with its old configuration and ports, and returns once it serves
// metadata listing every running node.
func Start(tb testing.TB, nodes, node int) {
	tb.Helper()
	nodeCommand(tb, "start", nodes, node)
}

func nodeCommand(tb testing.TB, cmd string, nodes, node int) {
	tb.Helper()
	if _, err := script(upTimeout, cmd, "--nodes", strconv.Itoa(nodes), strconv.Itoa(node)); err != nil {
		tb.Fatalf("kafkatest: %v", err)
	}
}

// script runs scripts/kafka with args and returns its stdout. The error
// carries the tail of its stderr.
func script(timeout time.Duration, args ...string) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "kafka"), args...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("scripts/kafka %s: %v\n%s", strings.Join(args, " "), err, tail(stderr.String(), 40))
	}
	return stdout.String(), nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var (
	rootOnce sync.Once
	root     string
	rootErr  error
)

// repoRoot finds the repository root: the nearest directory at or above the
// working directory (a package directory under go test) holding scripts/kafka.
func repoRoot() (string, error) {
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		for {
			if fi, err := os.Stat(filepath.Join(dir, "scripts", "kafka")); err == nil && !fi.IsDir() {
				root = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootErr = errors.New("no scripts/kafka in the working directory or above it")
				return
			}
			dir = parent
		}
	})
	return root, rootErr
}

// maxTopicLen is Kafka's limit on topic name length.
const maxTopicLen = 249

// Topic returns a topic name unique to this call: the test's name with
// characters Kafka rejects (and '.', which Kafka treats as colliding with '_')
// replaced by '_', then a random suffix. The topic is not created; the test
// brokers create topics on first use.
func Topic(tb testing.TB) string {
	tb.Helper()
	suffix := fmt.Sprintf("-%016x", rand.Uint64())
	name := []byte(tb.Name())
	for i, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			name[i] = '_'
		}
	}
	if len(name) == 0 {
		name = []byte("topic")
	}
	if max := maxTopicLen - len(suffix); len(name) > max {
		name = name[:max]
	}
	return string(name) + suffix
}
