package kafka

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/sasl/scram"
)

// TestSecuredFailover is the failover proof over SASL_SSL with
// SCRAM-SHA-512: on the 3-node cluster, a Writer (acks=all, idempotent)
// writes 30,000 messages to a topic replicated on every node while a
// Reader reads partition 0, and the leader of partition 0 is SIGKILLed and
// restarted. No write fails; the topic holds every message once, in order
// per partition; the Reader, its connections redialed with TLS and SASL,
// reads partition 0 whole and in order.
func TestSecuredFailover(t *testing.T) {
	sec := kafkatest.Secured3(t)
	plain := kafkatest.Cluster3(t)
	mech, err := scram.Mechanism(scram.SHA512, sec.User, sec.Password)
	if err != nil {
		t.Fatal(err)
	}
	s := secureSetup{name: "SASL_SSL", addrs: sec.SASLSSL, tls: sec.TLS(t), mech: mech}
	const parts, total = 3, 30000
	topic := createReplicatedTopic(t, plain, parts)
	nodes := newNodeKiller(t)

	w := &Writer{Addr: TCP(s.addrs...), Topic: topic, Transport: s.transport(), Balancer: &RoundRobin{},
		Async: true, MaxAttempts: 1000, WriteBackoffMax: 500 * time.Millisecond}
	var acked, failed atomic.Int64
	var firstErr atomic.Value
	w.Completion = func(ms []Message, err error) {
		if err != nil {
			failed.Add(int64(len(ms)))
			firstErr.CompareAndSwap(nil, err.Error())
			return
		}
		acked.Add(int64(len(ms)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	r := NewReader(ReaderConfig{Brokers: s.addrs, Topic: topic, Partition: 0, Dialer: s.dialer(),
		MaxWait: 100 * time.Millisecond, MaxAttempts: 1000, ErrorLogger: LoggerFunc(t.Logf)})
	defer r.Close()
	readDone := make(chan error, 1)
	go func() { // partition 0 holds the values i with i%parts == 0, in order
		for want := 0; want < total; want += parts {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				readDone <- err
				return
			}
			if v, _ := strconv.Atoi(string(m.Value)); v != want {
				readDone <- fmt.Errorf("the Reader read %q at offset %d, want %d", m.Value, m.Offset, want)
				return
			}
		}
		readDone <- nil
	}()

	written := make(chan struct{})
	go func() {
		defer close(written)
		start := time.Now()
		for i := range total {
			// About 15 s of writes, so the kill lands mid-stream.
			if i%500 == 0 {
				if ahead := time.Duration(i)*500*time.Microsecond - time.Since(start); ahead > 0 {
					time.Sleep(ahead)
				}
			}
			if err := w.WriteMessages(ctx, Message{Value: []byte(strconv.Itoa(i))}); err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
		}
	}()
	for acked.Load()+failed.Load() < total/3 {
		time.Sleep(10 * time.Millisecond) // the count offers nothing to wait on
	}
	node := leaderOf(t, plain, topic, 0)
	nodes.kill(node)
	t.Logf("killed node %d (leader of partition 0) at %d acknowledged", node, acked.Load())
	for acked.Load()+failed.Load() < 2*total/3 {
		time.Sleep(10 * time.Millisecond)
	}
	nodes.start(node)
	t.Logf("restarted node %d at %d acknowledged", node, acked.Load())
	<-written
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if failed.Load() != 0 {
		t.Fatalf("%d messages failed: %v", failed.Load(), firstErr.Load())
	}
	if err := <-readDone; err != nil {
		t.Fatalf("Reader: %v", err)
	}
	seen := make([]bool, total)
	for p := range parts {
		last := -1
		for _, m := range readPartition(t, plain, topic, p) {
			v, err := strconv.Atoi(string(m.Value))
			if err != nil || v < 0 || v >= total || seen[v] || v <= last {
				t.Fatalf("partition %d offset %d: %q (twice, out of order or unknown)", p, m.Offset, m.Value)
			}
			seen[v], last = true, v
		}
	}
	for v, ok := range seen {
		if !ok {
			t.Fatalf("message %d missing", v)
		}
	}
	st, rs := w.Stats(), r.Stats()
	t.Logf("Writer: %d retries, %d dials; Reader: %d dials, %d errors", st.Retries, st.Dials, rs.Dials, rs.Errors)
}
