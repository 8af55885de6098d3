package kafka

import (
	"context"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/proxy"
)

// Connections cut again and again while requests are in flight (answers
// lost after the broker wrote the batches): the idempotent writer resends
// the same batches, the broker drops the duplicates, and the log holds
// every message exactly once, in order per partition.
func TestWriterIdempotentRetries(t *testing.T) {
	topic := createTopic(t, 2)
	w, px := proxiedWriter(t, topic)
	px.SetDelay(2 * time.Millisecond)
	w.Async = true
	w.BatchSize = 50
	var failed atomic.Int64
	w.Completion = func(ms []Message, err error) {
		if err != nil {
			failed.Add(int64(len(ms)))
		}
	}
	const total = 20000
	stopCuts := cutEvery(px, 30*time.Millisecond)
	for i := range total {
		if err := w.WriteMessages(context.Background(), Message{Value: []byte(strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopCuts()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if failed.Load() != 0 {
		t.Fatalf("%d failed", failed.Load())
	}
	st := w.Stats()
	if st.Retries == 0 {
		t.Fatalf("no retries: the cuts did not land on requests in flight")
	}
	seen := make([]bool, total)
	for p, ms := range valuesByPartition(t, topic, 2) {
		last := -1
		for _, m := range ms {
			v, _ := strconv.Atoi(string(m.Value))
			if seen[v] {
				t.Fatalf("message %d written twice", v)
			}
			seen[v] = true
			if v <= last {
				t.Fatalf("partition %d: %d after %d", p, v, last)
			}
			last = v
		}
	}
	for v, ok := range seen {
		if !ok {
			t.Fatalf("message %d missing", v)
		}
	}
	t.Logf("%d retries over %d dials", st.Retries, st.Dials)
}

// proxiedWriter returns a Writer to topic whose connections, to every
// broker, go through a proxy of ours, and the proxy; it retries without
// end, with short backoffs. Both are closed when the test ends.
func proxiedWriter(t *testing.T, topic string) (*Writer, *proxy.Proxy) {
	t.Helper()
	px, err := proxy.New(kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	var nd net.Dialer
	w := &Writer{
		Addr:        TCP(px.Addr()),
		Topic:       topic,
		MaxAttempts: 1000,
		Transport: &Transport{Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return nd.DialContext(ctx, network, px.Addr()) // every broker through the proxy
		}},
		WriteBackoffMin: 5 * time.Millisecond,
		WriteBackoffMax: 50 * time.Millisecond,
	}
	t.Cleanup(func() {
		w.Close()
		px.Close()
	})
	return w, px
}

// cutEvery cuts every connection through px every d until the returned
// stop is called.
func cutEvery(px *proxy.Proxy, d time.Duration) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for {
			select {
			case <-done:
				return
			case <-time.After(d): // cut at a steady pace
				px.CutAll()
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}
