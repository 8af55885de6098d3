package kafka

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/proxy"
	"github.com/zeroalloc/kafka/wire"
)

// ctxSlack bounds how late a call may return after its context ends: the
// time to notice (a select on ctx.Done(), or a read deadline at ctx's
// deadline) and to build its errors, on a loaded machine.
const ctxSlack = 150 * time.Millisecond

// awaitHeld waits until px holds (or drips) an answer.
func awaitHeld(t *testing.T, px *proxy.Proxy) {
	t.Helper()
	if !heldWithin(px, 10*time.Second) {
		t.Fatal("no answer reached the proxy")
	}
}

// heldWithin reports whether px holds (or drips) an answer within d.
func heldWithin(px *proxy.Proxy, d time.Duration) bool {
	for deadline := time.Now().Add(d); px.HeldAnswers() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// checkUnknown fails t unless err is WriteErrors with one entry per
// message, each matching ErrOutcomeUnknown and cause.
func checkUnknown(t *testing.T, err error, n int, cause error) {
	t.Helper()
	var we WriteErrors
	if !errors.As(err, &we) || len(we) != n {
		t.Fatalf("err = %v, want WriteErrors of %d", err, n)
	}
	for i, e := range we {
		if !errors.Is(e, ErrOutcomeUnknown) || !errors.Is(e, cause) {
			t.Fatalf("message %d: %v, want ErrOutcomeUnknown and %v", i, e, cause)
		}
	}
	if !errors.Is(err, cause) || !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("errors.Is(%v, %v) is false", err, cause)
	}
}

// checkLog fails t unless partition 0 of topic holds want, in order, once
// each.
func checkLog(t *testing.T, topic string, want []string) {
	t.Helper()
	var got []string
	for _, m := range valuesByPartition(t, topic, 1)[0] {
		got = append(got, string(m.Value))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("partition 0 holds %q, want %q", got, want)
	}
}

// A synchronous WriteMessages whose broker does not answer its Produce
// request (or answers a byte per second) returns when its context ends,
// whether the call reads its own answer or leaves it to the connection's
// reader: its messages are reported with their outcome unknown, with the
// context's error. They stay in the Writer and are written once the broker
// answers, once each and in order. Before the fix the call waited for the
// Writer's timeouts and attempts (122 s with the defaults).
func TestWriterContextBindsStalledProduce(t *testing.T) {
	for _, c := range []struct {
		name  string
		stall func(px *proxy.Proxy)
		// cancel ends the context by cancelling it rather than by its
		// deadline.
		cancel bool
	}{
		{"hold", func(px *proxy.Proxy) { px.HoldAnswers(wire.KeyProduce) }, false},
		{"hold-cancel", func(px *proxy.Proxy) { px.HoldAnswers(wire.KeyProduce) }, true},
		{"drip", func(px *proxy.Proxy) { px.DripAnswers(wire.KeyProduce, time.Second) }, false},
		{"drip-cancel", func(px *proxy.Proxy) { px.DripAnswers(wire.KeyProduce, time.Second) }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			topic := createTopic(t, 1)
			w, px := proxiedWriter(t, topic)
			var want []string
			for i := range 3 { // callers then read their own answers, mostly
				want = append(want, "warm"+strconv.Itoa(i))
				if err := w.WriteMessages(context.Background(), Message{Value: []byte(want[i])}); err != nil {
					t.Fatal(err)
				}
			}
			c.stall(px)
			const wait = time.Second
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			cause := context.DeadlineExceeded
			ended := make(chan time.Time, 1) // when ctx ended
			if c.cancel {
				ctx, cancel = context.WithCancel(context.Background())
				cause = context.Canceled
				go func() {
					heldWithin(px, 10*time.Second) // the call fails the test if not
					time.Sleep(wait)
					ended <- time.Now()
					cancel()
				}()
			}
			defer cancel()
			start := time.Now()
			err := w.WriteMessages(ctx, Message{Value: []byte("1")}, Message{Value: []byte("2")})
			end := time.Now()
			if !c.cancel {
				ended <- start.Add(wait)
			}
			late := end.Sub(<-ended)
			t.Logf("returned after %v, %v after its context ended: %v", end.Sub(start).Round(time.Millisecond), late.Round(time.Microsecond), err)
			if late > ctxSlack {
				t.Errorf("returned %v after its context ended", late)
			}
			checkUnknown(t, err, 2, cause)
			px.ReleaseAnswers()
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			checkLog(t, topic, append(want, "1", "2"))
		})
	}
}

