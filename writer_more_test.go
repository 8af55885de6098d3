package kafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// valuesByPartition reads every partition of topic and returns the values
// in offset order per partition.
func valuesByPartition(t testing.TB, topic string, n int) [][]Message {
	out := make([][]Message, n)
	for p := range n {
		out[p] = readPartition(t, kafkatest.Brokers(t), topic, p)
	}
	return out
}

func TestWriterCodecs(t *testing.T) {
	for _, c := range []Compression{0, Gzip, Snappy, Lz4, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			topic := createTopic(t, 1)
			w := newTestWriter(t, topic)
			w.Compression = c
			var msgs []Message
			for i := range 500 {
				msgs = append(msgs, Message{
					Key:     []byte("key-" + strconv.Itoa(i)),
					Value:   bytes.Repeat([]byte{byte('a' + i%26)}, i%300),
					Headers: []Header{{Key: "h", Value: []byte(strconv.Itoa(i))}, {Key: "nil"}},
				})
			}
			msgs = append(msgs, Message{}, Message{Key: []byte{}, Value: []byte{}})
			if err := w.WriteMessages(context.Background(), msgs...); err != nil {
				t.Fatal(err)
			}
			got := readPartition(t, kafkatest.Brokers(t), topic, 0)
			if len(got) != len(msgs) {
				t.Fatalf("read %d, want %d", len(got), len(msgs))
			}
			for i, m := range got {
				want := msgs[i]
				if !bytes.Equal(m.Key, want.Key) || (m.Key == nil) != (want.Key == nil) ||
					!bytes.Equal(m.Value, want.Value) || (m.Value == nil) != (want.Value == nil) ||
					len(m.Headers) != len(want.Headers) {
					t.Fatalf("message %d: got %+v want %+v", i, m, want)
				}
				for j, h := range m.Headers {
					if h.Key != want.Headers[j].Key || !bytes.Equal(h.Value, want.Headers[j].Value) || (h.Value == nil) != (want.Headers[j].Value == nil) {
						t.Fatalf("message %d header %d: %+v want %+v", i, j, h, want.Headers[j])
					}
				}
			}
		})
	}
}

func TestWriterBalancers(t *testing.T) {
	bals := map[string]func() Balancer{
		"RoundRobin":    func() Balancer { return &RoundRobin{} },
		"LeastBytes":    func() Balancer { return &LeastBytes{} },
		"Hash":          func() Balancer { return &Hash{} },
		"ReferenceHash": func() Balancer { return &ReferenceHash{} },
		"CRC32":         func() Balancer { return CRC32Balancer{} },
		"Murmur2":       func() Balancer { return Murmur2Balancer{} },
		"Sticky":        func() Balancer { return &Sticky{} },
		"Func":          func() Balancer { return BalancerFunc(func(m Message, ps ...int) int { return ps[len(ps)-1] }) },
	}
	for name, mk := range bals {
		t.Run(name, func(t *testing.T) {
			topic := createTopic(t, 4)
			w := newTestWriter(t, topic)
			bal := mk()
			w.Balancer = bal
			var msgs []Message
			for i := range 400 {
				msgs = append(msgs, Message{Key: []byte("key-" + strconv.Itoa(i%40)), Value: []byte(strconv.Itoa(i))})
			}
			if err := w.WriteMessages(context.Background(), msgs...); err != nil {
				t.Fatal(err)
			}
			// The keyed balancers must be deterministic: each key in one
			// partition, the one a fresh balancer picks.
			ref := mk()
			total := 0
			for p, ms := range valuesByPartition(t, topic, 4) {
				total += len(ms)
				for _, m := range ms {
					switch name {
					case "Hash", "ReferenceHash", "CRC32", "Murmur2":
						if want := ref.Balance(m, 0, 1, 2, 3); want != p {
							t.Fatalf("key %s in partition %d, balancer says %d", m.Key, p, want)
						}
					case "Func":
						if p != 3 {
							t.Fatalf("message in partition %d", p)
						}
					}
				}
			}
			if total != 400 {
				t.Fatalf("read %d messages, want 400", total)
			}
		})
	}
}

