package kafka

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// leaderOf returns the node id of partition's leader, asking any live
// broker of addrs.
func leaderOf(t *testing.T, addrs []string, topic string, partition int) int {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, a := range addrs {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			p, err := LookupPartition(ctx, "tcp", a, topic, partition)
			cancel()
			if err == nil && p.Leader.ID > 0 {
				return p.Leader.ID
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no leader for %s/%d", topic, partition)
		}
		time.Sleep(100 * time.Millisecond) // metadata offers nothing to wait on
	}
}

// createReplicatedTopic creates a unique topic of parts partitions on the
// 3-node cluster at addrs, replicated on every node, and returns its name
// once every partition has a leader.
func createReplicatedTopic(t *testing.T, addrs []string, parts int) string {
	t.Helper()
	topic := kafkatest.Topic(t)
	c, err := DialContext(context.Background(), "tcp", addrs[0])
	if err != nil {
		t.Fatal(err)
	}
	err = c.CreateTopics(TopicConfig{Topic: topic, NumPartitions: parts, ReplicationFactor: 3})
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	for p := range parts {
		leaderOf(t, addrs, topic, p)
	}
	return topic
}

// nodeKiller kills and restarts nodes of the 3-node cluster; the nodes
// still down when the test ends are restarted, to leave the shared cluster
// whole.
type nodeKiller struct {
	t    *testing.T
	mu   sync.Mutex
	down []int
}

func newNodeKiller(t *testing.T) *nodeKiller {
	k := &nodeKiller{t: t}
	t.Cleanup(func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		for _, n := range k.down {
			kafkatest.Start(t, 3, n)
		}
	})
	return k
}

// kill SIGKILLs node.
func (k *nodeKiller) kill(node int) {
	k.t.Helper()
	kafkatest.Kill(k.t, 3, node)
	k.mu.Lock()
	k.down = append(k.down, node)
	k.mu.Unlock()
}

// start restarts node and returns once it serves metadata.
func (k *nodeKiller) start(node int) {
	k.t.Helper()
	kafkatest.Start(k.t, 3, node)
	k.mu.Lock()
	k.down = slices.DeleteFunc(k.down, func(n int) bool { return n == node })
	k.mu.Unlock()
}

// The failover proof: 200,000 messages written with acks=all and
// idempotence to a 3-node cluster (RF 3, min.insync.replicas 2) while the
// leader of partition 0 is SIGKILLed and restarted twice. Reading the topic
// back finds every message exactly once, in order per partition.
func TestWriterFailover(t *testing.T) {
	addrs := kafkatest.Cluster3(t)
	const parts, total = 3, 200000
	topic := createReplicatedTopic(t, addrs, parts)

	nodes := newNodeKiller(t)

	w := &Writer{Addr: TCP(addrs...), Topic: topic, Balancer: &RoundRobin{}, Async: true, MaxAttempts: 1000, WriteBackoffMax: 500 * time.Millisecond}
	var failed atomic.Int64
	var acked atomic.Int64
	var firstErr atomic.Value
	w.Completion = func(ms []Message, err error) {
		if err != nil {
			failed.Add(int64(len(ms)))
			firstErr.CompareAndSwap(nil, err.Error())
			return
		}
		acked.Add(int64(len(ms)))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx := context.Background()
		start := time.Now()
		for i := range total {
			// Pace the writes over about 40 s, so that the kills land
			// while messages are in flight.
			if i%1000 == 0 {
				if ahead := time.Duration(i)*200*time.Microsecond - time.Since(start); ahead > 0 {
					time.Sleep(ahead)
				}
			}
			if err := w.WriteMessages(ctx, Message{Value: []byte(strconv.Itoa(i))}); err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
		}
	}()

	awaitAcked := func(n int64) {
		for acked.Load()+failed.Load() < n {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond): // the count offers nothing to wait on
			}
		}
	}
	for round := range 2 {
		awaitAcked(int64(total) * int64(1+2*round) / 5)
		node := leaderOf(t, addrs, topic, 0)
		nodes.kill(node)
		t.Logf("round %d: killed node %d (leader of partition 0) at %d acknowledged", round+1, node, acked.Load())
		awaitAcked(int64(total) * int64(2+2*round) / 5)
		nodes.start(node)
		t.Logf("round %d: restarted node %d at %d acknowledged", round+1, node, acked.Load())
	}
	<-done
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if failed.Load() != 0 {
		t.Fatalf("%d messages failed: %v", failed.Load(), firstErr.Load())
	}
	st := w.Stats()
	t.Logf("retries %d, dials %d", st.Retries, st.Dials)

	seen := make([]bool, total)
	for p := range parts {
		last := -1
		for _, m := range readPartition(t, addrs, topic, p) {
			v, err := strconv.Atoi(string(m.Value))
			if err != nil || v < 0 || v >= total {
				t.Fatalf("partition %d offset %d: value %q", p, m.Offset, m.Value)
			}
			if seen[v] {
				t.Fatalf("message %d written twice (partition %d offset %d)", v, p, m.Offset)
			}
			seen[v] = true
			if v <= last {
				t.Fatalf("partition %d: %d after %d", p, v, last)
			}
			last = v
		}
	}
	var missing []string
	for v, ok := range seen {
		if !ok {
			missing = append(missing, strconv.Itoa(v))
		}
	}
	if len(missing) > 0 {
		if len(missing) > 10 {
			missing = append(missing[:10], "...")
		}
		t.Fatalf("%d messages missing: %s", len(missing), strings.Join(missing, " "))
	}
}

