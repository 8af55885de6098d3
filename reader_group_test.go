package kafka

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// TestReaderGroupSplit has three Readers of one group split a topic of six
// partitions: every message is read at least once, each Reader reads only
// the partitions it was assigned, and a Reader started after they close
// resumes at the committed offsets (it reads only what was written since).
func TestReaderGroupSplit(t *testing.T) {
	topic := createTopic(t, 6)
	w := newTestWriter(t, topic)
	w.Balancer = &RoundRobin{}
	const n = 600
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{Value: []byte(strconv.Itoa(i))}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	groupID := kafkatest.Topic(t)
	newGroupReader := func() *Reader {
		r := NewReader(ReaderConfig{Brokers: kafkatest.Brokers(t), GroupID: groupID, Topic: topic,
			MaxWait: 200 * time.Millisecond, HeartbeatInterval: 300 * time.Millisecond, SessionTimeout: 10 * time.Second,
			RebalanceTimeout: 10 * time.Second})
		t.Cleanup(func() { r.Close() })
		return r
	}
	var mu sync.Mutex
	seen := map[int]int{}
	byPartition := map[int]map[*Reader]bool{}
	var wg sync.WaitGroup
	readers := []*Reader{newGroupReader(), newGroupReader(), newGroupReader()}
	rctx, rcancel := context.WithCancel(ctx)
	defer rcancel()
	for _, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				m, err := r.FetchMessage(rctx)
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Error(err)
					}
					return
				}
				if err := r.CommitMessages(rctx, m); err != nil && !errors.Is(err, context.Canceled) {
					t.Logf("commit: %v", err) // a rebalance may refuse it
				}
				v, _ := strconv.Atoi(string(m.Value))
				mu.Lock()
				seen[v]++
				if byPartition[m.Partition] == nil {
					byPartition[m.Partition] = map[*Reader]bool{}
				}
				byPartition[m.Partition][r] = true
				done := len(seen) == n
				mu.Unlock()
				if done {
					rcancel()
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("read %d distinct messages of %d", len(seen), n)
	}
	mu.Lock()
	readersUsed := map[*Reader]bool{}
	for _, rs := range byPartition {
		for r := range rs {
			readersUsed[r] = true
		}
	}
	mu.Unlock()
	t.Logf("%d readers read; partitions by reader count: %v", len(readersUsed), byPartition)
	for _, r := range readers {
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Everything was committed: a new member reads only new messages.
	if err := w.WriteMessages(ctx, Message{Value: []byte("new")}); err != nil {
		t.Fatal(err)
	}
	r := newGroupReader()
	m, err := r.ReadMessage(ctx)
	if err != nil || string(m.Value) != "new" {
		t.Fatalf("after the restart: %q %v", m.Value, err)
	}
}
