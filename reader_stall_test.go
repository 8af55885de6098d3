package kafka

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/wire"
)

// The Reader's calls end with their context whatever the broker does,
// and Close is bounded: a partition reader whose Fetch answers are held
// returns from FetchMessage at its context's end and closes at once; a
// group reader whose OffsetCommit answers are held returns from
// CommitMessages and ReadMessage (which commits) at their context's end,
// with its error (CommitMessages gave an i/o timeout once in two runs under
// -race: see internal/group's TestCallDeadlineIsContexts),
// and Close, which commits what is pending, gives that commit the group's
// close timeout (5 s) and LeaveGroup 500 ms.
func TestReaderStalledBroker(t *testing.T) {
	const wait = 500 * time.Millisecond
	ctxCall := func(t *testing.T, what string, call func(ctx context.Context) error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		start := time.Now()
		err := call(ctx)
		if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > wait+ctxSlack {
			t.Fatalf("%s returned %v after %v, want its context's error at %v", what, err, took, wait)
		}
	}
	closeWithin := func(t *testing.T, r *Reader, bound time.Duration) {
		t.Helper()
		start := time.Now()
		err := r.Close()
		took := time.Since(start)
		t.Logf("Close took %v: %v", took, err)
		if took > bound {
			t.Fatalf("Close took %v, bound %v", took, bound)
		}
	}
	for _, group := range []bool{false, true} {
		name := "partition"
		if group {
			name = "group"
		}
		t.Run(name, func(t *testing.T) {
			topic := createTopic(t, 1)
			w := newTestWriter(t, topic)
			if err := w.WriteMessages(context.Background(), Message{Value: []byte("a")}, Message{Value: []byte("b")}); err != nil {
				t.Fatal(err)
			}
			d, px := proxiedDialer(t)
			cfg := ReaderConfig{Brokers: []string{"proxied:9092"}, Topic: topic, Dialer: d, MaxWait: 100 * time.Millisecond}
			if group {
				cfg.GroupID = kafkatest.Topic(t)
			}
			r := NewReader(cfg)
			defer r.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			m, err := r.FetchMessage(ctx)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if !group {
				px.HoldAnswers(wire.KeyFetch)
				if _, err := r.FetchMessage(context.Background()); err != nil { // buffered already
					t.Fatal(err)
				}
				awaitHeld(t, px)
				ctxCall(t, "FetchMessage", func(ctx context.Context) error { _, err := r.FetchMessage(ctx); return err })
				closeWithin(t, r, closeSlack)
				return
			}
			px.HoldAnswers(wire.KeyOffsetCommit)
			ctxCall(t, "CommitMessages", func(ctx context.Context) error { return r.CommitMessages(ctx, m) })
			ctxCall(t, "ReadMessage", func(ctx context.Context) error { _, err := r.ReadMessage(ctx); return err })
			closeWithin(t, r, 5*time.Second+500*time.Millisecond+closeSlack)
		})
	}
}