// DeliveryTimeout: 2 minutes when zero, as given when positive, no bound
// when negative (it was 2 minutes: a negative value fell to the default).
func TestWriterDeliveryTimeoutSetting(t *testing.T) {
	for _, c := range []struct{ set, want time.Duration }{
		{0, 2 * time.Minute}, {3 * time.Second, 3 * time.Second}, {-1, 0},
	} {
		w := &Writer{Addr: TCP(kafkatest.Brokers(t)...), DeliveryTimeout: c.set}
		if _, err := w.engine(); err != nil {
			t.Fatal(err)
		}
		if got := w.cfg.DeliveryTimeout; got != c.want {
			t.Errorf("DeliveryTimeout %v: the engine's is %v, want %v", c.set, got, c.want)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A partition whose only replica's node is down has no leader, and a
// write waiting for it uses no attempts: DeliveryTimeout bounds it. The
// writes to partition 0, its node killed, fail with ErrDeliveryTimeout
// soon after the timeout, while another node's partition keeps taking
// writes; once the node is back, partition 0 takes writes again (after the
// epoch bump that a batch of unknown outcome, failed so, asks for), and it
// holds each message reported written once.
func TestWriterDeliveryTimeout(t *testing.T) {
	addrs := kafkatest.Cluster3(t)
	ctx := context.Background()
	topic := kafkatest.Topic(t)
	c, err := DialContext(ctx, "tcp", addrs[0])
	if err != nil {
		t.Fatal(err)
	}
	err = c.CreateTopics(TopicConfig{Topic: topic, NumPartitions: 3, ReplicationFactor: 1,
		ConfigEntries: []ConfigEntry{{ConfigName: "min.insync.replicas", ConfigValue: "1"}}})
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	var leaders [3]int
	for p := range leaders {
		leaders[p] = leaderOf(t, addrs, topic, p)
	}
	q := slices.IndexFunc(leaders[1:], func(l int) bool { return l != leaders[0] }) + 1
	if q == 0 {
		t.Fatalf("every partition on node %d", leaders[0])
	}
	k := newNodeKiller(t)
	const timeout = 3 * time.Second
	w := &Writer{Addr: TCP(addrs...), Topic: topic, Balancer: Manual{}, DeliveryTimeout: timeout,
		MaxAttempts: 1000, WriteBackoffMin: 20 * time.Millisecond, WriteBackoffMax: 200 * time.Millisecond}
	defer w.Close()
	write := func(p int, v string) error {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		return w.WriteMessages(wctx, Message{Partition: p, Value: []byte(v)})
	}
	if err := write(q, "q"); err != nil {
		t.Fatal(err)
	}
	var written []string // partition 0's values reported written
	var mu sync.Mutex
	type failure struct {
		err error
		// since is the time from the return of the write before the
		// failed one, which was accepted after it, to the failure.
		since time.Duration
		at    time.Time
	}
	p0err := make(chan failure, 1)
	go func() { // partition 0 kept busy, so that a write is in flight when its node dies
		last := time.Now()
		for i := 0; ; i++ {
			v := "p0-" + strconv.Itoa(i)
			if err := write(0, v); err != nil {
				p0err <- failure{err, time.Since(last), time.Now()}
				return
			}
			last = time.Now()
			mu.Lock()
			written = append(written, v)
			mu.Unlock()
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); ; {
		mu.Lock()
		n := len(written)
		mu.Unlock()
		if n >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("partition 0 took fewer than 20 writes in 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	k.kill(leaders[0])
	killed := time.Now()
	var p0Failed time.Duration
	for i := 0; ; i++ { // the other node's partition keeps taking writes
		select {
		case f := <-p0err:
			p0Failed = f.at.Sub(killed)
			if !errors.Is(f.err, ErrDeliveryTimeout) {
				t.Fatalf("partition 0's write failed with %v, want ErrDeliveryTimeout", f.err)
			}
			t.Logf("partition 0's write failed %v after the kill, %v after the write before it returned: %v",
				p0Failed.Round(time.Millisecond), f.since.Round(time.Millisecond), f.err)
			// Not before its timeout: it was accepted after the write
			// before it returned. Not later than the timeout after the
			// kill (it was accepted before) and the expiry check's period
			// (a quarter of the timeout), with a second for a loaded
			// machine.
			if most := timeout + timeout/4 + time.Second; f.since < timeout || p0Failed > most {
				t.Fatalf("partition 0's write failed %v after the write before it returned (it was accepted later), want at least %v; and %v after the kill, want at most %v",
					f.since, timeout, p0Failed, most)
			}
		default:
		}
		if p0Failed > 0 {
			break
		}
		if time.Since(killed) > time.Minute {
			t.Fatal("partition 0's write still waits a minute after its node died")
		}
		if err := write(q, "q-"+strconv.Itoa(i)); err != nil {
			t.Fatalf("partition %d while partition 0 has no leader: %v", q, err)
		}
	}
	k.start(leaders[0])
	leaderOf(t, addrs, topic, 0)
	if err := write(0, "after"); err != nil {
		t.Fatalf("partition 0 once its node is back: %v", err)
	}
	written = append(written, "after")
	seen := map[string]int{}
	for _, m := range readPartition(t, addrs, topic, 0) {
		seen[string(m.Value)]++
	}
	for v, n := range seen {
		if n > 1 {
			t.Errorf("%s written %d times", v, n)
		}
	}
	for _, v := range written {
		if seen[v] != 1 {
			t.Errorf("%s reported written, found %d times", v, seen[v])
		}
	}
}
