package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// TestReaderGroupSplit has three Readers of one group split a topic of six
// partitions: every message is read at least once, all three Readers read,
// each reads only the partitions it holds (as OnAssigned, OnRevoked and
// OnLost tell it), no partition is assigned to a Reader while another
// holds it, and a Reader started after they close resumes at the committed
// offsets (it reads only what was written since).
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
	own := newPartitionOwners()
	newGroupReader := func(id int) *Reader {
		cfg := ReaderConfig{Brokers: kafkatest.Brokers(t), GroupID: groupID, Topic: topic,
			MaxWait: 200 * time.Millisecond, HeartbeatInterval: 300 * time.Millisecond, SessionTimeout: 10 * time.Second,
			RebalanceTimeout: 10 * time.Second}
		if id >= 0 {
			cfg.OnAssigned = func(ps map[string][]int) { own.assigned(id, ps[topic]) }
			cfg.OnRevoked = func(ps map[string][]int) { own.revoked(id, ps[topic]) }
			cfg.OnLost = cfg.OnRevoked
		}
		r := NewReader(cfg)
		t.Cleanup(func() { r.Close() })
		return r
	}
	readers := []*Reader{newGroupReader(0), newGroupReader(1), newGroupReader(2)}
	// The members join on their own goroutines: read once the group has
	// given every one of them partitions, so that all three take part.
	own.await(t, ctx, func() bool { return own.holders() == 3 && own.held() == 6 })
	var mu sync.Mutex
	seen := map[int]int{}
	readBy := map[int]int{} // messages read by each Reader
	var wg sync.WaitGroup
	rctx, rcancel := context.WithCancel(ctx)
	defer rcancel()
	for id, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				since := own.now()
				m, err := r.FetchMessage(rctx)
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Error(err)
					}
					return
				}
				own.read(id, m.Partition, since)
				if err := r.CommitMessages(rctx, m); err != nil && !errors.Is(err, context.Canceled) {
					t.Logf("commit: %v", err) // a rebalance may refuse it
				}
				v, err := strconv.Atoi(string(m.Value))
				if err != nil {
					t.Errorf("reader %d: message %q at %d/%d is not one written", id, m.Value, m.Partition, m.Offset)
					return
				}
				mu.Lock()
				seen[v]++
				readBy[id]++
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
	own.check(t)
	mu.Lock()
	if len(readBy) < 2 {
		t.Errorf("messages read by reader: %v, want at least two readers taking part", readBy)
	}
	t.Logf("messages read by reader: %v", readBy)
	mu.Unlock()
	for _, r := range readers {
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Everything was committed: a new member reads only new messages.
	if err := w.WriteMessages(ctx, Message{Value: []byte("new")}); err != nil {
		t.Fatal(err)
	}
	r := newGroupReader(-1)
	m, err := r.ReadMessage(ctx)
	if err != nil || string(m.Value) != "new" {
		t.Fatalf("after the restart: %q %v", m.Value, err)
	}
}

// partitionOwners follows which Reader of a group holds each partition of
// one topic, as its OnAssigned, OnRevoked and OnLost hooks say, and
// records every breach: a partition assigned while another Reader holds
// it, a message read from a partition its Reader did not hold.
type partitionOwners struct {
	mu        sync.Mutex
	seq       int64            // counts assignments and revocations
	owner     map[int]int      // partition: the Reader holding it
	revokedAt map[[2]int]int64 // {reader, partition}: seq of its last revocation
	errs      []string
	changed   chan struct{} // signalled at every assignment and revocation
}

func newPartitionOwners() *partitionOwners {
	return &partitionOwners{owner: map[int]int{}, revokedAt: map[[2]int]int64{}, changed: make(chan struct{}, 1)}
}

func (o *partitionOwners) assigned(id int, parts []int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range parts {
		if cur, ok := o.owner[p]; ok && cur != id {
			o.errs = append(o.errs, fmt.Sprintf("partition %d assigned to reader %d while reader %d holds it", p, id, cur))
		}
		o.owner[p] = id
	}
	o.seq++
	o.signal()
}

func (o *partitionOwners) revoked(id int, parts []int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	for _, p := range parts {
		if o.owner[p] == id {
			delete(o.owner, p)
		}
		o.revokedAt[[2]int{id, p}] = o.seq
	}
	o.signal()
}

func (o *partitionOwners) signal() {
	select {
	case o.changed <- struct{}{}:
	default:
	}
}

// now returns the count of changes so far, for read.
func (o *partitionOwners) now() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.seq
}

// read checks a message of partition p that Reader id read in a call
// begun at since (now's value then): id holds p, or p was revoked from id
// after the call began (a read in progress may return a message it took
// before OnRevoked).
func (o *partitionOwners) read(id, p int, since int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if cur, ok := o.owner[p]; ok && cur == id {
		return
	}
	if o.revokedAt[[2]int{id, p}] > since {
		return
	}
	o.errs = append(o.errs, fmt.Sprintf("reader %d read a message of partition %d, which it did not hold", id, p))
}

// holders counts the Readers holding partitions; held counts the
// partitions held.
func (o *partitionOwners) holders() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	ids := map[int]bool{}
	for _, id := range o.owner {
		ids[id] = true
	}
	return len(ids)
}

func (o *partitionOwners) held() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.owner)
}

func (o *partitionOwners) errors() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.errs)
}

// check fails t with the breaches recorded (the first ten, and their
// count).
func (o *partitionOwners) check(t *testing.T) {
	t.Helper()
	errs := o.errors()
	for i, e := range errs {
		if i == 10 {
			t.Errorf("... %d breaches in all", len(errs))
			break
		}
		t.Error(e)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
}

// await waits until cond holds, re-checking it at every change, and fails
// t at the first breach.
func (o *partitionOwners) await(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		o.check(t)
		select {
		case <-o.changed:
		case <-ctx.Done():
			o.mu.Lock()
			defer o.mu.Unlock()
			t.Fatalf("the group did not split the topic between its three readers: partitions held %v", o.owner)
		}
	}
	o.check(t)
}
