package kafka

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/proxy"
)

// holdNextAnswer makes px hold the next Produce answer for topic (on any
// connection) until release is called; arrived is closed when it comes.
// Cutting the connections meanwhile loses that answer, and those behind it
// on its connection: the broker did what was asked, the client never
// learns it. A Produce answer is told from the others by where the topic's
// name is: right after the response's size, correlation id, (flexible
// versions) empty tags and its array's length, then the name's own length.
func holdNextAnswer(px *proxy.Proxy, topic string) (arrived <-chan struct{}, release func()) {
	got, rel := make(chan struct{}), make(chan struct{})
	px.CorruptNext(func(chunk []byte) bool {
		if at := bytes.Index(chunk, []byte(topic)); at != 4+4+1+1+1 && at != 4+4+4+2 {
			return false
		}
		close(got)
		<-rel
		return true // done: later chunks pass
	})
	return got, func() { close(rel) }
}

// primedWriter returns a proxied writer (see proxiedWriter) to topic with
// the Manual balancer and maxAttempts, having written "x" to each of its
// n partitions: connections and producer id are up. With few attempts a
// broker busy starting (COORDINATOR_LOAD_IN_PROGRESS, or its coordinator
// not yet available) fails the producer id for good: another writer then
// tries again, for 20 s at most. Any other error fails the test.
func primedWriter(t *testing.T, topic string, n, maxAttempts int, configure func(*Writer)) (*Writer, *proxy.Proxy) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		w, px := proxiedWriter(t, topic)
		w.Balancer = Manual{}
		w.MaxAttempts = maxAttempts
		if configure != nil {
			configure(w)
		}
		var err error
		for i := 0; i < n && err == nil; i++ {
			err = writeOne(w, i, "x")
		}
		if err == nil {
			return w, px
		}
		starting := errors.Is(err, GroupLoadInProgress) || errors.Is(err, GroupCoordinatorNotAvailable) || errors.Is(err, NotCoordinatorForGroup)
		if !starting || time.Now().After(deadline) {
			t.Fatalf("priming: %v", err)
		}
		t.Logf("priming: %v", err)
		w.Close()
		px.Close()
		time.Sleep(200 * time.Millisecond)
	}
}

// writeOne writes value to partition synchronously and returns its error.
func writeOne(w *Writer, partition int, value string) error {
	return w.WriteMessages(context.Background(), Message{Partition: partition, Value: []byte(value)})
}

// partitionValues returns the values partition holds, in order, but for
// the "x" of primedWriter.
func partitionValues(t *testing.T, topic string, n, partition int) []string {
	t.Helper()
	var got []string
	for _, m := range valuesByPartition(t, topic, n)[partition] {
		if string(m.Value) != "x" {
			got = append(got, string(m.Value))
		}
	}
	return got
}

// A batch runs out of attempts after one whose answer was lost: the broker
// wrote it, the writer cannot know. Its error says so (ErrOutcomeUnknown),
// and the partition's next batch must not be renumbered into its sequence
// (the broker took that one for a duplicate of the first, answered
// DUPLICATE_SEQUENCE_NUMBER, and it was reported written but never was):
// the epoch is bumped instead.
func TestWriterUnknownOutcomeFails(t *testing.T) {
	topic := createTopic(t, 1)
	w, px := primedWriter(t, topic, 1, 1, nil)
	arrived, release := holdNextAnswer(px, topic)
	done := make(chan error, 1)
	go func() { done <- writeOne(w, 0, "a") }()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("no answer for the first batch")
	}
	px.CutAll() // "a" is written; its answer is lost
	release()
	err := <-done
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("the batch whose answer was lost failed with %v, want ErrOutcomeUnknown", err)
	}
	t.Logf("reported: %v", err)
	if err := writeOne(w, 0, "b"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := partitionValues(t, topic, 1, 0), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Fatalf("partition holds %q, want %q", got, want)
	}
}

