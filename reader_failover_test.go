package kafka

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// writeSeq writes total messages whose values are their sequence numbers,
// "0" to total-1, with w, then closes w.
func writeSeq(ctx context.Context, t *testing.T, w *Writer, total int) {
	t.Helper()
	msgs := make([]Message, 0, 10000)
	for seq := range total {
		msgs = append(msgs, Message{Value: []byte(strconv.Itoa(seq))})
		if len(msgs) == cap(msgs) || seq == total-1 {
			if err := w.WriteMessages(ctx, msgs...); err != nil {
				t.Fatal(err)
			}
			msgs = msgs[:0]
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// The Reader failover proof: a single-partition Reader (no group)
// reads a partition replicated on three nodes while its leader is
// SIGKILLed and restarted, twice. The Reader follows the leadership to
// another node and back, and delivers every offset exactly once, in order:
// offsets strictly consecutive, each message the one written there.
func TestReaderLeaderFailover(t *testing.T) {
	addrs := kafkatest.Cluster3(t)
	topic := kafkatest.Topic(t)
	const total = 60000
	{
		c, err := DialContext(context.Background(), "tcp", addrs[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := c.CreateTopics(TopicConfig{Topic: topic, NumPartitions: 1, ReplicationFactor: 3}); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	leaderOf(t, addrs, topic, 0)

	nodes := newNodeKiller(t)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// Written with acks=all before reading: every replica holds every
	// message, so whichever node leads has them all.
	writeSeq(ctx, t, &Writer{Addr: TCP(addrs...), Topic: topic}, total)

	// Small fetches, so that the Reader keeps fetching through the
	// failovers rather than holding everything already; reading is paced
	// over about 30 s, so that it goes on while the nodes die and restart.
	r := NewReader(ReaderConfig{Brokers: addrs, Topic: topic, MaxBytes: 16 << 10, MaxWait: 200 * time.Millisecond,
		ReadBackoffMax: 500 * time.Millisecond, Dialer: &Dialer{Timeout: 2 * time.Second}})
	defer r.Close()
	const rate = 2000 // messages a second
	marks := []int64{total / 5, 2 * total / 5, 3 * total / 5, 4 * total / 5}
	reached := make([]chan struct{}, len(marks))
	for i := range reached {
		reached[i] = make(chan struct{})
	}
	var next int64
	errs := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		t0 := time.Now()
		for next < total {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				if ctx.Err() != nil {
					t.Errorf("at offset %d: %v", next, err)
					return
				}
				errs++ // the Reader reports failed attempts and goes on
				t.Logf("at offset %d: %v", next, err)
				continue
			}
			if m.Offset != next || string(m.Value) != strconv.Itoa(int(next)) {
				t.Errorf("read offset %d (value %q), want offset %d", m.Offset, m.Value, next)
				return
			}
			next++
			for i, mark := range marks {
				if next == mark {
					close(reached[i])
				}
			}
			if ahead := time.Duration(next)*time.Second/rate - time.Since(t0); ahead > 0 && next%100 == 0 {
				time.Sleep(ahead) // pacing
			}
		}
	}()
	await := func(i int) {
		t.Helper()
		select {
		case <-reached[i]:
		case <-done:
			// Reading may have gone past the mark and to the end since
			// (catching up after a failover): only an early end fails.
			select {
			case <-reached[i]:
			default:
				t.Fatalf("reading ended before offset %d", marks[i])
			}
		}
	}
	for round := range 2 {
		await(2 * round)
		node := leaderOf(t, addrs, topic, 0)
		nodes.kill(node)
		t.Logf("round %d: killed node %d (the leader)", round+1, node)
		// Reading goes on while the node is down: the Reader finds the
		// new leader.
		await(2*round + 1)
		t.Logf("round %d: read on past offset %d with node %d down", round+1, marks[2*round+1], node)
		nodes.start(node)
		t.Logf("round %d: restarted node %d", round+1, node)
	}
	<-done
	if next != total {
		t.Fatalf("read %d messages of %d", next, total)
	}
	st := r.Stats()
	t.Logf("%d messages read in order, %d errors reported, %d dials", next, errs, st.Dials)
	if lag := r.Lag(); lag != 0 {
		t.Fatalf("lag %d after reading everything", lag)
	}
}
