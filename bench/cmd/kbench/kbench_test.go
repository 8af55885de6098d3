package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	kafka "github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// TestMain lets the test binary serve as the worker: the runner re-executes
// os.Executable(), which under go test is this binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		os.Exit(workerMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// runKbench runs kbench's runner with args against the test broker, within
// timeout, its progress shown with -v, and returns its report.
func runKbench(t *testing.T, timeout time.Duration, args ...string) *Report {
	t.Helper()
	o, err := parseRunner(append([]string{"-brokers", strings.Join(kafkatest.Brokers(t), ",")}, args...))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	log := io.Discard
	if testing.Verbose() {
		log = os.Stderr
	}
	rep, err := run(ctx, o, log)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestSmoke runs every scenario for every client once with a small count
// against the test broker, each client in its own worker process, and
// checks that every run delivered (or read) every message exactly once and
// that the result files were written.
func TestSmoke(t *testing.T) {
	out := t.TempDir()
	rep := runKbench(t, 5*time.Minute, "-count", "2000", "-out", out)
	var table strings.Builder
	if err := rep.writeTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + table.String())

	seen := map[string]bool{}
	for _, r := range rep.Results {
		seen[r.Scenario+"/"+r.Client] = true
		if !r.Verified {
			t.Errorf("%s %s: not verified: %s (error: %s)", r.Scenario, r.Client, r.Problem, r.Err)
			continue
		}
		if r.Messages != 2000 || r.MsgsPerSec <= 0 || r.CPU <= 0 || r.ProcessCPU < r.CPU || r.MaxRSSKB <= 0 {
			t.Errorf("%s %s: implausible measurement: %d msgs, %.0f msg/s, CPU %v of process %v, RSS %d KB",
				r.Scenario, r.Client, r.Messages, r.MsgsPerSec, r.CPU, r.ProcessCPU, r.MaxRSSKB)
		}
		if (r.Scenario == "latency" || r.Scenario == "e2e") && (r.P50 <= 0 || r.P99 < r.P50) {
			t.Errorf("%s %s: percentiles %v %v", r.Scenario, r.Client, r.P50, r.P99)
		}
		// Every latency result carries the floor timed beside it; no
		// other result has one.
		if r.Scenario == "latency" && (r.FloorP50 <= 0 || r.FloorP99 < r.FloorP50 || r.FloorP999 < r.FloorP99) {
			t.Errorf("latency %s: floor percentiles %v %v %v", r.Client, r.FloorP50, r.FloorP99, r.FloorP999)
		}
		if r.Scenario != "latency" && r.FloorP50 != 0 {
			t.Errorf("%s %s: has a floor", r.Scenario, r.Client)
		}
		if r.Settings == "" {
			t.Errorf("%s %s: no settings reported", r.Scenario, r.Client)
		}
	}
	for _, sc := range allScenarios {
		for _, cl := range clientNames() {
			if clients[cl].newConsumer == nil && (sc == "consume" || sc == "e2e") {
				continue // a client without a consumer yet
			}
			if !seen[sc+"/"+cl] {
				t.Errorf("no result for %s %s", sc, cl)
			}
		}
	}

	files, err := rep.save(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("wrote %v", files)
	}
	js, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Results) != len(rep.Results) {
		t.Errorf("the JSON holds %d results, want %d", len(back.Results), len(rep.Results))
	}
	for _, f := range files[1:] {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "zeroalloc-conn") {
			t.Errorf("%s does not mention zeroalloc-conn", filepath.Base(f))
		}
	}
}

