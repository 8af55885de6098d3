package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// producer is an asynchronous producer as each client recommends for
// throughput.
type producer interface {
	// send queues one message. The client may keep value until the
	// message is acknowledged; the caller never changes it.
	send(ctx context.Context, value []byte) error
	// flush returns once every message sent so far is acknowledged or
	// has failed.
	flush(ctx context.Context) error
	// delivered returns how many messages were acknowledged and how many
	// failed so far.
	delivered() (ok, failed int64)
	close() error
}

// lingerer is a producer that batches by itself (over a Conn) and must be
// told when the caller is idle, to write a batch older than linger.
type lingerer interface {
	lingerFlush(ctx context.Context) error
}

// syncProducer writes one message and waits for its acknowledgement.
type syncProducer interface {
	sendSync(ctx context.Context, value []byte) error
	close() error
}

// msgFunc receives one message read from partition p. It returns false
// once the benchmark wants no more messages.
type msgFunc func(p int32, offset int64, value []byte) (more bool)

// consumer reads every partition of the topic (config.Partitions) from
// its first offset.
type consumer interface {
	// poll passes messages to fn, each partition's in offset order: those
	// of the next fetch, or, for a fanIn, all until fn returns false. It
	// may return having passed none (a fetch that timed out). value is
	// valid only during the call.
	poll(ctx context.Context, fn msgFunc) error
	close() error
}

// client is one Kafka client under test.
type client struct {
	name string
	// order places the client in tables.
	order           int
	newProducer     func(ctx context.Context, c *config) (producer, error)
	newSyncProducer func(ctx context.Context, c *config) (syncProducer, error)
	newConsumer     func(ctx context.Context, c *config) (consumer, error)
	// settings describes, in the client's own terms, how it is set up
	// for c.
	settings func(c *config) string
}

var clients = map[string]*client{}

func register(c *client) { clients[c.name] = c }

// workerMain runs one client through one scenario and prints the Result
// as JSON on stdout. It returns the exit code.
func workerMain(args []string) int {
	c, err := parseWorker(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kbench worker:", err)
		return 2
	}
	cl := clients[c.Client]
	if cl == nil {
		fmt.Fprintf(os.Stderr, "kbench worker: unknown client %q\n", c.Client)
		return 2
	}
	prof = newProfiler(c.CPUProfile, c.MemProfile)
	r, err := runScenario(cl, c)
	err = errors.Join(err, prof.finish())
	if err != nil {
		r.Err = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		fmt.Fprintln(os.Stderr, "kbench worker:", err)
		return 1
	}
	if r.Err != "" {
		return 1
	}
	return 0
}

// workerTimeout bounds a scenario beyond its -duration.
const workerTimeout = 10 * time.Minute

func runScenario(cl *client, c *config) (*Result, error) {
	r := &Result{Client: c.Client, Scenario: c.Scenario, Config: *c, Settings: cl.settings(c) + securitySettings(c.Client, c)}
	ctx, cancel := context.WithTimeout(context.Background(), workerTimeout+c.Duration)
	defer cancel()
	var err error
	switch c.Scenario {
	case "produce":
		err = runProduce(ctx, cl, c, r)
	case "latency":
		err = runLatency(ctx, cl, c, r)
	case "consume":
		err = runConsume(ctx, cl, c, r)
	case "e2e":
		err = runE2E(ctx, cl, c, r)
	default:
		err = fmt.Errorf("unknown scenario %q", c.Scenario)
	}
	return r, err
}

// runProduce sends Count messages (or as many as fit in Duration) through
// the async producer and waits for all acknowledgements. Every message
// shares one value, which no client is allowed to change.
func runProduce(ctx context.Context, cl *client, c *config, r *Result) (err error) {
	p, err := cl.newProducer(ctx, c)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := p.close(); err == nil {
			err = cerr
		}
		r.Delivered, r.Failed = p.delivered()
	}()
	value := payload(c.Size)
	// Warm-up: one message, acknowledged, opens connections and loads
	// metadata outside the measured section.
	r.Sent++
	if err := p.send(ctx, value); err != nil {
		return err
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	ok0, _ := p.delivered()
	var m meter
	m.start()
	var sent int64
	if c.Duration > 0 {
		end := time.Now().Add(c.Duration)
		for time.Now().Before(end) {
			for range 256 {
				if err := p.send(ctx, value); err != nil {
					r.Sent += sent
					return err
				}
				sent++
			}
		}
	} else {
		for range c.Count {
			if err := p.send(ctx, value); err != nil {
				r.Sent += sent
				return err
			}
			sent++
		}
	}
	r.Sent += sent
	err = p.flush(ctx)
	ok, _ := p.delivered()
	m.stop(r, ok-ok0, c.Size)
	return err
}