func TestWriterManualPartitionAndTopics(t *testing.T) {
	a, b := createTopic(t, 3), createTopic(t, 2)
	w := &Writer{Addr: TCP(kafkatest.Brokers(t)...), Balancer: Manual{}}
	defer w.Close()
	msgs := []Message{
		{Topic: a, Partition: 2, Value: []byte("a2")},
		{Topic: b, Partition: 1, Value: []byte("b1")},
		{Topic: a, Partition: 0, Value: []byte("a0")},
		{Topic: b, Partition: 7, Value: []byte("bad partition")},
		{Value: []byte("no topic")},
	}
	err := w.WriteMessages(context.Background(), msgs...)
	var we WriteErrors
	if !errors.As(err, &we) || len(we) != len(msgs) {
		t.Fatalf("err = %v", err)
	}
	if we[0] != nil || we[1] != nil || we[2] != nil || !errors.Is(we[3], errInvalidPartition) || !errors.Is(we[4], errTopicNone) {
		t.Fatalf("errors: %v", []error(we))
	}
	if got := valuesByPartition(t, a, 3); len(got[2]) != 1 || string(got[2][0].Value) != "a2" || len(got[0]) != 1 || len(got[1]) != 0 {
		t.Fatalf("topic a: %v", got)
	}
	if got := valuesByPartition(t, b, 2); len(got[1]) != 1 || string(got[1][0].Value) != "b1" {
		t.Fatalf("topic b: %v", got)
	}
	w2 := newTestWriter(t, a)
	if err := w2.WriteMessages(context.Background(), Message{Topic: b, Value: []byte("x")}); !errors.Is(err, errTopicBoth) {
		t.Fatalf("both topics: %v", err)
	}
}

// A message larger than BatchBytes fails alone; one larger than the
// topic's max.message.bytes (but under BatchBytes) is refused by the
// broker, and fails alone too: its batch is split.
func TestWriterTooLarge(t *testing.T) {
	topic := createTopicWith(t, 1, []ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: "10000"}})
	w := newTestWriter(t, topic)
	w.BatchBytes = 64 << 10
	msgs := []Message{
		{Value: []byte("before")},
		{Value: make([]byte, 100<<10)}, // above BatchBytes
		{Value: make([]byte, 20<<10)},  // above the topic's limit
		{Value: []byte("after")},
	}
	err := w.WriteMessages(context.Background(), msgs...)
	var we WriteErrors
	if !errors.As(err, &we) {
		t.Fatalf("err = %v", err)
	}
	var mt MessageTooLargeError
	if we[0] != nil || we[3] != nil || !errors.As(we[1], &mt) || !errors.As(we[2], &mt) || !errors.Is(we[2], MessageSizeTooLarge) {
		t.Fatalf("errors: %v", []error(we))
	}
	got := readPartition(t, kafkatest.Brokers(t), topic, 0)
	if len(got) != 2 || string(got[0].Value) != "before" || string(got[1].Value) != "after" {
		var vs []string
		for _, m := range got {
			vs = append(vs, fmt.Sprintf("%d:%.10q", m.Offset, m.Value))
		}
		t.Fatalf("read %d messages: %v, want before and after", len(got), vs)
	}
	// The writer goes on writing afterwards, in order.
	if err := w.WriteMessages(context.Background(), Message{Value: []byte("later")}); err != nil {
		t.Fatal(err)
	}
}

