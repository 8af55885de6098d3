//go:build !race

package wire

import (
	"bytes"
	"testing"

	"github.com/zeroalloc/kafka/internal/allocstest"
)

// bench1000 returns 1,000 records of a 100-byte value, a 10-byte key and
// two headers.
func bench1000() []testRecord {
	rs := make([]testRecord, 1000)
	val := testPayload(100, 7)
	hdrs := []RecordHeader{{Key: []byte("trace-id"), Value: []byte("0123456789abcdef")}, {Key: []byte("source"), Value: []byte("bench")}}
	for i := range rs {
		rs[i] = testRecord{ts: 1_700_000_000_000 + int64(i), key: []byte("key-000000"), value: val, headers: hdrs}
	}
	return rs
}

func appendAll(b *RecordBatchBuilder, rs []testRecord) {
	for i := range rs {
		r := &rs[i]
		b.Append(r.ts, r.key, r.value, r.headers)
	}
}

func TestAllocsRecordBuilder(t *testing.T) {
	rs := bench1000()
	for _, c := range allCodecs {
		opts := ProducerBatchOptions()
		opts.Codec = c
		var b RecordBatchBuilder
		buf := make([]byte, 0, 1<<20)
		allocs := testing.AllocsPerRun(20, func() {
			b.Begin(buf[:0], opts)
			appendAll(&b, rs)
			var err error
			if buf, err = b.Finish(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v: building 1,000 records into a warm buffer: %v allocs, want 0", c, allocs)
		}
	}
}

func TestAllocsRecordIter(t *testing.T) {
	rs := bench1000()
	for _, c := range allCodecs {
		opts := ProducerBatchOptions()
		opts.Codec = c
		buf := buildBatch(t, nil, opts, rs)
		var it RecordIter
		n := 0
		allocs := testing.AllocsPerRun(20, func() {
			it.Reset(buf)
			n = 0
			for it.Next() {
				for h := it.Record().Headers(); ; {
					if _, _, ok := h.Next(); !ok {
						break
					}
					n++
				}
			}
		})
		if it.Err() != nil || n != 2000 {
			t.Fatalf("%v: err %v, %d headers", c, it.Err(), n)
		}
		if allocs != 0 {
			t.Errorf("%v: iterating 1,000 records with headers: %v allocs, want 0", c, allocs)
		}
	}
}

func TestAllocsCompressRoundTrip(t *testing.T) {
	src := testPayload(64<<10, 11)
	for _, c := range allCodecs {
		comp := make([]byte, 0, 2*len(src))
		out := make([]byte, 0, len(src))
		allocs := testing.AllocsPerRun(50, func() {
			var err error
			if comp, err = CompressAppend(comp[:0], src, c, LevelDefault); err != nil {
				t.Fatal(err)
			}
			if out, err = DecompressAppend(out[:0], comp, c, len(src)); err != nil {
				t.Fatal(err)
			}
		})
		if string(out) != string(src) {
			t.Fatalf("%v: round trip differs", c)
		}
		if allocs != 0 {
			t.Errorf("%v: compress+decompress into warm buffers: %v allocs, want 0", c, allocs)
		}
	}
}

func TestAllocsSetBatchProducer(t *testing.T) {
	buf := buildBatch(t, nil, ProducerBatchOptions(), bench1000())
	if a := testing.AllocsPerRun(20, func() { SetBatchProducer(buf, 1, 2, 3) }); a != 0 {
		t.Errorf("SetBatchProducer: %v allocs", a)
	}
}

// TestAllocsCodecRoundTrips asserts that a warm round trip of 4 KiB
// through each codec (compressed into a warm buffer, decompressed into
// another) allocates nothing: the count over 1,000 round trips is exact
// and must be 0 (allocstest.Count, which measures with one P: with two,
// the codec libraries' sync.Pools miss when the goroutine changes P, 0 to
// 8 objects per 1,000 round trips on this VM, and no GC ran meanwhile).
// Every round trip must give back its input, without an error.
func TestAllocsCodecRoundTrips(t *testing.T) {
	src := testPayload(4<<10, 11)
	for _, c := range allCodecs {
		comp := make([]byte, 0, 2*len(src))
		out := make([]byte, 0, len(src))
		var err error
		bad := 0
		round := func() {
			comp, err = CompressAppend(comp[:0], src, c, LevelDefault)
			if err == nil {
				out, err = DecompressAppend(out[:0], comp, c, len(src))
			}
			if err != nil || !bytes.Equal(out, src) {
				bad++
			}
		}
		if round(); bad > 0 {
			t.Fatalf("%v: round trip: error %v, %d bytes back of %d, equal to them: %v", c, err, len(out), len(src), bytes.Equal(out, src))
		}
		// The runtime builds the cache of each type assertion site on
		// about one miss in 1,024 (gzip's reader has half a dozen sites):
		// objects made once, not per round trip. allocstest.Count warms
		// up with 1,000 more.
		for range 3000 {
			round()
		}
		if n := allocstest.Count(t, 1000, 0, round); n != 0 {
			t.Errorf("%v: %d allocations over 1,000 round trips, want 0", c, n)
		}
		if bad > 0 {
			t.Errorf("%v: %d round trips did not give back their input (last error %v)", c, bad, err)
		}
	}
}
