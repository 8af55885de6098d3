package kafka

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// closeSlack bounds how long Close may take beyond its flush bound: the
// time to close the connections and let the goroutines end.
const closeSlack = 500 * time.Millisecond

// timedClose closes w and returns Close's error and duration.
func timedClose(w *Writer) (time.Duration, error) {
	start := time.Now()
	err := w.Close()
	return time.Since(start), err
}

// closeAtOnce fails t unless w closes without error within closeSlack,
// with stalled (what stalls) though there is nothing to flush.
func closeAtOnce(t *testing.T, w *Writer, stalled string) {
	t.Helper()
	took, err := timedClose(w)
	t.Logf("Close took %v: %v", took, err)
	if err != nil {
		t.Fatal(err)
	}
	if took > closeSlack {
		t.Fatalf("Close took %v with %s", took, stalled)
	}
}

// Close with nothing to flush returns at once while the Writer's metadata
// refresh waits for an answer that does not come: it waited for the
// exchange's timeouts (ReadTimeout + WriteTimeout, 20 s).
func TestWriterCloseMetadataStalled(t *testing.T) {
	topic := createTopic(t, 1)
	w, px := proxiedWriter(t, topic)
	w.Transport.(*Transport).MetadataTTL = 50 * time.Millisecond
	if err := w.WriteMessages(context.Background(), Message{Value: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	px.HoldAnswers(wire.KeyMetadata)
	awaitHeld(t, px)
	closeAtOnce(t, w, "a Metadata exchange stalled")
	checkLog(t, topic, []string{"a"})
}

// Close while the Writer's first connection waits for its ApiVersions
// answer (the dial stalls), and a synchronous call with no deadline waits
// for the topic's metadata: the call fails with ErrWriterClosed and Close
// returns at once. Close waited for the dial's timeout, and before that
// for the call.
func TestWriterCloseDialStalled(t *testing.T) {
	topic := createTopic(t, 1)
	w, px := proxiedWriter(t, topic)
	px.HoldAnswers(wire.KeyApiVersions)
	done := make(chan error, 1)
	go func() { done <- w.WriteMessages(context.Background(), Message{Value: []byte("a")}) }()
	awaitHeld(t, px)
	closeAtOnce(t, w, "a dial stalled")
	select {
	case err := <-done:
		if !errors.Is(err, ErrWriterClosed) {
			t.Fatalf("the waiting call returned %v, want ErrWriterClosed", err)
		}
	case <-time.After(time.Second):
		t.Fatal("the call waiting for metadata still waits after Close")
	}
}

// Close with messages accepted and Produce answers that do not come
// flushes for WriteTimeout + ReadTimeout, then fails what is left with
// ErrWriterClosed and the outcome unknown (the requests went out), for the
// synchronous call waiting and for Completion alike, and says so. It
// waited for the messages' own terms: the delivery timeout (2 minutes) or
// their attempts.
func TestWriterCloseBounded(t *testing.T) {
	topic := createTopic(t, 1)
	w, px := proxiedWriter(t, topic)
	w.ReadTimeout, w.WriteTimeout = 400*time.Millisecond, 400*time.Millisecond
	bound := w.ReadTimeout + w.WriteTimeout
	var completed atomic.Int64
	var completionErr atomic.Value
	w.Completion = func(ms []Message, err error) {
		if err != nil {
			completionErr.Store(err)
		}
		completed.Add(int64(len(ms)))
	}
	if err := w.WriteMessages(context.Background(), Message{Value: []byte("warm")}); err != nil {
		t.Fatal(err)
	}
	px.HoldAnswers(wire.KeyProduce)
	done := make(chan error, 1)
	go func() { done <- w.WriteMessages(context.Background(), Message{Value: []byte("a")}) }()
	awaitHeld(t, px)
	took, err := timedClose(w)
	t.Logf("Close took %v: %v", took, err)
	if took > bound+closeSlack {
		t.Fatalf("Close took %v, its bound %v", took, bound)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close returned %v, want an error matching context.DeadlineExceeded", err)
	}
	var we WriteErrors
	select {
	case err := <-done:
		if !errors.As(err, &we) || len(we) != 1 || !errors.Is(we[0], ErrWriterClosed) || !errors.Is(we[0], ErrOutcomeUnknown) {
			t.Fatalf("the synchronous call returned %v, want ErrWriterClosed with the outcome unknown", err)
		}
	case <-time.After(time.Second):
		t.Fatal("the synchronous call still waits after Close")
	}
	if e, _ := completionErr.Load().(error); completed.Load() != 2 || !errors.Is(e, ErrWriterClosed) {
		t.Fatalf("Completion saw %d messages, error %v", completed.Load(), e)
	}
}
