package group

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// lateTimer is a context whose Done channel closes a moment after the
// deadline it reports, as when the goroutine that runs a context's timer
// runs late.
type lateTimer struct {
	context.Context
	dl time.Time
}

func (c lateTimer) Deadline() (time.Time, bool) { return c.dl, true }

// An exchange whose socket deadline, its context's, strikes before the
// context's own timer has run ends with the context's error, not an i/o
// timeout: errors caused by the caller's context match
// context.DeadlineExceeded. (Reader.CommitMessages returned the i/o
// timeout when the timer ran between the exchange's end and the retry
// loop's look at the context: once in two runs of
// TestReaderStalledBroker under -race.)
func TestCallDeadlineIsContexts(t *testing.T) {
	m := &Member{cfg: Config{Dial: func(ctx context.Context, addr string) (*broker.Conn, error) {
		return broker.Dial(ctx, addr, "deadline-test")
	}}}
	m.teardown = context.Background()
	l := newLane()
	defer l.close()
	const wait = 300 * time.Millisecond
	inner, cancel := context.WithTimeout(context.Background(), wait+time.Second)
	defer cancel()
	ctx := lateTimer{inner, time.Now().Add(wait)}
	err := m.call(ctx, &l, kafkatest.Brokers(t)[0], func(c *broker.Conn) error {
		_, err := c.NetConn().Read(make([]byte, 1)) // nothing comes: the deadline strikes
		return err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call returned %v, want context.DeadlineExceeded", err)
	}
}