// Two synchronous calls on one connection: the first reads its own answer,
// the second's request goes while the first is in flight and the
// connection's reader takes its answer. Both return when their contexts
// end, and both calls' messages are written once the broker answers.
func TestWriterContextBindsQueuedCall(t *testing.T) {
	topic := createTopic(t, 2)
	w, px := proxiedWriter(t, topic)
	w.Balancer = Manual{}
	for p := range 2 {
		if err := w.WriteMessages(context.Background(), Message{Partition: p, Value: []byte("warm")}); err != nil {
			t.Fatal(err)
		}
	}
	px.HoldAnswers(wire.KeyProduce)
	const wait = time.Second
	var wg sync.WaitGroup
	errs := make([]error, 2)
	took := make([]time.Duration, 2)
	for p := range 2 {
		if p == 1 {
			awaitHeld(t, px) // the first call's request is out
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			start := time.Now()
			errs[p] = w.WriteMessages(ctx, Message{Partition: p, Value: []byte(strconv.Itoa(p))})
			took[p] = time.Since(start)
		})
	}
	wg.Wait()
	for p := range 2 {
		t.Logf("call %d returned after %v: %v", p, took[p].Round(time.Millisecond), errs[p])
		if took[p] > wait+ctxSlack {
			t.Errorf("call %d returned %v after its context's end", p, took[p]-wait)
		}
		checkUnknown(t, errs[p], 1, context.DeadlineExceeded)
	}
	px.ReleaseAnswers()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for p, ms := range valuesByPartition(t, topic, 2) {
		var got []string
		for _, m := range ms {
			got = append(got, string(m.Value))
		}
		if want := []string{"warm", strconv.Itoa(p)}; !slices.Equal(got, want) {
			t.Fatalf("partition %d holds %q, want %q", p, got, want)
		}
	}
}

// Retries and their backoff are bounded by the context too: a batch the
// broker refuses at every attempt (CORRUPT_MESSAGE: the proxy damages its
// record on the way, every time) kept a synchronous call for the default
// ten attempts and their backoff, 6.5 s, whatever its context. Once the
// call has returned the damage stops: the message, still in the Writer,
// is written, once.
func TestWriterContextBindsRetries(t *testing.T) {
	topic := createTopic(t, 1)
	w, px := proxiedWriter(t, topic)
	w.MaxAttempts, w.WriteBackoffMin, w.WriteBackoffMax = 0, 0, 0 // the defaults
	var refusing atomic.Bool
	refusing.Store(true)
	px.CorruptNextRequest(func(chunk []byte) bool {
		if at := bytes.Index(chunk, []byte("refused")); at >= 0 && refusing.Load() {
			chunk[at] ^= 0x20 // the record's CRC no longer matches
		}
		return false // and the next attempt's too
	})
	const wait = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	start := time.Now()
	err := w.WriteMessages(ctx, Message{Value: []byte("refused")})
	took := time.Since(start)
	refusing.Store(false)
	t.Logf("returned after %v: %v", took.Round(time.Millisecond), err)
	if took > wait+ctxSlack {
		t.Errorf("returned %v after its context ended", took-wait)
	}
	checkUnknown(t, err, 1, context.DeadlineExceeded)
	if st := w.Stats(); st.Retries == 0 {
		t.Fatal("no retry: the damaged batch was not refused")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkLog(t, topic, []string{"refused"})
}

// The other waits of the Writer that take a context already honoured it;
// these lock that in. A call waiting for a new topic's metadata (the
// broker does not answer Metadata) returns when its context ends, its
// messages failed with the context's error alone: they were never
// accepted, and are not written when the broker answers again. Flush
// with Produce answers held returns when its context ends.
func TestWriterContextBindsOtherWaits(t *testing.T) {
	topic := createTopic(t, 1)
	w, px := proxiedWriter(t, topic)
	w.Async = true
	px.HoldAnswers(wire.KeyMetadata)
	const wait = 500 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	start := time.Now()
	err := w.WriteMessages(ctx, Message{Value: []byte("never")})
	if took := time.Since(start); took > wait+ctxSlack || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("a call waiting for metadata returned %v after %v", err, took)
	}
	px.ReleaseAnswers()
	if err := w.WriteMessages(context.Background(), Message{Value: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	px.HoldAnswers(wire.KeyProduce)
	if err := w.WriteMessages(context.Background(), Message{Value: []byte("b")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), wait)
	defer cancel()
	start = time.Now()
	err = w.Flush(ctx)
	if took := time.Since(start); took > wait+ctxSlack || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Flush returned %v after %v", err, took)
	}
	px.ReleaseAnswers()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkLog(t, topic, []string{"a", "b"})
}
