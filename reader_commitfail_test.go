package kafka

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/group"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// watchCommits wraps the commits of the group Readers created afterwards
// (until the test ends), counting those that failed because their context
// ended and those the coordinator or the member refused.
func watchCommits(t *testing.T) (ctxFailed, refused *atomic.Int64) {
	ctxFailed, refused = new(atomic.Int64), new(atomic.Int64)
	wrapCommitOffsets = func(commit commitOffsetsFunc) commitOffsetsFunc {
		return func(ctx context.Context, gen group.Generation, offsets []group.Offset) error {
			err := commit(ctx, gen, offsets)
			switch {
			case err == nil:
			case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
				ctxFailed.Add(1)
			default:
				refused.Add(1)
			}
			return err
		}
	}
	t.Cleanup(func() { wrapCommitOffsets = nil })
	return ctxFailed, refused
}

// TestReaderReadMessageCommitFails: a ReadMessage whose commit fails
// (CommitInterval 0) gives its message back, and a program that goes on
// after the error (`if err != nil { continue }`) loses nothing.
func TestReaderReadMessageCommitFails(t *testing.T) {
	t.Run("deadline", testReadMessageCommitDeadline)
	t.Run("rebalance", testReadMessageCommitRebalance)
}

// testReadMessageCommitDeadline reads 3,000 messages of three partitions
// with one group Reader, three calls in four with a context of 0.02 to 1 ms,
// which often ends during the commit, the fourth with 5 s so that reading
// goes on. Every message must come exactly once and in order in each
// partition: a message whose commit failed is returned by the next call
// that succeeds, not skipped (it was, by kafka-go too: the Reader's
// position had moved on). Then, after Close, the group's committed
// offsets are the partitions' ends: a new member of the group reads only a
// message written afterwards.
func testReadMessageCommitDeadline(t *testing.T) {
	const parts, total = 3, 3000
	ctx, topic, brokers := seqTopic(t, parts, total)

	ctxFailed, refused := watchCommits(t)
	cfg := ReaderConfig{Brokers: brokers, GroupID: kafkatest.Topic(t), Topic: topic, MaxWait: 100 * time.Millisecond,
		HeartbeatInterval: 300 * time.Millisecond, SessionTimeout: 10 * time.Second, RebalanceTimeout: 10 * time.Second,
		ReadBackoffMin: time.Millisecond, ReadBackoffMax: 10 * time.Millisecond}
	r := NewReader(cfg)
	defer r.Close()
	next := make([]int64, parts) // by partition: the offset the next message must have
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	var calls, failed int
	for seen := 0; seen < total; calls++ {
		d := 5 * time.Second
		if calls%4 != 0 {
			d = time.Duration(20+rng.IntN(980)) * time.Microsecond
		}
		rctx, rcancel := context.WithTimeout(ctx, d)
		m, err := r.ReadMessage(rctx)
		rcancel()
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("%d of %d messages read: %v", seen, total, err)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("ReadMessage: %v, want an error matching context.DeadlineExceeded", err)
			}
			failed++
			continue
		}
		p := m.Partition
		if p < 0 || p >= parts || m.Offset != next[p] {
			t.Fatalf("read %d/%d, want offset %d: a message was skipped or repeated after a failed commit", p, m.Offset, next[p])
		}
		next[p]++
		seen++
	}
	t.Logf("%d calls, %d failed; %d commits failed at their deadline, %d refused", calls, failed, ctxFailed.Load(), refused.Load())
	// The calls fail with their context also while waiting for a message;
	// those that failed during the commit are what this test is about.
	if ctxFailed.Load() < 100 {
		t.Errorf("only %d commits ended with their context: the test did not exercise failed commits", ctxFailed.Load())
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	expectOnlyNew(ctx, t, cfg)
}

// seqTopic creates a topic of parts partitions on the 1-node cluster and
// writes total messages to it with writeSeq; the context bounds the test.
func seqTopic(t *testing.T, parts, total int) (context.Context, string, []string) {
	topic := createTopic(t, parts)
	brokers := kafkatest.Brokers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	writeSeq(ctx, t, &Writer{Addr: TCP(brokers...), Topic: topic, Balancer: &RoundRobin{}}, total)
	return ctx, topic, brokers
}

// expectOnlyNew writes one message and checks that a new Reader of cfg's
// group reads it and nothing before it: the group's committed offsets are
// the partitions' ends.
func expectOnlyNew(ctx context.Context, t *testing.T, cfg ReaderConfig) {
	t.Helper()
	w := &Writer{Addr: TCP(cfg.Brokers...), Topic: cfg.Topic}
	if err := w.WriteMessages(ctx, Message{Value: []byte("new")}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r := NewReader(cfg)
	defer r.Close()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Value) == "new" {
			return
		}
		t.Fatalf("a new member of the group read %d/%d (%q): the committed offset is below the end", m.Partition, m.Offset, m.Value)
	}
}

