package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	kafka "github.com/zeroalloc/kafka"
)

// options are the runner's flags.
type options struct {
	Brokers      []string      `json:"brokers"`
	Clients      []string      `json:"clients"`
	Scenarios    []string      `json:"scenarios"`
	Size         int           `json:"size"`
	Codec        string        `json:"codec"`
	Acks         string        `json:"acks"`
	Count        int           `json:"count"`
	Duration     time.Duration `json:"duration"`
	Out          string        `json:"out"`
	KafkaVersion string        `json:"kafka_version"`
	// Timeout bounds one worker process.
	Timeout time.Duration `json:"timeout"`
	// Partitions is the partition count of every topic.
	Partitions int `json:"partitions"`
	// Profile is the directory for each worker's CPU and allocation
	// profiles of its measured section (profile.go); "" for none.
	Profile string `json:"profile,omitempty"`
	// Repeat is how many rounds each client runs each scenario, the
	// clients taking turns; the report keeps each client's median round
	// (see median) and every round's CPU ns/msg.
	Repeat int `json:"repeat,omitempty"`
	// KeepTopics leaves each run's topics on the broker; by default they
	// are deleted once the run is verified (see deleteTopic).
	KeepTopics bool `json:"keep_topics,omitempty"`
	// Security is "" (plaintext) or "sasl_ssl" (security.go): the clients then
	// connect to SecureBrokers, the runner's own work stays on Brokers.
	Security      string   `json:"security,omitempty"`
	SecureBrokers []string `json:"secure_brokers,omitempty"`
	TLSDir        string   `json:"tls_dir,omitempty"`
	SASLUser      string   `json:"sasl_user,omitempty"`
	saslPassword  string
}

// clientNames returns the registered clients in table order.
func clientNames() []string {
	var names []string
	for n := range clients {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return clients[a].order - clients[b].order })
	return names
}

