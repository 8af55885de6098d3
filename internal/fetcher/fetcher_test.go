package fetcher

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// batchHeader returns the first 61 bytes of a v2 record batch at base
// with lastDelta and records, its length field saying size.
func batchHeader(base int64, size, lastDelta, records int32) []byte {
	b := make([]byte, 61)
	binary.BigEndian.PutUint64(b, uint64(base))
	binary.BigEndian.PutUint32(b[8:], uint32(size))
	b[16] = wire.RecordBatchMagic
	binary.BigEndian.PutUint32(b[23:], uint32(lastDelta))
	binary.BigEndian.PutUint32(b[57:], uint32(records))
	return b
}

// legacyMessage returns a v1 message at offset, its length field saying
// size, with size bytes after the offset and length.
func legacyMessage(offset int64, size int32) []byte {
	b := make([]byte, 12+size)
	binary.BigEndian.PutUint64(b, uint64(offset))
	binary.BigEndian.PutUint32(b[8:], uint32(size))
	b[16] = 1
	return b
}

func TestBatchesEnd(t *testing.T) {
	whole := batchHeader(100, 49, 9, 10)
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	for _, tc := range []struct {
		name          string
		b             []byte
		next, records int
	}{
		{"empty", nil, -1, 0},
		{"one batch", whole, 110, 10},
		{"two batches", cat(whole, batchHeader(110, 49, 4, 5)), 115, 15},
		{"a partial batch after a whole one", cat(whole, batchHeader(110, 4000, 4, 5)), 110, 10},
		{"a partial batch only", batchHeader(100, 4000, 9, 10), -1, 0},
		{"a header cut short", whole[:16], -1, 0},
		{"legacy messages", cat(legacyMessage(7, 30), legacyMessage(8, 30)), 9, 2},
		{"a negative length", batchHeader(100, -1, 9, 10), -1, 0},
		{"offsets going back", cat(whole, batchHeader(50, 49, 4, 5)), 110, 10},
		{"a negative offset delta", batchHeader(100, 49, -2, 10), -1, 0},
		{"a negative record count", batchHeader(100, 49, 9, -10), -1, 0},
		{"an offset that would overflow", batchHeader(math.MaxInt64-3, 49, 9, 10), -1, 0},
	} {
		next, records := BatchesEnd(tc.b)
		if next != int64(tc.next) || records != tc.records {
			t.Errorf("%s: BatchesEnd = %d, %d; want %d, %d", tc.name, next, records, tc.next, tc.records)
		}
	}
}

func TestBackoff(t *testing.T) {
	f := &Fetcher{cfg: Config{BackoffMin: 100 * time.Millisecond, BackoffMax: time.Second}}
	for n, want := range []time.Duration{100, 100, 200, 400, 800, 1000, 1000} {
		if got := f.backoff(n); got != want*time.Millisecond {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want*time.Millisecond)
		}
	}
}

func TestIsRefreshError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{wire.NotLeaderOrFollower, true},
		{fmt.Errorf("fetching: %w", wire.FencedLeaderEpoch), true},
		{&wire.ErrorWithMessage{Err: wire.UnknownTopicId}, true},
		{io.ErrUnexpectedEOF, true}, // a broken connection
		{wire.OffsetOutOfRange, false},
		{&wire.ErrorWithMessage{Err: wire.TopicAuthorizationFailed, Msg: "no"}, false},
		{fmt.Errorf("fetching: %w", wire.CorruptMessage), false},
	} {
		if got := isRefreshError(tc.err); got != tc.want {
			t.Errorf("isRefreshError(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestAllocsBatchesEnd(t *testing.T) {
	set := append(batchHeader(100, 49, 9, 10), batchHeader(110, 49, 4, 5)...)
	if n := testing.AllocsPerRun(100, func() { BatchesEnd(set) }); n != 0 {
		t.Fatalf("%v allocations per BatchesEnd", n)
	}
}