// runLatency sends messages one at a time, each waiting for its
// acknowledgement, and records every round trip.
func runLatency(ctx context.Context, cl *client, c *config, r *Result) (err error) {
	p, err := cl.newSyncProducer(ctx, c)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := p.close(); err == nil {
			err = cerr
		}
	}()
	value := payload(c.Size)
	n := c.Count
	if c.Duration > 0 {
		n = 1 << 20
	}
	fl, err := dialFloor(ctx, c, n)
	if err != nil {
		return err
	}
	defer fl.close()
	for range latencyWarmup {
		if err := fl.roundTrip(false); err != nil {
			return err
		}
		r.Sent++
		if err := p.sendSync(ctx, value); err != nil {
			r.Failed++
			return err
		}
		r.Delivered++
	}
	lat := make([]time.Duration, 0, n)
	var end time.Time
	if c.Duration > 0 {
		end = time.Now().Add(c.Duration)
	}
	var m meter
	m.start()
	for i := 0; ; i++ {
		if c.Duration > 0 && (i == n || !time.Now().Before(end)) || c.Duration == 0 && i == c.Count {
			break
		}
		if err := fl.roundTrip(true); err != nil {
			return err
		}
		r.Sent++
		t0 := time.Now()
		if err := p.sendSync(ctx, value); err != nil {
			r.Failed++
			return err
		}
		lat = append(lat, time.Since(t0))
		r.Delivered++
	}
	m.exclude(fl.wall, fl.cpu, fl.sys)
	m.stop(r, int64(len(lat)), c.Size)
	setPercentiles(r, lat)
	r.setFloor(fl.lat)
	return nil
}

// runConsume reads the Count messages the runner wrote beforehand, checking
// that offsets follow each other and values have the right size. It is
// measured from the creation of the consumer, connecting included: most
// clients start fetching in the background as soon as they exist, so there
// is no warm-up that would not also read ahead.
func runConsume(ctx context.Context, cl *client, c *config, r *Result) (err error) {
	var n int64
	want := int64(c.Count)
	read := newPartitionCheck(c)
	handle := func(p int32, offset int64, value []byte) bool {
		n++
		if !read.next(p, offset) || len(value) != c.Size {
			r.Bad++
		}
		return n < want
	}
	r.Sent = want
	var m meter
	m.start()
	cons, err := cl.newConsumer(ctx, c)
	if err != nil {
		return err
	}
	// The counts are taken once the consumer is closed: after an error,
	// a fanIn's other partitions may still be passing messages until then.
	defer func() {
		if cerr := cons.close(); err == nil {
			err = cerr
		}
		r.Delivered = n - r.Bad
		r.PartitionReads = read.reads
	}()
	for n < want {
		if err := cons.poll(ctx, handle); err != nil {
			return err
		}
	}
	m.stop(r, n, c.Size)
	return nil
}

// partitionCheck follows the offsets read from each partition of a topic
// read from its start.
type partitionCheck struct {
	offsets []int64 // the next offset expected per partition
	reads   []int64 // messages read per partition
}

func newPartitionCheck(c *config) *partitionCheck {
	return &partitionCheck{offsets: make([]int64, c.Partitions), reads: make([]int64, c.Partitions)}
}

// next counts a message of partition p at offset and reports whether it
// is the one expected: a partition of the topic, the offset after the
// last one read there (the first is 0).
func (pc *partitionCheck) next(p int32, offset int64) bool {
	if p < 0 || int(p) >= len(pc.offsets) {
		return false
	}
	ok := offset == pc.offsets[p]
	pc.offsets[p] = offset + 1
	pc.reads[p]++
	return ok
}