func parseRunner(args []string) (*options, error) {
	fs := flag.NewFlagSet("kbench", flag.ContinueOnError)
	o := &options{}
	var brokers, cls, scs string
	fs.StringVar(&brokers, "brokers", os.Getenv("KAFKA_BROKERS"), "comma-separated broker addresses (default: $KAFKA_BROKERS, else start the repository's broker with scripts/kafka up)")
	fs.StringVar(&cls, "clients", strings.Join(clientNames(), ","), "comma-separated clients to run")
	fs.StringVar(&scs, "scenarios", strings.Join(allScenarios, ","), "comma-separated scenarios: produce, latency, consume, e2e")
	fs.IntVar(&o.Size, "size", 100, "value size in bytes")
	fs.IntVar(&o.Partitions, "partitions", 1, "partitions of every topic: producers with a partitioner spread over all, the Conn clients write their batches to each in turn, every consumer reads all")
	fs.StringVar(&o.Codec, "codec", "none", "compression: none, lz4 or zstd")
	fs.StringVar(&o.Acks, "acks", "1", "required acks: 1 or all")
	fs.IntVar(&o.Count, "count", 0, "messages per client and scenario (0: 1,000,000 for produce and consume, 10,000 for latency, 50,000 for e2e)")
	fs.DurationVar(&o.Duration, "duration", 0, "run produce, latency and e2e for this long instead of -count (consume still reads -count messages)")
	fs.StringVar(&o.Out, "out", "", "directory for the result files (default: bench/results of the repository, else ./results)")
	fs.StringVar(&o.KafkaVersion, "kafka-version", "", "Kafka version to print, for a broker given with -brokers that the runner cannot tell")
	fs.DurationVar(&o.Timeout, "timeout", 15*time.Minute, "limit for one worker process")
	fs.IntVar(&o.Repeat, "repeat", 1, "rounds per client and scenario, the clients taking turns: the report gives each client's median round (by CPU ns/msg; latency: by p99 over the floor's p99) and the CPU ns/msg of every round")
	fs.BoolVar(&o.KeepTopics, "keep-topics", false, "leave each run's topics on the broker (by default each is deleted once its run is verified)")
	fs.StringVar(&o.Security, "security", "none", "none, or sasl_ssl: every client connects to the SASL_SSL listeners with SCRAM-SHA-512, TLS verifying the broker (listeners and credentials from $KAFKA_BROKERS_SASL_SSL, $KAFKA_TLS_DIR, $KAFKA_SASL_USER, $KAFKA_SASL_PASSWORD, else from scripts/kafka up)")
	fs.StringVar(&o.Profile, "profile", "", "write each worker's CPU and allocation profiles of its measured section to DIR/<client>.<scenario>.{cpu,alloc}.pprof, and the report to DIR/kbench.{json,md,svg} (default -out)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o.Brokers = splitList(brokers)
	o.Clients = splitList(cls)
	o.Scenarios = splitList(scs)
	for _, c := range o.Clients {
		if clients[c] == nil {
			return nil, fmt.Errorf("-clients: unknown client %q (have %s)", c, strings.Join(clientNames(), ", "))
		}
	}
	for _, s := range o.Scenarios {
		if !slices.Contains(allScenarios, s) {
			return nil, fmt.Errorf("-scenarios: unknown scenario %q (have %s)", s, strings.Join(allScenarios, ", "))
		}
	}
	c := config{Size: o.Size, Codec: o.Codec, Acks: o.Acks}
	if err := c.check(); err != nil {
		return nil, err
	}
	if o.Count < 0 || o.Duration < 0 {
		return nil, errors.New("-count and -duration must not be negative")
	}
	if o.Partitions < 1 {
		return nil, fmt.Errorf("-partitions %d: want at least 1", o.Partitions)
	}
	if o.Repeat < 1 {
		return nil, fmt.Errorf("-repeat %d: want at least 1", o.Repeat)
	}
	if o.Repeat > 1 && o.Profile != "" {
		return nil, errors.New("-profile takes one round: leave -repeat out")
	}
	if !slices.Contains(securityModes, o.Security) {
		return nil, fmt.Errorf("-security %q: want one of %s", o.Security, strings.Join(securityModes, ", "))
	}
	if o.Security == "none" {
		o.Security = "" // as in the result files of plaintext runs
	}
	if o.Security == "sasl_ssl" {
		o.SecureBrokers = splitList(os.Getenv("KAFKA_BROKERS_SASL_SSL"))
		o.TLSDir, o.SASLUser, o.saslPassword = os.Getenv("KAFKA_TLS_DIR"), os.Getenv("KAFKA_SASL_USER"), os.Getenv("KAFKA_SASL_PASSWORD")
	}
	return o, nil
}

func runnerMain(args []string) error {
	o, err := parseRunner(args)
	if err != nil {
		return err
	}
	ctx := context.Background()
	rep, err := run(ctx, o, os.Stderr)
	if err != nil {
		return err
	}
	if err := rep.writeTable(os.Stdout); err != nil {
		return err
	}
	files, err := rep.save(o.Out)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(os.Stderr, "kbench: wrote", f)
	}
	if n := rep.failures(); n > 0 {
		return fmt.Errorf("%d of %d runs failed or could not be verified (see the table)", n, len(rep.Results))
	}
	return nil
}