// TestVerifyCatchesLoss checks that verify fails a run whose counts do not
// match the topic: a worker claiming one message more than the topic
// holds, or sending fewer than asked, or a consumer that read the right
// total but not each partition's messages.
func TestVerifyCatchesLoss(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topic := kafkatest.Topic(t)
	if err := createTopic(ctx, brokers[0], topic, 2); err != nil {
		t.Fatal(err)
	}
	conn, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.WriteMessages(make([]kafka.Message, 5)...); err != nil {
		t.Fatal(err)
	}
	c := &config{Scenario: "produce", Brokers: brokers, Topic: topic, Count: 4}
	for _, tc := range []struct {
		name                  string
		sent, delivered, fail int64
		ok                    bool
	}{
		{"exact", 5, 5, 0, true},
		{"acknowledged but not in the topic", 6, 6, 0, false},
		{"in the topic but not acknowledged", 5, 4, 0, false},
		{"a failure reported", 5, 5, 1, false},
		{"fewer sent than asked", 4, 5, 0, false},
	} {
		r := &Result{Sent: tc.sent, Delivered: tc.delivered, Failed: tc.fail, Messages: 4}
		verify(ctx, r, c)
		if r.Verified != tc.ok {
			t.Errorf("%s: verified %v (%s), want %v", tc.name, r.Verified, r.Problem, tc.ok)
		}
		if r.EndOffsets != 5 {
			t.Errorf("%s: end offsets %d, want 5", tc.name, r.EndOffsets)
		}
	}
	for _, sc := range []string{"consume", "e2e"} {
		c := &config{Scenario: sc, Brokers: brokers, Topic: topic, Count: 5}
		if sc == "e2e" {
			c.Count = 4 // and the warm-up message
		}
		for _, tc := range []struct {
			name  string
			reads []int64
			ok    bool
		}{
			{"each partition to its end", []int64{5, 0}, true},
			{"the right total from the wrong partitions", []int64{3, 2}, false},
			{"one partition of two", []int64{5}, false},
			{"nothing said per partition", nil, false},
		} {
			r := &Result{Sent: 5, Delivered: 5, Messages: 5, PartitionReads: tc.reads}
			verify(ctx, r, c)
			if r.Verified != tc.ok {
				t.Errorf("%s, %s: verified %v (%s), want %v", sc, tc.name, r.Verified, r.Problem, tc.ok)
			}
		}
	}
}

func TestPercentiles(t *testing.T) {
	lat := make([]time.Duration, 1000)
	for i := range lat {
		lat[len(lat)-1-i] = time.Duration(i+1) * time.Microsecond
	}
	var r Result
	setPercentiles(&r, lat)
	if r.P50 != 500*time.Microsecond || r.P99 != 990*time.Microsecond || r.P999 != 999*time.Microsecond {
		t.Errorf("p50 %v p99 %v p99.9 %v, want 500µs 990µs 999µs", r.P50, r.P99, r.P999)
	}
}

// TestPartitions runs every scenario on 3-partition topics for the Writer
// and Reader, the Conn client and franz-go. A Writer with RoundRobin must
// put messages in every partition, the Conn client each batch in the next
// partition; every consumer must read each partition to its end; and
// every run must verify.
func TestPartitions(t *testing.T) {
	const count, parts = 2000, 3
	brokers := kafkatest.Brokers(t)
	clients := []string{"zeroalloc", "zeroalloc-conn", "franz-go"}
	// -keep-topics: the topics are read again below, independently of
	// the runner's own reading.
	rep := runKbench(t, 4*time.Minute, "-count", fmt.Sprint(count), "-partitions", fmt.Sprint(parts),
		"-clients", strings.Join(clients, ","), "-out", t.TempDir(), "-keep-topics")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seen := map[string]bool{}
	for _, r := range rep.Results {
		seen[r.Scenario+"/"+r.Client] = true
		if !r.Verified {
			t.Errorf("%s %s: not verified: %s (error: %s)", r.Scenario, r.Client, r.Problem, r.Err)
			continue
		}
		if r.Config.Partitions != parts {
			t.Errorf("%s %s: %d partitions, want %d", r.Scenario, r.Client, r.Config.Partitions, parts)
		}
		ends := partitionEnds(ctx, t, brokers[0], r.Config.Topic)
		if len(ends) != parts {
			t.Errorf("%s %s: the topic has %d partitions, want %d", r.Scenario, r.Client, len(ends), parts)
			continue
		}
		filled := 0
		for _, end := range ends {
			if end > 0 {
				filled++
			}
		}
		// The runner writes an equal share to each partition for consume.
		// RoundRobin fills every partition. franz-go's default partitioner
		// (uniform bytes, adaptive, KIP-794) picks a partition per batch
		// and may keep one for the whole of a short run (a CI run put all
		// 2,010 latency messages in one), so only delivery is checked for
		// it. The Conn client writes each batch (each message in latency)
		// to the next partition, starting with the warm-up's.
		switch {
		case r.Scenario == "consume":
			if want := []int64{667, 667, 666}; !slices.Equal(ends, want) {
				t.Errorf("consume %s: the topic holds %v messages per partition, want %v", r.Client, ends, want)
			}
		case r.Client == "franz-go":
		case r.Client == "zeroalloc-conn" && r.Scenario != "e2e":
			if want := connSpread(r.Scenario, count, parts); !slices.Equal(ends, want) {
				t.Errorf("%s %s: messages per partition %v, want %v", r.Scenario, r.Client, ends, want)
			}
		case filled != parts:
			t.Errorf("%s %s: messages per partition %v, want some in each", r.Scenario, r.Client, ends)
		}
		// Every consumer reads each partition to its end (verify has
		// checked it against the runner's own reading too).
		if r.Scenario == "consume" || r.Scenario == "e2e" {
			if !slices.Equal(r.PartitionReads, ends) {
				t.Errorf("%s %s: read %v messages per partition of %v", r.Scenario, r.Client, r.PartitionReads, ends)
			}
		}
	}
	for _, sc := range allScenarios {
		for _, cl := range clients {
			if !seen[sc+"/"+cl] {
				t.Errorf("no result for %s %s", sc, cl)
			}
		}
	}
	if !strings.Contains(strings.Join(rep.header(), "\n"), "3 partitions") {
		t.Errorf("the report's header does not give the partitions: %q", rep.header())
	}
}

