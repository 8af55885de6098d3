package kafka

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// writeValues writes n messages with values "0".."n-1" (from first) and
// keys "k<i>" to partition 0 of topic.
func writeValues(t testing.TB, topic string, first, n int) {
	t.Helper()
	w := newTestWriter(t, topic)
	msgs := make([]Message, 0, n)
	for i := first; i < first+n; i++ {
		msgs = append(msgs, Message{Key: []byte("k" + strconv.Itoa(i)), Value: []byte(strconv.Itoa(i)),
			Headers: []Header{{Key: "h", Value: []byte("v" + strconv.Itoa(i))}}})
	}
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

func newTestReader(t testing.TB, topic string, cfg ReaderConfig) *Reader {
	t.Helper()
	cfg.Brokers, cfg.Topic = kafkatest.Brokers(t), topic
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 200 * time.Millisecond
	}
	r := NewReader(cfg)
	t.Cleanup(func() { r.Close() })
	return r
}

func TestReaderReadsWhatWriterWrote(t *testing.T) {
	topic := createTopic(t, 1)
	const n = 2500
	writeValues(t, topic, 0, n)
	r := newTestReader(t, topic, ReaderConfig{MaxBytes: 16 << 10})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < n; i++ {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if m.Offset != int64(i) || string(m.Value) != strconv.Itoa(i) || string(m.Key) != "k"+strconv.Itoa(i) ||
			len(m.Headers) != 1 || string(m.Headers[0].Value) != "v"+strconv.Itoa(i) || m.Topic != topic {
			t.Fatalf("message %d: %+v", i, m)
		}
	}
	if got := r.Offset(); got != n {
		t.Fatalf("Offset %d, want %d", got, n)
	}
	if lag := r.Lag(); lag != 0 {
		t.Fatalf("Lag %d", lag)
	}
	lag, err := r.ReadLag(ctx)
	if err != nil || lag != 0 {
		t.Fatalf("ReadLag %d %v", lag, err)
	}
	st := r.Stats()
	if st.Messages != n || st.Fetches < 1 || st.Dials < 1 || st.Topic != topic || st.Partition != "0" || st.Offset != n {
		t.Fatalf("stats %+v", st)
	}
	// A read with nothing left waits for the context.
	short, cancel2 := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel2()
	if _, err := r.FetchMessage(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("FetchMessage at the end: %v", err)
	}
	// Messages written now arrive.
	writeValues(t, topic, n, 3)
	m, err := r.FetchMessage(ctx)
	if err != nil || m.Offset != n {
		t.Fatalf("new message %+v %v", m, err)
	}
}

func TestReaderSetOffset(t *testing.T) {
	topic := createTopic(t, 1)
	writeValues(t, topic, 0, 100)
	r := newTestReader(t, topic, ReaderConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < 10; i++ {
		if _, err := r.ReadMessage(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.SetOffset(70); err != nil {
		t.Fatal(err)
	}
	if r.Offset() != 70 {
		t.Fatalf("Offset %d", r.Offset())
	}
	m, err := r.ReadMessage(ctx)
	if err != nil || m.Offset != 70 {
		t.Fatalf("after SetOffset(70): %d %v", m.Offset, err)
	}
	if err := r.SetOffset(FirstOffset); err != nil {
		t.Fatal(err)
	}
	if m, err = r.ReadMessage(ctx); err != nil || m.Offset != 0 {
		t.Fatalf("after SetOffset(FirstOffset): %d %v", m.Offset, err)
	}
	if err := r.SetOffsetAt(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if m, err = r.ReadMessage(ctx); err != nil || m.Offset != 0 {
		t.Fatalf("after SetOffsetAt: %d %v", m.Offset, err)
	}
	if err := r.SetOffset(LastOffset); err != nil {
		t.Fatal(err)
	}
	// LastOffset is resolved by the fetcher when it starts: a message
	// written before that is behind it. Write until one is read; it must be
	// past the 100 written before SetOffset.
	for k := 0; ; k++ {
		writeValues(t, topic, 100+k, 1)
		rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
		m, err = r.ReadMessage(rctx)
		rcancel()
		if err == nil {
			if m.Offset < 100 {
				t.Fatalf("after SetOffset(LastOffset): read offset %d", m.Offset)
			}
			break
		}
		if k == 5 {
			t.Fatalf("after SetOffset(LastOffset): %v", err)
		}
	}
}

func TestReaderStartOffsetLast(t *testing.T) {
	topic := createTopic(t, 1)
	writeValues(t, topic, 0, 5)
	r := newTestReader(t, topic, ReaderConfig{StartOffset: LastOffset})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Wait until the Reader has resolved LastOffset, then write.
	time.Sleep(500 * time.Millisecond)
	writeValues(t, topic, 5, 1)
	m, err := r.ReadMessage(ctx)
	if err != nil || m.Offset != 5 {
		t.Fatalf("%d %v", m.Offset, err)
	}
}

func TestReaderOffsetOutOfRange(t *testing.T) {
	topic := createTopic(t, 1)
	writeValues(t, topic, 0, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := newTestReader(t, topic, ReaderConfig{OffsetOutOfRangeError: true})
	r.SetOffset(1000)
	if _, err := r.ReadMessage(ctx); !errors.Is(err, OffsetOutOfRange) {
		t.Fatalf("got %v, want OffsetOutOfRange", err)
	}
	// Without OffsetOutOfRangeError the Reader waits for the partition to
	// reach the offset.
	r2 := newTestReader(t, topic, ReaderConfig{})
	r2.SetOffset(6)
	time.Sleep(300 * time.Millisecond)
	writeValues(t, topic, 5, 3)
	if m, err := r2.ReadMessage(ctx); err != nil || m.Offset != 6 {
		t.Fatalf("%d %v", m.Offset, err)
	}
}

// TestReaderCloseMidPoll closes a Reader whose fetch is parked in a long
// poll and a ReadMessage waiting on it: both end within a second, and no
// goroutine is left.
func TestReaderCloseMidPoll(t *testing.T) {
	topic := createTopic(t, 1)
	before := runtime.NumGoroutine()
	r := NewReader(ReaderConfig{Brokers: kafkatest.Brokers(t), Topic: topic, MaxWait: 30 * time.Second})
	errc := make(chan error, 1)
	go func() {
		_, err := r.ReadMessage(context.Background())
		errc <- err
	}()
	time.Sleep(500 * time.Millisecond) // the fetch is now waiting at the broker
	t0 := time.Now()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("Close took %v", d)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("ReadMessage after Close: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("ReadMessage still blocked after Close")
	}
	if _, err := r.ReadMessage(context.Background()); !errors.Is(err, io.EOF) {
		t.Fatalf("ReadMessage after Close: %v", err)
	}
	awaitGoroutines(t, before)
}

// awaitGoroutines waits for the goroutine count to come back to n.
func awaitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
