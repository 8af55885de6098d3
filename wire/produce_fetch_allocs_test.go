//go:build !race

package wire

import (
	"errors"
	"runtime"
	"testing"
)

// pfVersions are the versions the hot-path allocation tests cover: the
// lowest, the last classic and the first flexible, and the highest, of
// Produce and Fetch.
var (
	produceVersions = []int16{3, 8, 9, 11}
	fetchVersions   = []int16{4, 11, 12, 17}
)

// TestAllocsProduceRequestAppend appends a request holding a real
// 1,000-record batch into a warm buffer: 0 allocations.
func TestAllocsProduceRequestAppend(t *testing.T) {
	m := bigProduceRequest(t)
	for _, v := range produceVersions {
		buf := m.AppendTo(nil, v)
		if n := testing.AllocsPerRun(50, func() { buf = m.AppendTo(buf[:0], v) }); n != 0 {
			t.Errorf("v%d: %v allocs, want 0", v, n)
		}
	}
}

// TestAllocsProduceRequestDecode decodes the same request into a reused
// struct: 0 allocations (Records alias the input).
func TestAllocsProduceRequestDecode(t *testing.T) {
	m := bigProduceRequest(t)
	for _, v := range produceVersions {
		src := m.AppendTo(nil, v)
		var got ProduceRequest
		var err error
		if n := testing.AllocsPerRun(50, func() { err = got.DecodeFrom(src, v) }); n != 0 || err != nil {
			t.Errorf("v%d: %v allocs (err %v), want 0", v, n, err)
		}
	}
}

// TestAllocsProduceStreaming builds the request the producer's way, the
// batch encoded into the request buffer, with a size hint of the right and
// of the wrong width (the records are then moved): 0 allocations into a
// warm buffer.
func TestAllocsProduceStreaming(t *testing.T) {
	rs := pfRecords1000()
	want := bigProduceRequest(t)
	var bb RecordBatchBuilder
	for _, v := range produceVersions {
		for _, hint := range []int{0, 1 << 20, 1 << 30} {
			var buf []byte
			var err error
			build := func() {
				dst := AppendProduceRequestHead(buf[:0], v, want.TransactionalId, want.Acks, want.TimeoutMs, 1)
				dst = AppendProduceTopicHead(dst, v, "events", 1)
				dst, mark := AppendProducePartitionHead(dst, v, 3, hint)
				bb.Begin(dst, ProducerBatchOptions())
				appendAll(&bb, rs)
				dst, err = bb.Finish()
				dst = FinishProducePartition(dst, v, mark)
				dst = AppendProduceTopicEnd(dst, v)
				buf = AppendProduceRequestEnd(dst, v)
			}
			build()
			if n := testing.AllocsPerRun(20, build); n != 0 || err != nil {
				t.Errorf("v%d hint %d: %v allocs (err %v), want 0", v, hint, n, err)
			}
			if string(buf) != string(want.AppendTo(nil, v)) {
				t.Fatalf("v%d hint %d: streamed request differs from AppendTo", v, hint)
			}
		}
	}
}

// TestAllocsFetchResponseDecode decodes a response holding a real
// 1,000-record batch into a reused struct and walks every record and header:
// 0 allocations.
func TestAllocsFetchResponseDecode(t *testing.T) {
	m := bigFetchResponse(t)
	for _, v := range fetchVersions {
		src := m.AppendTo(nil, v)
		var got FetchResponse
		var it RecordIter
		var err error
		records, headers := 0, 0
		n := testing.AllocsPerRun(20, func() {
			if err = got.DecodeFrom(src, v); err == nil {
				records, headers, _, err = iterateAll(&got, &it)
			}
		})
		if err != nil || records != 1000 || headers != 2000 {
			t.Fatalf("v%d: %d records, %d headers, err %v", v, records, headers, err)
		}
		if n != 0 {
			t.Errorf("v%d: %v allocs, want 0", v, n)
		}
	}
}

// TestAllocsFetchResponseAppend appends the same response into a warm
// buffer: 0 allocations.
func TestAllocsFetchResponseAppend(t *testing.T) {
	m := bigFetchResponse(t)
	for _, v := range fetchVersions {
		buf := m.AppendTo(nil, v)
		if n := testing.AllocsPerRun(50, func() { buf = m.AppendTo(buf[:0], v) }); n != 0 {
			t.Errorf("v%d: %v allocs, want 0", v, n)
		}
	}
}

// TestAllocsFetchResponseHostile decodes the 56-byte response that claims
// 2^27 aborted transactions: it fails with ErrInvalidLength, allocating
// nothing into a reused struct (so at most the frame size), and into a
// fresh one only the topic and partition it holds (a few hundred bytes:
// the structs, never the 2 GiB the count asks for).
func TestAllocsFetchResponseHostile(t *testing.T) {
	src := hostileFetchResponse()
	var reused FetchResponse
	reused.DecodeFrom(hostileFetchResponse(), 4)
	var err error
	if n := testing.AllocsPerRun(100, func() { err = reused.DecodeFrom(src, 4) }); n != 0 || !errors.Is(err, ErrInvalidLength) {
		t.Fatalf("reused struct: %v allocs, err %v; want 0 allocs and ErrInvalidLength", n, err)
	}
	const runs = 100
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		var m FetchResponse
		if err := m.DecodeFrom(src, 4); !errors.Is(err, ErrInvalidLength) {
			t.Fatalf("fresh struct: got %v, want ErrInvalidLength", err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 512 {
		t.Fatalf("fresh struct: %d bytes allocated per decode of a %d-byte frame", per, len(src))
	}
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; testing.Verbose() {
		t.Logf("fresh struct: %d bytes per decode of the %d-byte frame", per, len(src))
	}
}

// checkMessageAllocs asserts that m appends into a warm buffer and decodes into a
// reused struct without allocating.
func checkMessageAllocs(t *testing.T, version int16, m, reused Message) {
	t.Helper()
	src := m.AppendTo(nil, version)
	buf := make([]byte, 0, len(src))
	if n := testing.AllocsPerRun(50, func() { buf = m.AppendTo(buf[:0], version) }); n != 0 {
		t.Errorf("v%d %T: AppendTo into a warm buffer: %v allocs, want 0", version, m, n)
	}
	if err := reused.DecodeFrom(src, version); err != nil {
		t.Fatalf("v%d %T: %v", version, m, err)
	}
	var err error
	if n := testing.AllocsPerRun(50, func() { err = reused.DecodeFrom(src, version) }); n != 0 || err != nil {
		t.Errorf("v%d %T: DecodeFrom into a reused struct: %v allocs (err %v), want 0", version, m, n, err)
	}
}

// TestAllocsProduceResponseDecode covers the Produce response (decoded by
// the producer) and, for completeness, its encoding, at every version, with
// every field and tagged field set.
func TestAllocsProduceResponseDecode(t *testing.T) {
	for v := APIs[KeyProduce].Min; v <= APIs[KeyProduce].Max; v++ {
		checkMessageAllocs(t, v, sampleProduceResponse(v, 1), new(ProduceResponse))
	}
}

// TestAllocsFetchRequestAppend covers the Fetch request (appended by the
// consumer) and its decoding, at every version, with every field and tagged
// field set.
func TestAllocsFetchRequestAppend(t *testing.T) {
	for v := APIs[KeyFetch].Min; v <= APIs[KeyFetch].Max; v++ {
		checkMessageAllocs(t, v, sampleFetchRequest(v, 1), new(FetchRequest))
	}
}