func TestWriterCompletionAsync(t *testing.T) {
	topic := createTopic(t, 2)
	var mu sync.Mutex
	offsets := map[int]map[int64]string{0: {}, 1: {}}
	var failed atomic.Int64
	w := newTestWriter(t, topic)
	w.Async = true
	w.Completion = func(ms []Message, err error) {
		if err != nil {
			failed.Add(int64(len(ms)))
			return
		}
		mu.Lock()
		for _, m := range ms {
			offsets[m.Partition][m.Offset] = string(m.Value)
		}
		mu.Unlock()
	}
	buf := make([]Message, 1)
	for i := range 5000 {
		// The Message is reused at once (the writer copied it); its Value
		// is not, since Completion reads it.
		buf[0] = Message{Value: []byte(strconv.Itoa(i))}
		if err := w.WriteMessages(context.Background(), buf...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if failed.Load() != 0 {
		t.Fatalf("%d failed", failed.Load())
	}
	total := 0
	for p, ms := range valuesByPartition(t, topic, 2) {
		total += len(ms)
		for _, m := range ms {
			if offsets[p][m.Offset] != string(m.Value) {
				t.Fatalf("partition %d offset %d: completion said %q, log has %q", p, m.Offset, offsets[p][m.Offset], m.Value)
			}
		}
	}
	if total != 5000 {
		t.Fatalf("read %d, want 5000", total)
	}
}

func TestWriterAcks(t *testing.T) {
	for _, acks := range []RequiredAcks{RequireNone, RequireOne, RequireAll} {
		t.Run(acks.String(), func(t *testing.T) {
			topic := createTopic(t, 1)
			w := newTestWriter(t, topic)
			w.RequiredAcks = acks
			for i := range 10 {
				if err := w.WriteMessages(context.Background(), Message{Value: []byte(strconv.Itoa(i))}); err != nil {
					t.Fatal(err)
				}
			}
			w.Close()
			deadline := time.Now().Add(10 * time.Second)
			for {
				got := readPartition(t, kafkatest.Brokers(t), topic, 0)
				if len(got) == 10 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("read %d, want 10", len(got))
				}
				time.Sleep(20 * time.Millisecond) // acks=0: nothing to wait on
			}
		})
	}
}

func TestWriterAfterClose(t *testing.T) {
	w := newTestWriter(t, createTopic(t, 1))
	if err := w.WriteMessages(context.Background(), Message{Value: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := w.WriteMessages(context.Background(), Message{Value: []byte("y")}); !errors.Is(err, ErrWriterClosed) {
		t.Fatalf("write after close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// A synchronous single-message write returns after one round trip, not
// after BatchTimeout: the connection is idle, so the batch goes at once.
func TestWriterSyncLatency(t *testing.T) {
	w := newTestWriter(t, createTopic(t, 1))
	w.BatchTimeout = 5 * time.Second
	ctx := context.Background()
	if err := w.WriteMessages(ctx, Message{Value: []byte("warm")}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 20 {
		if err := w.WriteMessages(ctx, Message{Value: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start) / 20; d > 500*time.Millisecond {
		t.Fatalf("a synchronous write took %v on average", d)
	}
}

// Close under load: concurrent writers, async and sync; everything
// reported written is in the log exactly once; no goroutine is left.
func TestWriterCloseUnderLoad(t *testing.T) {
	topic := createTopic(t, 3)
	before := runtime.NumGoroutine()
	w := &Writer{Addr: TCP(kafkatest.Brokers(t)...), Topic: topic, Async: true}
	var written atomic.Int64
	var mu sync.Mutex
	ok := map[string]bool{}
	w.Completion = func(ms []Message, err error) {
		if err == nil {
			mu.Lock()
			for _, m := range ms {
				ok[string(m.Value)] = true
			}
			mu.Unlock()
			written.Add(int64(len(ms)))
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				err := w.WriteMessages(context.Background(), Message{Value: []byte(strconv.Itoa(g) + "-" + strconv.Itoa(i))})
				if errors.Is(err, ErrWriterClosed) {
					return
				}
			}
		}()
	}
	for written.Load() < 20000 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	seen := map[string]bool{}
	for _, ms := range valuesByPartition(t, topic, 3) {
		for _, m := range ms {
			if seen[string(m.Value)] {
				t.Fatalf("%s twice", m.Value)
			}
			seen[string(m.Value)] = true
		}
	}
	for v := range ok {
		if !seen[v] {
			t.Fatalf("%s reported written, not in the log", v)
		}
	}
	if len(seen) != len(ok) {
		t.Fatalf("log has %d, completions said %d", len(seen), len(ok))
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d before, %d after Close\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond) // goroutines end asynchronously after their work
	}
}

// A cancelled context fails only the messages not accepted yet; the
// others are written, and the error says which is which: a message failed
// with the context's error is not in the log, unless its error also says
// ErrOutcomeUnknown (accepted, then left in the Writer).
func TestWriterContextCancel(t *testing.T) {
	topic := createTopic(t, 1)
	w := newTestWriter(t, topic)
	w.MaxBufferedBytes = 1 // room for one message at a time: the rest wait
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	msgs := []Message{{Value: []byte("a")}, {Value: []byte("b")}, {Value: []byte("c")}}
	err := w.WriteMessages(ctx, msgs...)
	var we WriteErrors
	if err != nil && !errors.As(err, &we) {
		t.Fatalf("err = %v", err)
	}
	failed := map[string]bool{}
	for i, e := range we {
		if e != nil {
			if !errors.Is(e, context.Canceled) {
				t.Fatalf("message %d: %v", i, e)
			}
			if !errors.Is(e, ErrOutcomeUnknown) {
				failed[string(msgs[i].Value)] = true
			}
		}
	}
	for _, m := range readPartition(t, kafkatest.Brokers(t), topic, 0) {
		if failed[string(m.Value)] {
			t.Fatalf("%s reported failed but written", m.Value)
		}
	}
}

// MaxBufferedBytes: 16 MiB by default (see the Writer's documented
// defaults), the value given otherwise, and never less than two BatchBytes.
func TestWriterBufferSetting(t *testing.T) {
	for _, c := range []struct {
		set        int64
		batchBytes int64
		want       int64
	}{
		{0, 0, 16 << 20}, {4 << 20, 0, 4 << 20}, {1, 0, 2 * 1048576}, {0, 10 << 20, 20 << 20},
	} {
		w := &Writer{Addr: TCP(kafkatest.Brokers(t)...), MaxBufferedBytes: c.set, BatchBytes: c.batchBytes}
		if _, err := w.engine(); err != nil {
			t.Fatal(err)
		}
		if got := w.cfg.BufferBytes; got != c.want {
			t.Errorf("MaxBufferedBytes %d, BatchBytes %d: the engine's budget is %d, want %d", c.set, c.batchBytes, got, c.want)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