// run brings up the broker if needed and runs every scenario for every
// client, logging progress to log.
func run(ctx context.Context, o *options, log io.Writer) (*Report, error) {
	root, rootErr := repoRoot()
	if len(o.Brokers) == 0 {
		if rootErr != nil {
			return nil, fmt.Errorf("no -brokers and no repository to start a broker from: %w", rootErr)
		}
		fmt.Fprintln(log, "kbench: starting the broker with scripts/kafka up")
		up, err := kafkaUp(ctx, root)
		if err != nil {
			return nil, err
		}
		o.Brokers = splitList(up["KAFKA_BROKERS"])
		if o.Security == "sasl_ssl" && len(o.SecureBrokers) == 0 {
			o.SecureBrokers = splitList(up["KAFKA_BROKERS_SASL_SSL"])
			o.TLSDir, o.SASLUser, o.saslPassword = up["KAFKA_TLS_DIR"], up["KAFKA_SASL_USER"], up["KAFKA_SASL_PASSWORD"]
		}
	}
	if o.Security == "sasl_ssl" && (len(o.SecureBrokers) == 0 || o.TLSDir == "" || o.SASLUser == "" || o.saslPassword == "") {
		return nil, errNoSecurity
	}
	if o.Out == "" && o.Profile != "" {
		o.Out = o.Profile
	}
	if o.Out == "" {
		o.Out = "results"
		if rootErr == nil {
			o.Out = filepath.Join(root, "bench", "results")
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	rep := &Report{Started: time.Now().UTC(), Options: *o, Machine: machineInfo(ctx, root, o)}
	rep.Settings = sharedSettings()
	fmt.Fprintf(log, "kbench: %s, %d cores, %s, Kafka %s at %s\n", rep.Machine.CPU, rep.Machine.Cores, rep.Machine.GoVersion, rep.Machine.KafkaVersion, strings.Join(o.Brokers, ","))
	stamp := rep.Started.Format("20060102t150405")
	for _, sc := range o.Scenarios {
		count := o.Count
		if count == 0 {
			count = defaultCount(sc)
		}
		base := config{Scenario: sc, Brokers: o.Brokers, Size: o.Size, Codec: o.Codec, Acks: o.Acks, Count: count, Partitions: o.Partitions}
		if o.Security == "sasl_ssl" {
			base.Security, base.TLSDir, base.SASLUser = o.Security, o.TLSDir, o.SASLUser
		}
		if sc != "consume" {
			base.Duration = o.Duration
		}
		if sc == "consume" {
			// One topic written once, read by every client.
			base.Topic = fmt.Sprintf("kbench-%s-consume-%d", stamp, time.Now().UnixNano())
			fmt.Fprintf(log, "kbench: consume: writing %d messages of %d bytes (%s) to the %d partitions of %s\n", count, o.Size, o.Codec, o.Partitions, base.Topic)
			if err := prefill(ctx, &base); err != nil {
				return nil, fmt.Errorf("consume: writing the messages to read: %w", err)
			}
		}
		rounds := make(map[string][]*Result)
		for round := range max(o.Repeat, 1) {
			for _, name := range o.Clients {
				if cl := clients[name]; cl != nil && cl.newConsumer == nil && (sc == "consume" || sc == "e2e") {
					if round == 0 {
						fmt.Fprintf(log, "kbench: %s %s: not available (no consumer yet)\n", sc, name)
					}
					continue
				}
				r, err := runOne(ctx, o, base, name, exe, stamp, log)
				if err != nil {
					return nil, err
				}
				if o.Repeat > 1 {
					fmt.Fprintf(log, "kbench: %s %s: round %d of %d: %s\n", sc, name, round+1, o.Repeat, r.summary())
				} else {
					fmt.Fprintf(log, "kbench: %s %s: %s\n", sc, name, r.summary())
				}
				rounds[name] = append(rounds[name], r)
			}
		}
		if sc == "consume" && !o.KeepTopics {
			deleteTopic(ctx, o.Brokers[0], base.Topic, log)
		}
		for _, name := range o.Clients {
			if rs := rounds[name]; len(rs) > 0 {
				r := median(rs)
				if len(rs) > 1 {
					fmt.Fprintf(log, "kbench: %s %s: median of %d rounds: %s\n", sc, name, len(rs), r.summary())
				}
				rep.Results = append(rep.Results, r)
			}
		}
	}
	rep.Machine.LoadEnd = loadAverage()
	return rep, nil
}

// runOne runs client name in scenario base.Scenario once, on a topic of
// its own (consume: the topic base names), and verifies the result.
func runOne(ctx context.Context, o *options, base config, name, exe, stamp string, log io.Writer) (*Result, error) {
	sc := base.Scenario
	c := base
	c.Client = name
	if o.Profile != "" {
		dir, err := filepath.Abs(o.Profile)
		if err != nil {
			return nil, err
		}
		c.CPUProfile = filepath.Join(dir, name+"."+sc+".cpu.pprof")
		c.MemProfile = filepath.Join(dir, name+"."+sc+".alloc.pprof")
	}
	if sc != "consume" {
		c.Topic = fmt.Sprintf("kbench-%s-%s-%s-%d", stamp, sc, name, time.Now().UnixNano())
		if err := createTopic(ctx, o.Brokers[0], c.Topic, c.Partitions); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(log, "kbench: %s %s: running\n", sc, name)
	r := runWorker(ctx, exe, &c, o)
	verify(ctx, r, &c)
	if sc != "consume" && !o.KeepTopics {
		deleteTopic(ctx, o.Brokers[0], c.Topic, log)
	}
	return r, nil
}

// deleteTopic deletes a topic of the run once its result is verified, so
// that runs do not pile up on the broker's disk: the README's runs with
// -repeat 5 write about 50 GB (1 KB x 1,000,000 messages x 7 clients x 5
// rounds alone is 35), which filled the test broker's disk. A failure is
// logged, not fatal: the result stands.
func deleteTopic(ctx context.Context, addr, topic string, log io.Writer) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	admin, err := kafka.DialContext(ctx, "tcp", addr)
	if err == nil {
		err = admin.DeleteTopics(topic)
		admin.Close()
	}
	if err != nil {
		fmt.Fprintf(log, "kbench: warning: deleting topic %s: %v\n", topic, err)
	}
}

// median returns the round of rs that stands for them all: the first that
// did not verify, else the median round by CPU ns/msg (latency: by p99
// over the floor's p99; the lower middle of an even count), which carries
// every round's CPU ns/msg in RoundsCPU when there are several.
func median(rs []*Result) *Result {
	for _, r := range rs {
		if !r.Verified {
			return withRounds(r, rs)
		}
	}
	key := func(r *Result) float64 { return r.CPUPerMsg }
	if rs[0].Scenario == "latency" {
		key = func(r *Result) float64 {
			if r.FloorP99 <= 0 {
				return float64(r.P99)
			}
			return float64(r.P99) / float64(r.FloorP99)
		}
	}
	sorted := slices.Clone(rs)
	slices.SortStableFunc(sorted, func(a, b *Result) int { return cmp.Compare(key(a), key(b)) })
	return withRounds(sorted[(len(sorted)-1)/2], rs)
}

func withRounds(r *Result, rs []*Result) *Result {
	if len(rs) > 1 {
		r.RoundsCPU = make([]float64, len(rs))
		for i, x := range rs {
			r.RoundsCPU[i] = x.CPUPerMsg
		}
	}
	return r
}

// runWorker runs c in a child process and returns its result with the
// child's rusage. A worker that fails still gives a Result, with Err set.
func runWorker(ctx context.Context, exe string, c *config, o *options) *Result {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout+c.Duration)
	defer cancel()
	wc := *c
	if c.secure() {
		// The clients connect to the secured listeners; the runner checks
		// the topic on the plaintext ones.
		wc.Brokers = o.SecureBrokers
	}
	cmd := exec.CommandContext(ctx, exe, wc.args()...)
	if c.secure() {
		cmd.Env = append(os.Environ(), passwordEnv+"="+o.saslPassword)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	runErr := cmd.Run()
	r := &Result{}
	if line := lastLine(stdout.Bytes()); len(line) > 0 {
		if err := json.Unmarshal(line, r); err != nil {
			r.Err = fmt.Sprintf("worker output is not a result: %v: %q", err, line)
		}
	}
	r.Client, r.Scenario, r.Config = c.Client, c.Scenario, *c
	if ps := cmd.ProcessState; ps != nil {
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			r.ProcessCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			r.MaxRSSKB = ru.Maxrss // kilobytes on Linux
		}
	}
	if runErr != nil && r.Err == "" {
		r.Err = fmt.Sprintf("worker: %v", runErr)
	}
	return r
}

func lastLine(b []byte) []byte {
	var last []byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			last = append(last[:0], l...)
		}
	}
	return last
}

