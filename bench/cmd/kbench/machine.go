package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Machine describes where the comparison ran.
type Machine struct {
	CPU          string            `json:"cpu"`
	Cores        int               `json:"cores"`
	GoVersion    string            `json:"go_version"`
	OS           string            `json:"os"`
	Kernel       string            `json:"kernel"`
	KafkaVersion string            `json:"kafka_version"`
	Commit       string            `json:"commit"`
	Modules      map[string]string `json:"modules"`
	// LoadStart and LoadEnd are the 1, 5 and 15 minute load averages
	// (/proc/loadavg) when the run started and ended: other work on the
	// machine moves the throughput figures more than the CPU ones.
	LoadStart string `json:"load_start,omitempty"`
	LoadEnd   string `json:"load_end,omitempty"`
}

// peerModules are the modules whose versions the results name.
var peerModules = []string{
	"github.com/segmentio/kafka-go",
	"github.com/twmb/franz-go",
	"github.com/IBM/sarama",
	"github.com/confluentinc/confluent-kafka-go/v2",
}

func machineInfo(ctx context.Context, root string, o *options) Machine {
	m := Machine{
		CPU:       cpuModel(),
		Cores:     runtime.NumCPU(),
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
		Modules:   map[string]string{},
		LoadStart: loadAverage(),
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.KafkaVersion = kafkaVersion(ctx, root, o)
	if root != "" {
		m.Commit = gitCommit(ctx, root)
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			for _, p := range peerModules {
				if d.Path == p {
					m.Modules[p] = d.Version
				}
			}
		}
	}
	m.Modules["librdkafka (bundled)"] = confluentLibVersion()
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// kafkaVersion is -kafka-version if given; otherwise the version of the
// repository's 1-node cluster when the brokers are that cluster's
// (scripts/kafka records it); otherwise what the first broker's
// ApiVersions answer tells (versionFromAPIs).
func kafkaVersion(ctx context.Context, root string, o *options) string {
	if o.KafkaVersion != "" {
		return o.KafkaVersion
	}
	if v := scriptVersion(ctx, root, o.Brokers); v != "" {
		return v
	}
	apis, err := fingerprint(ctx, o.Brokers[0])
	if err != nil {
		return "unknown (pass -kafka-version; ApiVersions: " + err.Error() + ")"
	}
	return versionFromAPIs(apis)
}

// scriptVersion returns the version of the repository's 1-node cluster if
// brokers are that cluster's, else "".
func scriptVersion(ctx context.Context, root string, brokers []string) string {
	if root == "" {
		return ""
	}
	v, err := os.ReadFile(filepath.Join(root, ".cache", "kafka", "run", "c1", "version"))
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(root, "scripts", "kafka"), "brokers", "--nodes", "1").Output()
	if err != nil || !strings.Contains(string(out), "KAFKA_BROKERS="+strings.Join(brokers, ",")) {
		return ""
	}
	return strings.TrimSpace(string(v))
}

// gitCommit names the checked-out commit of root, "+dirty" when the work
// tree has changes.
func gitCommit(ctx context.Context, root string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += "+dirty"
	}
	return c
}

// sharedSettings lists the settings every client is given.
func sharedSettings() []string {
	return []string{
		"one topic per client and scenario (consume: one for all, written beforehand, an equal share per partition), replication factor 1, values without keys or headers; with -partitions N every topic has N partitions: producers with a partitioner (Writer's RoundRobin, franz-go's, sarama's and librdkafka's defaults for keyless records) spread over them, the Conn clients write each batch to the next partition in turn, and every consumer reads all N (see each client's settings for how)",
		fmt.Sprintf("async produce: batches up to %d bytes and %d messages, linger %v, no idempotence, one message per send call", batchBytes, batchMessages, linger),
		"latency: one message at a time, each awaited, no linger; after a warm-up of " + fmt.Sprint(latencyWarmup) + " messages",
		"latency floor: before each send, the worker times a bare ApiVersions round trip on a connection of its own (internal/broker) to the partition's leader; its wall and CPU time are left out of the client's figures. A client whose threads still run after a send returns slows the next floor round trip too, which shows as a higher floor in its row",
		fmt.Sprintf("fetch: min 1 byte, max %d bytes per partition, max wait %v", fetchMaxBytes, fetchMaxWait),
		fmt.Sprintf("e2e: %d messages/s paced, sequence and send time in the value, read by a consumer of the same client in the same process", e2eRate),
		"warm-up (not measured): one acknowledged message (produce, e2e), ten (latency); consume is measured from the consumer's creation (connecting included) to the last message",
		"e2e allocations include the benchmark's own: one fresh value per message, which the client keeps until acknowledged",
		"CPU ns/msg: user+sys of the worker process (all threads, librdkafka's too) over the measured section, sys ns/msg the system part of it (on loopback the kernel charges the sender for the receiving side of TCP too); proc CPU: the whole process, start-up included",
		"allocs and B/msg: Go heap (runtime.MemStats) over the measured section; C allocations (librdkafka) are not seen",
		"verified: every message sent was acknowledged (or read in order) exactly once and the topic's end offset equals that count",
	}
}

// loadAverage returns the 1, 5 and 15 minute load averages of the machine,
// or "" where /proc/loadavg is missing.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
