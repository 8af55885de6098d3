package fuzz

import (
	"encoding/binary"
	"testing"

	"github.com/zeroalloc/kafka/internal/fetcher"
	"github.com/zeroalloc/kafka/wire"
)

// FuzzBatchesEnd feeds record sets to the Reader's scan of batch headers,
// which sets the next fetch offset from an answer. It must not panic, must
// stay within the harness's allocation bound, and must never report an end
// at or before the first batch's base offset, nor a negative count. (The
// Reader delivers only records between the fetch offset and that end, in
// increasing order, whatever the batches say.)
func FuzzBatchesEnd(f *testing.F) {
	var b wire.RecordBatchBuilder
	b.Begin(nil, wire.ProducerBatchOptions())
	b.Append(1700000000000, []byte("key"), []byte("value"), nil)
	b.Append(1700000000001, nil, []byte{}, nil)
	batch, err := b.Finish()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(batch)
	f.Add(append(append([]byte(nil), batch...), batch[:20]...))
	f.Fuzz(func(t *testing.T, data []byte) {
		var next int64
		var records int
		// BatchesEnd allocates nothing (TestBatchesEnd's neighbours in
		// internal/fetcher); the measure here also sees the fuzzing
		// engine's own allocations, hence the harness's usual bound.
		if n := allocated(func() { next, records = fetcher.BatchesEnd(data) }); n > allocLimit(len(data)) {
			t.Fatalf("BatchesEnd allocated %d bytes", n)
		}
		if records < 0 || next < -1 {
			t.Fatalf("BatchesEnd = %d, %d", next, records)
		}
		if next >= 0 && len(data) < 17 {
			t.Fatalf("BatchesEnd = %d from %d bytes", next, len(data))
		}
		// The end is past the first batch's base offset, which the
		// fetch asked for, or -1: never a position before it.
		if next >= 0 {
			if base := int64(binary.BigEndian.Uint64(data)); next <= base {
				t.Fatalf("BatchesEnd = %d, not past the first batch at %d", next, base)
			}
		}
	})
}