// verify checks r against what was asked and the topic's end offsets:
// every message sent must be acknowledged (or read) exactly once, the
// topic must hold exactly the messages acknowledged, and a consumer must
// have read each partition up to its end.
func verify(ctx context.Context, r *Result, c *config) {
	ends, err := endOffsets(ctx, c.Brokers[0], c.Topic)
	if err != nil {
		r.Problem = "reading the end offsets: " + err.Error()
		return
	}
	var end int64
	for _, e := range ends {
		end += e
	}
	r.EndOffsets, r.PartitionEnds = end, ends
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if r.Err != "" {
		add("the worker failed")
	}
	if r.Failed > 0 {
		add("%d messages failed", r.Failed)
	}
	if r.Bad > 0 {
		add("%d messages read out of order, twice or damaged", r.Bad)
	}
	switch c.Scenario {
	case "consume":
		if r.Delivered != int64(c.Count) {
			add("read %d of %d messages", r.Delivered, c.Count)
		}
		if end != int64(c.Count) {
			add("the topic holds %d messages, not %d", end, c.Count)
		}
	default:
		warm := int64(1)
		if c.Scenario == "latency" {
			warm = latencyWarmup
		}
		if c.Duration == 0 && r.Sent != int64(c.Count)+warm {
			add("sent %d messages, not %d", r.Sent, int64(c.Count)+warm)
		}
		if r.Delivered != r.Sent {
			add("%d of %d messages acknowledged", r.Delivered, r.Sent)
		}
		if end != r.Delivered {
			add("the topic holds %d messages but %d were acknowledged", end, r.Delivered)
		}
	}
	if (c.Scenario == "consume" || c.Scenario == "e2e") && !slices.Equal(r.PartitionReads, ends) {
		add("read %v messages per partition, the partitions hold %v", r.PartitionReads, ends)
	}
	if len(problems) == 0 && r.Messages == 0 {
		add("nothing was measured")
	}
	r.Verified = len(problems) == 0
	r.Problem = strings.Join(problems, "; ")
}