// connSpread returns the messages per partition that the Conn client
// writes in produce or latency: its batches (the warm-up's first, then
// connBatch messages, or single messages in latency) go to the partitions
// in turn.
func connSpread(scenario string, count, parts int) []int64 {
	batches := []int{1}
	size := connBatch(100)
	if scenario == "latency" {
		batches, size = []int{}, 1
		count += latencyWarmup
	}
	for left := count; left > 0; left -= size {
		batches = append(batches, min(left, size))
	}
	spread := make([]int64, parts)
	for i, n := range batches {
		spread[i%parts] += int64(n)
	}
	return spread
}

// partitionEnds reads the end offset of each of the topic's partitions.
func partitionEnds(ctx context.Context, t *testing.T, addr, topic string) []int64 {
	t.Helper()
	parts, err := kafka.LookupPartitions(ctx, "tcp", addr, topic)
	if err != nil {
		t.Fatal(err)
	}
	ends := make([]int64, len(parts))
	for _, p := range parts {
		c, err := kafka.DialLeader(ctx, "tcp", addr, topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		end, err := c.ReadLastOffset()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		ends[p.ID] = end
	}
	return ends
}

// TestVersionFromAPIs checks how the Kafka version is told from a broker's
// ApiVersions: a recorded release by an exact match, a lower bound from the
// newest release whose APIs the broker has at the same or higher versions,
// and no claim otherwise.
func TestVersionFromAPIs(t *testing.T) {
	last := apiFingerprints[len(apiFingerprints)-1]
	for _, tc := range []struct{ apis, want string }{
		{apiFingerprints[0].apis, apiFingerprints[0].version + " (its ApiVersions answer is that release's)"},
		{last.apis, last.version + " (its ApiVersions answer is that release's)"},
		{last.apis + " 999:0-0", "≥ " + last.version + " (from ApiVersions)"},
		{strings.Replace(last.apis, "0:0-13 ", "0:0-14 ", 1), "≥ " + last.version + " (from ApiVersions)"},
		{"0:0-2 1:0-3 3:0-1", "unknown (pass -kafka-version)"},
	} {
		if got := versionFromAPIs(tc.apis); got != tc.want {
			t.Errorf("versionFromAPIs(%.40q...) = %q, want %q", tc.apis, got, tc.want)
		}
	}
}

// TestKafkaVersion checks that the test broker's version is told from its
// ApiVersions when nothing else names it.
func TestKafkaVersion(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	got := kafkaVersion(context.Background(), "", &options{Brokers: brokers})
	if strings.HasPrefix(got, "unknown") {
		t.Errorf("Kafka version %q: record the broker's fingerprint in apiFingerprints", got)
	}
	t.Log("Kafka", got)
}
