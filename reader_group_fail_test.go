package kafka

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/group"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/proxy"
	"github.com/zeroalloc/kafka/wire"
)

// groupReaderConfig is a group Reader's configuration with test timings.
func groupReaderConfig(t *testing.T, groupID, topic string) ReaderConfig {
	return ReaderConfig{Brokers: kafkatest.Brokers(t), GroupID: groupID, Topic: topic,
		MaxWait: 200 * time.Millisecond, HeartbeatInterval: 300 * time.Millisecond, SessionTimeout: 10 * time.Second,
		RebalanceTimeout: 10 * time.Second}
}

// expectGroupError reads with r until it fails, and checks that every read
// call then returns the same *GroupError, matching code, at once, and
// io.EOF after Close.
func expectGroupError(t *testing.T, r *Reader, code Error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := r.FetchMessage(ctx)
	var ge *GroupError
	if !errors.Is(err, code) || !errors.As(err, &ge) || ge.GroupID != r.Config().GroupID {
		t.Fatalf("FetchMessage: %v, want a *GroupError of group %s matching %v", err, r.Config().GroupID, code)
	}
	t.Logf("FetchMessage: %v", err)
	quick, qcancel := context.WithTimeout(context.Background(), time.Second)
	defer qcancel()
	if _, err2 := r.ReadMessage(quick); err2 != err {
		t.Errorf("ReadMessage after the failure: %v, want %v", err2, err)
	}
	if err2 := r.ReadInto(quick, &Message{}); err2 != err {
		t.Errorf("ReadInto after the failure: %v, want %v", err2, err)
	}
	if err2 := r.CommitMessages(quick, Message{Topic: r.Config().Topic}); err2 != err {
		t.Errorf("CommitMessages after the failure: %v, want %v", err2, err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := r.FetchMessage(quick); !errors.Is(err, io.EOF) {
		t.Errorf("FetchMessage after Close: %v, want io.EOF", err)
	}
}

// TestReaderGroupFatalError: when the group member meets an error no retry
// fixes, the read calls return it instead of blocking.
func TestReaderGroupFatalError(t *testing.T) {
	t.Run("invalid session timeout", func(t *testing.T) {
		// The broker allows at most group.max.session.timeout.ms, 30 min
		// by default.
		cfg := groupReaderConfig(t, kafkatest.Topic(t), createTopic(t, 1))
		cfg.SessionTimeout = 2 * time.Hour
		r := NewReader(cfg)
		t.Cleanup(func() { r.Close() })
		expectGroupError(t, r, InvalidSessionTimeout)
	})
	t.Run("inconsistent group protocol", func(t *testing.T) {
		// A member that shares no assignor with the group cannot join it;
		// the group's member reads on.
		topic := createTopic(t, 1)
		groupID := kafkatest.Topic(t)
		first := groupReaderConfig(t, groupID, topic)
		first.GroupBalancers = []GroupBalancer{RangeGroupBalancer{}}
		assigned := make(chan struct{})
		var once sync.Once
		first.OnAssigned = func(map[string][]int) { once.Do(func() { close(assigned) }) }
		a := NewReader(first)
		t.Cleanup(func() { a.Close() })
		select {
		case <-assigned:
		case <-time.After(30 * time.Second):
			t.Fatal("the first member got no assignment")
		}
		other := groupReaderConfig(t, groupID, topic)
		other.GroupBalancers = []GroupBalancer{CooperativeStickyGroupBalancer{}}
		b := NewReader(other)
		t.Cleanup(func() { b.Close() })
		expectGroupError(t, b, InconsistentGroupProtocol)

		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := newTestWriter(t, topic).WriteMessages(ctx, Message{Value: []byte("after")}); err != nil {
			t.Fatal(err)
		}
		m, err := a.ReadMessage(ctx)
		if err != nil || string(m.Value) != "after" {
			t.Fatalf("the group's member read %q, %v; want \"after\"", m.Value, err)
		}
	})
}

// injectFetchOffsets makes the FetchOffsets of the group Readers created
// by the test fail with fail(n) on its nth call (from 1) while that
// returns an error; it returns the count of calls.
func injectFetchOffsets(t *testing.T, fail func(n int64) error) *atomic.Int64 {
	var calls atomic.Int64
	wrapFetchOffsets = func(fetch fetchOffsetsFunc) fetchOffsetsFunc {
		return func(ctx context.Context, offsets []group.Offset) error {
			if err := fail(calls.Add(1)); err != nil {
				return err
			}
			return fetch(ctx, offsets)
		}
	}
	t.Cleanup(func() { wrapFetchOffsets = nil })
	return &calls
}

// readDistinct reads with ReadMessage until n distinct values came, and
// fails the test at the first error.
func readDistinct(ctx context.Context, t *testing.T, r *Reader, n int) {
	t.Helper()
	seen := map[string]bool{}
	for len(seen) < n {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("after %d distinct messages: %v", len(seen), err)
		}
		seen[string(m.Value)] = true
	}
}

// TestReaderGroupFetchOffsetsRetry: fetching the committed offsets of a new
// assignment is retried until it succeeds, so the partitions are read
// (it used to give up at the first failure, leaving them assigned and read
// by nobody); a failure no retry fixes fails the Reader instead.
func TestReaderGroupFetchOffsetsRetry(t *testing.T) {
	t.Run("retried", func(t *testing.T) {
		const n = 100
		ctx, topic, _ := seqTopic(t, 2, n)
		// UNKNOWN_TOPIC_OR_PARTITION is retriable in Kafka; the member's
		// own retries do not cover it.
		calls := injectFetchOffsets(t, func(n int64) error {
			if n <= 3 {
				return wire.UnknownTopicOrPartition
			}
			return nil
		})
		r := NewReader(groupReaderConfig(t, kafkatest.Topic(t), topic))
		t.Cleanup(func() { r.Close() })
		readDistinct(ctx, t, r, n)
		if c := calls.Load(); c < 4 {
			t.Errorf("FetchOffsets called %d times, want the 3 failures and a success", c)
		}
		if st := r.Stats(); st.Errors < 3 {
			t.Errorf("Stats().Errors = %d, want the 3 failed fetches of the committed offsets", st.Errors)
		}
	})
	t.Run("fatal", func(t *testing.T) {
		topic := createTopic(t, 1)
		injectFetchOffsets(t, func(int64) error { return wire.TopicAuthorizationFailed })
		r := NewReader(groupReaderConfig(t, kafkatest.Topic(t), topic))
		t.Cleanup(func() { r.Close() })
		expectGroupError(t, r, TopicAuthorizationFailed)
	})
}

// TestReaderGroupBadAssignment: an assignment from SyncGroup that does not
// decode reaches the read calls as an error matching ErrBadAssignment (and
// the decoder's error), not only the log; the Reader then joins again and
// reads every message. Our proxy damages the SyncGroup answer: the
// assignment's last field, its user data's length, claims 2 GiB.
func TestReaderGroupBadAssignment(t *testing.T) {
	const n = 20
	ctx, topic, brokers := seqTopic(t, 2, n)
	px, err := proxy.New(brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	var damaged atomic.Int32
	px.CorruptNext(func(b []byte) bool {
		if !isSyncGroupAnswer(b) {
			return false
		}
		copy(b[len(b)-5:], []byte{0x7f, 0xff, 0xff, 0xff})
		damaged.Add(1)
		return true
	})
	cfg := groupReaderConfig(t, kafkatest.Topic(t), topic)
	cfg.JoinGroupBackoff = 100 * time.Millisecond
	cfg.Dialer = &Dialer{Timeout: 5 * time.Second, DialFunc: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, px.Addr())
	}}
	r := NewReader(cfg)
	t.Cleanup(func() { r.Close() })
	_, err = r.FetchMessage(ctx)
	if !errors.Is(err, ErrBadAssignment) || !errors.Is(err, wire.ErrTruncated) {
		t.Fatalf("FetchMessage: %v, want an error matching ErrBadAssignment and wire.ErrTruncated", err)
	}
	t.Logf("FetchMessage: %v", err)
	if damaged.Load() != 1 {
		t.Fatalf("the proxy damaged %d SyncGroup answers, want 1", damaged.Load())
	}
	readDistinct(ctx, t, r, n)
	if st := r.Stats(); st.Errors < 1 {
		t.Errorf("Stats().Errors = %d, want the bad assignment counted", st.Errors)
	}
}

// isSyncGroupAnswer reports whether b is one whole SyncGroup v5 response
// of a consumer group: size, correlation id, no tagged fields, throttle
// time, error code 0, then the protocol type "consumer" (v5 and later).
func isSyncGroupAnswer(b []byte) bool {
	if len(b) < 27 || int(binary.BigEndian.Uint32(b)) != len(b)-4 {
		return false
	}
	return b[8] == 0 && b[13] == 0 && b[14] == 0 && b[15] == byte(len("consumer")+1) && string(b[16:24]) == "consumer"
}