func (r *Result) summary() string {
	s := fmt.Sprintf("%d msgs in %v: %.0f msg/s, %.0f CPU ns/msg, %.1f allocs/msg", r.Messages, r.Elapsed.Round(time.Millisecond), r.MsgsPerSec, r.CPUPerMsg, r.AllocsMsg)
	if r.P50 > 0 {
		s += fmt.Sprintf(", p50 %v p99 %v", r.P50, r.P99)
	}
	if r.FloorP50 > 0 {
		s += fmt.Sprintf(" (floor p50 %v p99 %v)", r.FloorP50, r.FloorP99)
	}
	if r.Verified {
		return s + ", verified"
	}
	if r.Err != "" {
		s += ", error: " + r.Err
	}
	return s + ", NOT VERIFIED: " + r.Problem
}

// createTopic creates a topic of n partitions and waits until the leader
// of each answers for it.
func createTopic(ctx context.Context, addr, topic string, n int) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	admin, err := kafka.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer admin.Close()
	if err := admin.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: n, ReplicationFactor: 1}); err != nil {
		return fmt.Errorf("creating %s: %w", topic, err)
	}
	for p := 0; p < n; {
		c, err := kafka.DialLeader(ctx, "tcp", addr, topic, p)
		if err == nil {
			_, err = c.ReadLastOffset()
			c.Close()
		}
		if err == nil {
			p++
			continue
		}
		if ctx.Err() != nil {
			return fmt.Errorf("partition %d of topic %s has no leader: %w", p, topic, err)
		}
		time.Sleep(20 * time.Millisecond) // the broker offers nothing to wait on
	}
	return nil
}

// endOffsets returns the end offset of each of the topic's partitions, by
// partition number. Retriable errors (a broker fenced for a moment) are
// retried for 30 s.
func endOffsets(ctx context.Context, addr, topic string) ([]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		ends, err := readEndOffsets(ctx, addr, topic)
		if err == nil || !zTemporary(err) || ctx.Err() != nil {
			return ends, err
		}
		time.Sleep(100 * time.Millisecond) // the broker offers nothing to wait on
	}
}

