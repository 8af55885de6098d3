package kafka

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/wire"
)

// addPartitions grows topic to n partitions with CreatePartitions (the
// root package has no call for it, as kafka-go's Conn has none).
func addPartitions(t *testing.T, topic string, n int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bc, err := broker.Dial(ctx, kafkatest.Brokers(t)[0], "reader-test")
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	if err := bc.Negotiate(); err != nil {
		t.Fatal(err)
	}
	v, err := bc.Version(wire.KeyCreatePartitions)
	if err != nil {
		t.Fatal(err)
	}
	var resp wire.CreatePartitionsResponse
	err = bc.RoundTrip(ctx, v, &wire.CreatePartitionsRequest{TimeoutMs: 10000,
		Topics: []wire.CreatePartitionsRequestTopic{{Name: topic, Count: n}}}, &resp)
	if err == nil && len(resp.Results) == 1 {
		err = wire.ErrorForCodeMessage(resp.Results[0].ErrorCode, resp.Results[0].ErrorMessage)
	}
	if err != nil {
		t.Fatalf("growing %s to %d partitions: %v", topic, n, err)
	}
	awaitLeaders(t, topic, int(n))
}

// TestReaderWatchPartitionChanges: with WatchPartitionChanges, partitions
// added to the topic are assigned and read without any member joining or
// leaving, also when the watch interval is shorter than the heartbeat
// interval.
func TestReaderWatchPartitionChanges(t *testing.T) {
	topic := createTopic(t, 2)
	cfg := groupReaderConfig(t, kafkatest.Topic(t), topic)
	cfg.WatchPartitionChanges, cfg.PartitionWatchInterval = true, 300*time.Millisecond
	cfg.HeartbeatInterval = 3 * time.Second
	var mu sync.Mutex
	owned := map[int]bool{}
	cfg.OnAssigned = func(ps map[string][]int) {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range ps[topic] {
			owned[p] = true
		}
	}
	r := NewReader(cfg)
	t.Cleanup(func() { r.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w := newTestWriter(t, topic)
	if err := w.WriteMessages(ctx, Message{Value: []byte("before")}); err != nil {
		t.Fatal(err)
	}
	if m, err := r.ReadMessage(ctx); err != nil || string(m.Value) != "before" {
		t.Fatalf("read %q, %v; want \"before\"", m.Value, err)
	}
	addPartitions(t, topic, 4)
	added := time.Now()
	for p := 2; p < 4; p++ {
		c, err := DialLeader(ctx, "tcp", kafkatest.Brokers(t)[0], topic, p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.WriteMessages(Message{Value: []byte("new-" + strconv.Itoa(p))})
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	got := map[int]string{}
	for len(got) < 2 {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("new partitions read: %v: %v", got, err)
		}
		if m.Partition < 2 || m.Value == nil || string(m.Value) != "new-"+strconv.Itoa(m.Partition) {
			t.Fatalf("read %q from partition %d, want only the new partitions' messages", m.Value, m.Partition)
		}
		got[m.Partition] = string(m.Value)
	}
	t.Logf("the new partitions' messages were read %v after the partitions were added", time.Since(added))
	mu.Lock()
	defer mu.Unlock()
	if len(owned) != 4 {
		t.Errorf("assigned partitions %v, want 0 to 3", owned)
	}
}

// TestReaderReadLagIntervalNegative: a negative ReadLagInterval disables
// the lag in Stats, as kafka-go documents; Lag() still reports it.
func TestReaderReadLagIntervalNegative(t *testing.T) {
	topic := createTopic(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := newTestWriter(t, topic).WriteMessages(ctx, Message{Value: []byte("a")}, Message{Value: []byte("b")}); err != nil {
		t.Fatal(err)
	}
	for _, interval := range []time.Duration{0, -1} {
		r := NewReader(ReaderConfig{Brokers: kafkatest.Brokers(t), Topic: topic, ReadLagInterval: interval, MaxWait: 200 * time.Millisecond})
		if _, err := r.ReadMessage(ctx); err != nil {
			t.Fatal(err)
		}
		want := int64(1)
		if interval < 0 {
			want = -1
		}
		if lag, st := r.Lag(), r.Stats(); lag != 1 || st.Lag != want {
			t.Errorf("ReadLagInterval %v: Lag() %d, Stats().Lag %d; want 1 and %d", interval, lag, st.Lag, want)
		}
		r.Close()
	}
}
