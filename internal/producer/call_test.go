package producer

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/proxy"
	"github.com/zeroalloc/kafka/wire"
)

// A caller reading its own answer gives up when its context ends, by its
// deadline or by a cancel, having consumed none of the answer: it returns
// within ownPoll, its record reported with its outcome unknown and the
// context's error; the connection's reader adopts the answer, the record
// settles when the broker answers (its budget given back, the call freed),
// and the connection, still in step, carries the next write.
func TestOwnReadHandedOver(t *testing.T) {
	for _, cancel := range []bool{false, true} {
		t.Run("cancel="+strconv.FormatBool(cancel), func(t *testing.T) {
			bg := context.Background()
			px, err := proxy.New(kafkatest.Brokers(t)[0])
			if err != nil {
				t.Fatal(err)
			}
			defer px.Close()
			p := testProducer(t, px.Addr())
			defer p.Close(bg)
			topic := kafkatest.Topic(t)
			for i := range 3 {
				if err := writeSync(bg, p, topic, 0, strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
			parts, _, _ := p.Topic(bg, topic)
			part := parts[0]
			// A call that reads its own answer, held by the proxy.
			var call *Call[struct{}]
			for i := 0; ; i++ {
				px.HoldAnswers(wire.KeyProduce)
				if call, err = startSync(bg, p, part, "held"+strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
				if call.own.c != nil {
					break
				}
				px.ReleaseAnswers()
				call.ReadOwn(bg)
				call.Wait(bg)
				p.Free(call)
				if i == 100 {
					t.Fatal("100 calls in a row left their answers to the reader")
				}
			}
			conn := call.own.c
			const wait = 300 * time.Millisecond
			ctx, stop := context.WithTimeout(bg, wait)
			want := context.DeadlineExceeded
			if cancel {
				ctx, stop = context.WithCancel(bg)
				want = context.Canceled
				time.AfterFunc(wait, stop)
			}
			defer stop()
			start := time.Now()
			call.ReadOwn(ctx)
			if late := time.Since(start) - wait; late > ownPoll+50*time.Millisecond {
				t.Errorf("ReadOwn returned %v after its context ended", late)
			}
			errs := call.Wait(ctx)
			if len(errs) != 1 || !errors.Is(errs[0], ErrOutcomeUnknown) || !errors.Is(errs[0], want) {
				t.Fatalf("Wait returned %v, want the outcome unknown with %v", errs, want)
			}
			px.ReleaseAnswers()
			waitFor(t, 10*time.Second, "the record settled", func() bool { return p.budget.Used() == 0 })
			if err := writeSync(bg, p, topic, 0, "after"); err != nil {
				t.Fatal(err)
			}
			part.mu.Lock()
			s := part.sink
			part.mu.Unlock()
			s.mu.Lock()
			same := s.conn == conn
			s.mu.Unlock()
			if !same || conn.dead.Load() {
				t.Fatal("the connection was replaced: the answer left behind put it out of step")
			}
		})
	}
}