func readEndOffsets(ctx context.Context, addr, topic string) ([]int64, error) {
	parts, err := kafka.LookupPartitions(ctx, "tcp", addr, topic)
	if err != nil {
		return nil, err
	}
	ends := make([]int64, len(parts))
	for _, p := range parts {
		if p.ID < 0 || p.ID >= len(parts) {
			return nil, fmt.Errorf("topic %s: partition %d of %d", topic, p.ID, len(parts))
		}
		c, err := kafka.DialLeader(ctx, "tcp", addr, topic, p.ID)
		if err != nil {
			return nil, err
		}
		last, err := c.ReadLastOffset()
		c.Close()
		if err != nil {
			return nil, err
		}
		ends[p.ID] = last
	}
	return ends, nil
}

// prefill creates c.Topic with c.Partitions partitions and writes c.Count
// messages of c.Size bytes into it with this module's Conn, compressed
// with c.Codec, for consume: an equal share into each partition (the
// first c.Count%c.Partitions get one more).
func prefill(ctx context.Context, c *config) error {
	if err := createTopic(ctx, c.Brokers[0], c.Topic, c.Partitions); err != nil {
		return err
	}
	value := payload(c.Size)
	batch := make([]kafka.Message, connBatch(c.Size))
	for i := range batch {
		batch[i].Value = value
	}
	codec := zCodec(c.Codec)
	want := make([]int64, c.Partitions)
	for p := range want {
		want[p] = int64(c.Count / c.Partitions)
		if p < c.Count%c.Partitions {
			want[p]++
		}
		if err := prefillPartition(ctx, c, p, codec, batch, int(want[p])); err != nil {
			return err
		}
	}
	ends, err := endOffsets(ctx, c.Brokers[0], c.Topic)
	if err != nil {
		return err
	}
	if !slices.Equal(ends, want) {
		return fmt.Errorf("wrote %v messages per partition but the partitions hold %v", want, ends)
	}
	return nil
}

// prefillPartition writes n messages to partition p, batch by batch.
func prefillPartition(ctx context.Context, c *config, p int, codec kafka.CompressionCodec, batch []kafka.Message, n int) error {
	conn, err := kafka.DialLeader(ctx, "tcp", c.Brokers[0], c.Topic, p)
	if err != nil {
		return err
	}
	defer conn.Close()
	for left := n; left > 0; {
		k := min(left, len(batch))
		err := retrying(ctx, zTemporary, func() error {
			conn.SetDeadline(time.Now().Add(connDeadline))
			_, err := conn.WriteCompressedMessages(codec, batch[:k]...)
			return err
		})
		if err != nil {
			return err
		}
		left -= k
	}
	return nil
}

// repoRoot finds the repository: the nearest directory at or above the
// working directory, or else the executable's, that holds scripts/kafka
// and a go.mod naming this module.
func repoRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			if isRepo(dir) {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", errors.New("no github.com/zeroalloc/kafka checkout (go.mod and scripts/kafka) at or above the working directory")
}

func isRepo(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, "scripts", "kafka")); err != nil || fi.IsDir() {
		return false
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && bytes.HasPrefix(mod, []byte("module github.com/zeroalloc/kafka\n"))
}

// kafkaUp runs scripts/kafka up and returns the addresses it prints.
func kafkaUp(ctx context.Context, root string) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "kafka"), "up")
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("scripts/kafka up: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	v, ok := strings.CutPrefix(last, "KAFKA_BROKERS=")
	if !ok || len(splitList(v)) == 0 {
		return nil, fmt.Errorf("scripts/kafka up printed %q as its last line, want KAFKA_BROKERS=host:port", last)
	}
	vars := map[string]string{}
	for _, l := range lines {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok {
			vars[k] = v
		}
	}
	return vars, nil
}
