//go:build !race

package kafka

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/allocstest"
)

func allocMessages(n, size int) []Message {
	msgs := make([]Message, n)
	for i := range msgs {
		v := make([]byte, size)
		copy(v, strconv.Itoa(i))
		msgs[i] = Message{Key: []byte("key-" + strconv.Itoa(i%10)), Value: v, Headers: []Header{{Key: "h", Value: []byte("v")}}}
	}
	return msgs
}

// A warm synchronous Writer allocates nothing per WriteMessages call of
// 1,000 messages: records are encoded into pooled batches, the call's
// state is recycled, requests are written from reused buffers.
func TestAllocsWriterSync(t *testing.T) {
	for _, c := range []Compression{0, Lz4, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			w := newTestWriter(t, createTopic(t, 2))
			w.Compression = c
			noAllocsPerCall(t, w, allocMessages(1000, 100))
		})
	}
}

// A warm synchronous Writer writing one message at a time allocates
// nothing per call either: the caller reads its own answer on the idle
// connection (Call.ReadOwn), into the connection's decoded answer.
func TestAllocsWriterSyncOne(t *testing.T) {
	w := newTestWriter(t, createTopic(t, 1))
	noAllocsPerCall(t, w, allocMessages(1, 100))
}

// A call whose context can end (a deadline, a cancel) costs no
// allocation either: it waits on its context's Done channel where it
// waits anyway, and reading its own answer it looks at the context between
// read deadlines; its large values are copied into their batches.
func TestAllocsWriterSyncContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	for _, c := range []struct {
		name string
		msgs []Message
	}{{"one", allocMessages(1, 100)}, {"1000", allocMessages(1000, 100)}, {"large", allocMessages(20, 64<<10)}} {
		t.Run(c.name, func(t *testing.T) {
			noAllocsPerCallCtx(t, ctx, newTestWriter(t, createTopic(t, 2)), c.msgs)
		})
	}
}

// noAllocsPerCall fails t unless a synchronous WriteMessages(msgs...) on
// w, once warm, allocates nothing.
func noAllocsPerCall(t *testing.T, w *Writer, msgs []Message) {
	t.Helper()
	noAllocsPerCallCtx(t, context.Background(), w, msgs)
}

// noAllocsPerCallCtx is noAllocsPerCall with calls under ctx.
func noAllocsPerCallCtx(t *testing.T, ctx context.Context, w *Writer, msgs []Message) {
	t.Helper()
	quietMetadata(w)
	for range 5 {
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	allocs := allocstest.Count(t, 20, 0, func() {
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%d allocations over 20 calls of %d messages of %d bytes, want 0", allocs, len(msgs), len(msgs[0].Value))
	}
}

// An asynchronous stream of single-message writes allocates nothing per
// message once warm. Warm takes a while: batches are recycled through a
// free list that grows to the most batches ever in flight or queued, and
// with batches closed by BatchTimeout that peak keeps rising for about
// 300,000 messages (388, 24 and 4 objects in the first three windows of
// 100,000 on this 2-core VM, then none). After 20,000 messages, as this
// test warmed up before, 29 to 70 objects were still allocated per 100,000
// messages, which AllocsPerRun's rounded average reported as 0.
func TestAllocsWriterAsync(t *testing.T) {
	w := newTestWriter(t, createTopic(t, 2))
	w.Async = true
	quietMetadata(w)
	msgs := allocMessages(1, 100)
	ctx := context.Background()
	for range 400000 {
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	allocs := allocstest.Count(t, 1000, 0, func() {
		for range 100 {
			if err := w.WriteMessages(ctx, msgs...); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("%d allocations over 100,000 asynchronous messages, want 0", allocs)
	}
}

func BenchmarkWriterSync1000x100B(b *testing.B) {
	w := newTestWriter(b, createTopic(b, 1))
	msgs := allocMessages(1000, 100)
	ctx := context.Background()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(100 * 1000)
	b.ResetTimer()
	for b.Loop() {
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriterAsync100B(b *testing.B) {
	w := newTestWriter(b, createTopic(b, 1))
	w.Async = true
	msgs := allocMessages(1, 100)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(100)
	for b.Loop() {
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		b.Fatal(err)
	}
}

// The kbench produce scenario in process: one message per call, Async,
// a Completion counting acknowledgements.
func BenchmarkWriterAsyncCompletion100B(b *testing.B) {
	w := newTestWriter(b, createTopic(b, 1))
	w.Async = true
	var acked atomic.Int64
	w.Completion = func(ms []Message, err error) { acked.Add(int64(len(ms))) }
	value := make([]byte, 100)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(100)
	for b.Loop() {
		if err := w.WriteMessages(ctx, Message{Value: value}); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		b.Fatal(err)
	}
}

// Large values of synchronous calls are sent from the caller's memory: a
// warm writer still allocates nothing per call.
func TestAllocsWriterSyncLargeValues(t *testing.T) {
	noAllocsPerCall(t, newTestWriter(t, createTopic(t, 2)), allocMessages(20, 64<<10))
}

func BenchmarkWriterSync20x64KiB(b *testing.B) {
	benchmarkWriterSync20x64KiB(b, context.Background())
}

// BenchmarkWriterSync20x64KiB with a context that can end: the values are
// copied into their batches (a call that may return before they are sent
// cannot lend them).
func BenchmarkWriterSync20x64KiBContext(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	benchmarkWriterSync20x64KiB(b, ctx)
}

func benchmarkWriterSync20x64KiB(b *testing.B, ctx context.Context) {
	w := newTestWriter(b, createTopic(b, 1))
	msgs := allocMessages(20, 64<<10)
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(20 * 64 << 10)
	for b.Loop() {
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			b.Fatal(err)
		}
	}
}

// One synchronous single-message write: a round trip to the broker.
func BenchmarkWriterSyncOne(b *testing.B) {
	benchmarkWriterSyncOne(b, context.Background())
}

// BenchmarkWriterSyncOne with a context that can end: the caller reading
// its own answer looks at it every ownPoll.
func BenchmarkWriterSyncOneContext(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	benchmarkWriterSyncOne(b, ctx)
}

func benchmarkWriterSyncOne(b *testing.B, ctx context.Context) {
	w := newTestWriter(b, createTopic(b, 1))
	msg := allocMessages(1, 100)
	if err := w.WriteMessages(ctx, msg...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WriteMessages(ctx, msg...); err != nil {
			b.Fatal(err)
		}
	}
}

// quietMetadata keeps the writer's periodic metadata refresh (every 6 s by
// default; it allocates its request and answer) out of an allocation
// count, which is process-wide: what is measured is the cost per message,
// and a refresh landing in the window, as it can on a slow machine, would
// count as a per-call allocation.
func quietMetadata(w *Writer) { w.Transport = &Transport{MetadataTTL: time.Hour} }