// runE2E produces Count messages at e2eRate through the async producer
// while a consumer of the same client reads them; each value carries its
// sequence number and send time, and the latency of a message is the time
// from send to read. Messages are fresh slices, since the client keeps
// them until acknowledged.
func runE2E(ctx context.Context, cl *client, c *config, r *Result) (err error) {
	count := c.Count
	if c.Duration > 0 {
		count = int(c.Duration.Seconds() * e2eRate)
	}
	cons, err := cl.newConsumer(ctx, c)
	if err != nil {
		return err
	}
	p, err := cl.newProducer(ctx, c)
	if err != nil {
		cons.close()
		return err
	}
	base := time.Now()
	lat := make([]time.Duration, count+1) // by sequence; 0 is the warm-up
	seen := make([]bool, count+1)
	var received, bad atomic.Int64
	total := int64(count + 1)
	read := newPartitionCheck(c)
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		handle := func(p int32, offset int64, v []byte) bool {
			now := time.Since(base)
			if !read.next(p, offset) || len(v) != c.Size {
				bad.Add(1)
				return true
			}
			seq := binary.LittleEndian.Uint64(v)
			if seq > uint64(count) || seen[seq] {
				bad.Add(1)
				return true
			}
			seen[seq] = true
			lat[seq] = now - time.Duration(binary.LittleEndian.Uint64(v[8:]))
			return received.Add(1) < total
		}
		for received.Load() < total {
			if err := cons.poll(cctx, handle); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	defer func() {
		stop()
		wg.Wait()
		if cerr := p.close(); err == nil {
			err = cerr
		}
		if cerr := cons.close(); err == nil {
			err = cerr
		}
		ok, failed := p.delivered()
		r.Delivered, r.Failed, r.Bad = min(ok, received.Load()), failed, bad.Load()
		r.PartitionReads = read.reads
	}()
	// await waits until the consumer has read n messages.
	await := func(n int64) error {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for received.Load() < n {
			select {
			case err := <-done:
				if err == nil {
					if received.Load() >= n {
						return nil
					}
					err = errors.New("the consumer stopped early")
				}
				return fmt.Errorf("read %d of %d messages: %w", received.Load(), n, err)
			case <-ctx.Done():
				return fmt.Errorf("read %d of %d messages: %w", received.Load(), n, ctx.Err())
			case <-tick.C:
			}
		}
		return nil
	}
	// Every message gets its own value (an async producer may keep it until
	// it is written), allocated here, before the measured section, so that
	// the harness's allocations are not counted as the client's.
	filler := payload(c.Size)
	values := make([][]byte, count+1)
	for i := range values {
		values[i] = make([]byte, c.Size)
		copy(values[i], filler)
	}
	fill := func(seq int) []byte {
		v := values[seq]
		binary.LittleEndian.PutUint64(v, uint64(seq))
		binary.LittleEndian.PutUint64(v[8:], uint64(time.Since(base)))
		return v
	}
	// Warm-up: one message, acknowledged and read, so that both ends are
	// connected before the clock starts.
	r.Sent++
	if err := p.send(ctx, fill(0)); err != nil {
		return err
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	if err := await(1); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	lg, _ := p.(lingerer)
	var m meter
	m.start()
	start := time.Now()
	interval := time.Second / e2eRate
	for seq := 1; seq <= count; seq++ {
		due := start.Add(time.Duration(seq-1) * interval)
		if time.Until(due) > 0 {
			if lg != nil {
				if err := lg.lingerFlush(ctx); err != nil {
					return err
				}
			}
			time.Sleep(time.Until(due))
		}
		r.Sent++
		if err := p.send(ctx, fill(seq)); err != nil {
			return err
		}
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	if err := await(total); err != nil {
		return err
	}
	m.stop(r, int64(count), c.Size)
	setPercentiles(r, lat[1:])
	return nil
}

// tally counts the outcomes of an async producer whose completions come
// through callbacks on other goroutines.
type tally struct {
	sent     int64 // only the sending goroutine touches it
	ok, fail atomic.Int64
	mu       sync.Mutex
	err      error // the first failure
}

func (t *tally) done(n int64, err error) {
	if err == nil {
		t.ok.Add(n)
		return
	}
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
	t.fail.Add(n)
}

func (t *tally) delivered() (int64, int64) { return t.ok.Load(), t.fail.Load() }

// await waits until every message sent has an outcome; it returns the
// first failure, if any.
func (t *tally) await(ctx context.Context) error {
	if t.ok.Load()+t.fail.Load() < t.sent {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for t.ok.Load()+t.fail.Load() < t.sent {
			select {
			case <-ctx.Done():
				return fmt.Errorf("%d of %d messages acknowledged: %w", t.ok.Load(), t.sent, ctx.Err())
			case <-tick.C:
			}
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return fmt.Errorf("%d of %d messages failed, the first with: %w", t.fail.Load(), t.sent, t.err)
	}
	return nil
}