// testReadMessageCommitRebalance consumes 30,000 messages of six partitions
// with a group whose members read with ReadMessage (CommitInterval 0,
// cooperative-sticky), going on after every error, while members join and
// leave every 3,000 messages: in each rebalance the coordinator refuses
// commits (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION) or the member does
// (a generation already over). The churn record (see TestReaderGroupChurn)
// checks that every message is delivered at least once, only at or above
// the committed offset seen before when delivered again, and that the
// committed offsets end at the partitions' ends. A refused commit used to
// leave the offset after the message pending, so the next commit of the
// partition covered a message its reader had never returned. And the
// refused commits stay few: the message given back comes again after a
// backoff, not at once.
func testReadMessageCommitRebalance(t *testing.T) {
	const parts, total = 6, 30000
	ctx, topic, brokers := seqTopic(t, parts, total)

	_, refused := watchCommits(t)
	s := newChurn(ctx, t, brokers, topic, parts, total)
	s.readMessage = true
	s.rate = 1000 // each Reader: about 10 s in all, so that the churn happens while reading
	groupID := kafkatest.Topic(t)
	stopPoll := s.startPoller(ctx, brokers, groupID)
	defer stopPoll()
	base := ReaderConfig{Brokers: brokers, GroupID: groupID, Topic: topic,
		GroupBalancers: []GroupBalancer{CooperativeStickyGroupBalancer{}}, MaxBytes: 64 << 10, MaxWait: 100 * time.Millisecond,
		HeartbeatInterval: 250 * time.Millisecond, SessionTimeout: 3 * time.Second, RebalanceTimeout: 6 * time.Second,
		ReadBackoffMin: time.Millisecond, ReadBackoffMax: 50 * time.Millisecond}
	s.join(ctx, "a", base)
	s.join(ctx, "b", base)
	var extra *churnReader
	for i := 1; i < 10; i++ {
		s.await(ctx, i*total/10)
		if extra == nil {
			extra = s.join(ctx, "x"+strconv.Itoa(i), base)
		} else {
			s.leave(extra)
			extra = nil
		}
	}
	s.finish(ctx, stopPoll)
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Logf("%d deliveries of %d messages, %d duplicates; %d assignments, %d revocations; %d commits refused; %d commit polls",
		s.delivered, total, s.dups, s.assigns, s.revokes, refused.Load(), s.polls)
	// A refused commit's message comes back after a backoff: a consumer
	// that goes on at once must not send a commit storm for as long as a
	// rebalance lasts (without the backoff: 7,202 refused in one run).
	if max := int64(20 * (s.assigns + s.revokes)); refused.Load() > max {
		t.Errorf("%d commits refused in %d assignments and revocations: a commit storm (at most %d expected)", refused.Load(), s.assigns+s.revokes, max)
	}
}

// stallFirstCommit makes the first commit of the group Readers created
// afterwards wait until release is called (as a commit to a coordinator
// that died waits for the group to move); entered is closed once it waits.
func stallFirstCommit(t *testing.T) (entered <-chan struct{}, release func()) {
	in, hold := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	wrapCommitOffsets = func(commit commitOffsetsFunc) commitOffsetsFunc {
		return func(ctx context.Context, gen group.Generation, offsets []group.Offset) error {
			if first.CompareAndSwap(false, true) {
				close(in)
				<-hold
			}
			return commit(ctx, gen, offsets)
		}
	}
	var once atomic.Bool
	release = func() {
		if once.CompareAndSwap(false, true) {
			close(hold)
		}
	}
	t.Cleanup(func() { release(); wrapCommitOffsets = nil })
	return in, release
}

// TestReaderCommitBehindStalledCommit: while a commit waits for the
// coordinator, an asynchronous CommitMessages (CommitInterval > 0) records
// its offsets and returns at once, and a synchronous one returns when its
// context ends. Both used to wait for the stalled commit, without regard
// to their context: in TestReaderGroupCoordinatorFailover every consumer
// stopped reading for the 4 s the group took to move to another node.
func TestReaderCommitBehindStalledCommit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interval time.Duration
	}{{"async", 20 * time.Millisecond}, {"sync", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			topic := createTopic(t, 1)
			w := newTestWriter(t, topic)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if err := w.WriteMessages(ctx, Message{Value: []byte("1")}, Message{Value: []byte("2")}); err != nil {
				t.Fatal(err)
			}
			entered, release := stallFirstCommit(t)
			cfg := groupReaderConfig(t, kafkatest.Topic(t), topic)
			cfg.CommitInterval = tc.interval
			r := NewReader(cfg)
			defer r.Close()
			m1, err := r.FetchMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// The first commit stalls: the periodic one (async) or this
			// call's own (sync), on a goroutine of its own.
			first := make(chan error, 1)
			go func() { first <- r.CommitMessages(ctx, m1) }()
			select {
			case <-entered:
			case <-ctx.Done():
				t.Fatal("no commit began")
			}
			m2, err := r.FetchMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			const limit = 300 * time.Millisecond
			cctx, ccancel := context.WithTimeout(ctx, limit)
			defer ccancel()
			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- r.CommitMessages(cctx, m2) }()
			select {
			case err = <-done:
			case <-time.After(limit + 5*time.Second):
				release()
				err = <-done
				t.Fatalf("CommitMessages waited %v for the stalled commit (returned %v once it was released)", time.Since(start), err)
			}
			if tc.interval > 0 && err != nil {
				t.Errorf("asynchronous CommitMessages: %v", err)
			}
			if tc.interval == 0 && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("synchronous CommitMessages behind a stalled commit: %v, want context.DeadlineExceeded", err)
			}
			t.Logf("CommitMessages returned %v after %v", err, time.Since(start))
			release()
			if tc.interval == 0 {
				if err := <-first; err != nil {
					t.Errorf("the stalled commit, released: %v", err)
				}
			}
		})
	}
}
