package main

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// Settings shared by every client, so that the comparison is like for like.
// The peers are set to these values through their own options (see each
// client's settings text in the results); where a peer has no such knob
// its text says so.
const (
	// batchBytes bounds a produce batch (librdkafka's batch.size default,
	// just under the broker's default message.max.bytes).
	batchBytes = 1_000_000
	// batchMessages bounds the messages of a produce batch (librdkafka's
	// batch.num.messages default).
	batchMessages = 10_000
	// linger is how long an async producer waits to fill a batch
	// (librdkafka's linger.ms default). Synchronous producers (latency) do
	// not wait.
	linger = 5 * time.Millisecond
	// fetchMaxBytes bounds the records of one partition per fetch
	// (max.partition.fetch.bytes in the Java client and librdkafka).
	fetchMaxBytes = 1 << 20
	// fetchMaxWait is how long the broker may hold a fetch for its first
	// byte (fetch.max.wait.ms in the Java client, librdkafka's
	// fetch.wait.max.ms).
	fetchMaxWait = 500 * time.Millisecond
	// e2eRate is the paced produce rate of the e2e scenario (messages/s):
	// low enough for every client on a small machine, so the figure is
	// latency and not queueing.
	e2eRate = 5_000
	// latencyWarmup is the number of synchronous sends before the latency
	// measurement (connections, metadata), verified but not measured.
	latencyWarmup = 10
)

// scenarios in their running order.
var allScenarios = []string{"produce", "latency", "consume", "e2e"}

// defaultCount is the message count of a scenario when -count is 0.
func defaultCount(scenario string) int {
	switch scenario {
	case "latency":
		return 10_000
	case "e2e":
		return 50_000
	default:
		return 1_000_000
	}
}

// config is one worker's job: what the runner passes on the command line.
type config struct {
	Client   string        `json:"client"`
	Scenario string        `json:"scenario"`
	Brokers  []string      `json:"brokers"`
	Topic    string        `json:"topic"`
	Size     int           `json:"size"`
	Codec    string        `json:"codec"`
	Acks     string        `json:"acks"`
	Count    int           `json:"count"`
	Duration time.Duration `json:"duration"`
	// Partitions is the topic's partition count. Producers with a
	// partitioner spread over all of them, the Conn clients write each
	// batch to the next, and every consumer reads all of them.
	Partitions int `json:"partitions"`
	// CPUProfile and MemProfile name the files for the CPU and allocation
	// profiles of the measured section (profile.go); "" for none.
	CPUProfile string `json:"cpu_profile,omitempty"`
	MemProfile string `json:"alloc_profile,omitempty"`
	// Security is "sasl_ssl" when the clients connect to the SASL_SSL
	// listeners (Brokers) with SCRAM-SHA-512 as SASLUser, trusting the CA
	// in TLSDir (security.go); "" for plaintext. The password travels in
	// the environment (passwordEnv), never in a result.
	Security string `json:"security,omitempty"`
	TLSDir   string `json:"tls_dir,omitempty"`
	SASLUser string `json:"sasl_user,omitempty"`
}

// acks returns the required acks as Kafka numbers them: 1 or -1 (all).
func (c *config) acks() int {
	if c.Acks == "all" {
		return -1
	}
	return 1
}

// args returns the worker command line for c.
func (c *config) args() []string {
	return []string{"worker",
		"-client", c.Client, "-scenario", c.Scenario,
		"-brokers", strings.Join(c.Brokers, ","), "-topic", c.Topic,
		"-size", fmt.Sprint(c.Size), "-codec", c.Codec, "-acks", c.Acks,
		"-count", fmt.Sprint(c.Count), "-duration", c.Duration.String(),
		"-partitions", fmt.Sprint(c.Partitions),
		"-cpuprofile", c.CPUProfile, "-memprofile", c.MemProfile,
		"-security", c.Security, "-tls-dir", c.TLSDir, "-sasl-user", c.SASLUser,
	}
}

// parseWorker parses a worker command line.
func parseWorker(args []string) (*config, error) {
	fs := flag.NewFlagSet("kbench worker", flag.ContinueOnError)
	c := &config{}
	var brokers string
	fs.StringVar(&c.Client, "client", "", "client name")
	fs.StringVar(&c.Scenario, "scenario", "", "scenario")
	fs.StringVar(&brokers, "brokers", "", "comma-separated broker addresses")
	fs.StringVar(&c.Topic, "topic", "", "topic")
	fs.IntVar(&c.Size, "size", 100, "value size in bytes")
	fs.StringVar(&c.Codec, "codec", "none", "compression")
	fs.StringVar(&c.Acks, "acks", "1", "required acks: 1 or all")
	fs.IntVar(&c.Count, "count", 0, "messages")
	fs.DurationVar(&c.Duration, "duration", 0, "run time instead of a count")
	fs.IntVar(&c.Partitions, "partitions", 1, "partitions of the topic")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured section to this file")
	fs.StringVar(&c.MemProfile, "memprofile", "", "write an allocation profile of the measured section (every allocation) to this file")
	fs.StringVar(&c.Security, "security", "", "sasl_ssl: connect to SASL_SSL listeners with SCRAM-SHA-512")
	fs.StringVar(&c.TLSDir, "tls-dir", "", "the folder of the test CA (ca.pem)")
	fs.StringVar(&c.SASLUser, "sasl-user", "", "the SASL user (the password comes from $"+passwordEnv+")")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.Brokers = splitList(brokers)
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.Topic == "" || len(c.Brokers) == 0 {
		return nil, fmt.Errorf("worker needs -topic and -brokers")
	}
	return c, nil
}

func (c *config) check() error {
	switch c.Codec {
	case "none", "lz4", "zstd":
	default:
		return fmt.Errorf("-codec %q: want none, lz4 or zstd", c.Codec)
	}
	switch c.Acks {
	case "1", "all":
	default:
		return fmt.Errorf("-acks %q: want 1 or all", c.Acks)
	}
	if c.Size < 16 {
		return fmt.Errorf("-size %d: want at least 16 (e2e puts a sequence number and a time in the value)", c.Size)
	}
	if c.Size > batchBytes/2 {
		return fmt.Errorf("-size %d: want at most %d", c.Size, batchBytes/2)
	}
	return nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// payload returns a value of n bytes that compresses about as well as
// ordinary text (a few bits of entropy per byte), the same for every client.
func payload(n int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyz ,.ABCDEFGHIJ0123456789"
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = alphabet[x%uint32(len(alphabet))]
	}
	return b
}