// A bump of the epoch is asked for (here by a batch of partition 1 that
// failed for good after its answers were lost) while a batch of partition
// 0 was written by an attempt whose answer was lost too. That batch must
// be resent under its old epoch and sequence, which the broker answers
// DUPLICATE_SEQUENCE_NUMBER, before the bump: renumbered under the new
// epoch, it was written a second time.
func TestWriterBumpWaitsForUnknownOutcomes(t *testing.T) {
	topic := createTopic(t, 2)
	w, px := primedWriter(t, topic, 2, 2, func(w *Writer) {
		// Retries wait long enough for the test to act in between.
		w.WriteBackoffMin, w.WriteBackoffMax = 300*time.Millisecond, 300*time.Millisecond
	})
	cut := func(arrived <-chan struct{}, release func()) {
		t.Helper()
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("no Produce answer came")
		}
		px.CutAll()
		release()
	}
	// "a" on partition 1: written, its answer lost.
	doneA := make(chan error, 1)
	arrived, release := holdNextAnswer(px, topic)
	go func() { doneA <- writeOne(w, 1, "a") }()
	cut(arrived, release)
	// "c" on partition 0 goes at once on a new connection while "a" waits
	// for its backoff; "c" is written and its answer held. "a"'s second
	// attempt follows on the same connection, its answer behind it.
	retries := w.Stats().Retries
	doneC := make(chan error, 1)
	arrived, release = holdNextAnswer(px, topic)
	go func() { doneC <- writeOne(w, 0, "c") }()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("no answer for c")
	}
	for deadline := time.Now().Add(10 * time.Second); w.Stats().Retries == retries; {
		if time.Now().After(deadline) {
			t.Fatal("a was never retried")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // its request written
	// Both answers lost: "a" is out of attempts (bump), "c" unknown.
	cut(closedChan(), release)
	if err := <-doneA; !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("a failed with %v, want ErrOutcomeUnknown", err)
	}
	if err := <-doneC; err != nil {
		t.Fatalf("c: %v", err)
	}
	if err := writeOne(w, 0, "d"); err != nil { // under the new epoch
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := partitionValues(t, topic, 2, 0), []string{"c", "d"}; !slices.Equal(got, want) {
		t.Fatalf("partition 0 holds %q, want %q", got, want)
	}
	if got, want := partitionValues(t, topic, 2, 1), []string{"a"}; !slices.Equal(got, want) {
		t.Fatalf("partition 1 holds %q, want %q", got, want)
	}
}

func closedChan() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// A broker that holds no state for the producer on a partition takes its
// first batch at any sequence. So when the first batch sent to a fresh
// partition fails with a retriable error (here CORRUPT_MESSAGE: our proxy
// damages its record on the way), a second batch already in flight behind
// it would be written first, and the first, retried, after it. An
// idempotent partition therefore sends one batch at a time until the
// broker acknowledges one; the log holds the records in order.
func TestWriterFirstBatchNotOvertaken(t *testing.T) {
	topic := createTopic(t, 2)
	w, px := primedWriter(t, topic, 0, 1000, func(w *Writer) {
		w.Async = true
		w.BatchSize = 1 // a batch per message, pipelined
	})
	// Priming partition 1 sets up the connection and the producer id;
	// partition 0 has never seen this producer.
	if err := writeOne(w, 1, "x"); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	px.CorruptNextRequest(func(chunk []byte) bool {
		at := bytes.Index(chunk, []byte("mark-0"))
		if at < 0 {
			return false
		}
		chunk[at] ^= 0x20 // the record's CRC no longer matches
		return true
	})
	for i := range 3 {
		if err := writeOne(w, 0, "mark-"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Retries == 0 {
		t.Fatal("no retry: the damaged batch was not refused")
	}
	if got := partitionValues(t, topic, 2, 0); !slices.Equal(got, []string{"mark-0", "mark-1", "mark-2"}) {
		t.Fatalf("partition 0 holds %q, want mark-0, mark-1, mark-2 in order", got)
	}
}
