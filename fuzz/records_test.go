package fuzz

import (
	"bytes"
	"testing"

	"github.com/zeroalloc/kafka/wire"

	"github.com/zeroalloc/kafka/internal/allocstest"
)

// decompressLimit is the cap every record and codec target runs with.
const decompressLimit = 1 << 20

// lz4Magic begins an lz4 frame: a batch holding one may need the lz4
// library's block buffer (allocstest.LZ4Block).
var lz4Magic = []byte{0x04, 0x22, 0x4d, 0x18}

type fuzzRecord struct {
	offset, ts   int64
	key, value   []byte
	headers      []wire.RecordHeader
	control, txn bool
}

// iterate walks data like a consumer does and returns copies of what it saw.
func iterate(data []byte) ([]fuzzRecord, error) {
	var out []fuzzRecord
	it := wire.RecordIter{DecompressLimit: decompressLimit}
	it.Reset(data)
	for it.Next() {
		r, b := it.Record(), it.Batch()
		out = append(out, fuzzRecord{
			offset: r.Offset, ts: r.Timestamp,
			key: bytes.Clone(r.Key), value: bytes.Clone(r.Value),
			headers: r.AppendHeaders(nil), control: b.Control(), txn: b.Transactional(),
		})
	}
	return out, it.Err()
}

// FuzzRecordBatch feeds record sets (v2 batches of any codec, legacy v0/v1
// message sets, truncated tails) to the iterator. It must not panic, must
// allocate within a multiple of the input plus the decompression cap, and
// the records it yields, encoded again into one uncompressed batch, must
// iterate back to the same keys, values, headers and timestamps.
func FuzzRecordBatch(f *testing.F) {
	for _, c := range []wire.Codec{wire.CodecNone, wire.CodecGzip, wire.CodecSnappy, wire.CodecLZ4, wire.CodecZstd} {
		opts := wire.ProducerBatchOptions()
		opts.Codec = c
		var b wire.RecordBatchBuilder
		b.Begin(nil, opts)
		b.Append(1700000000000, []byte("key"), []byte("value"), []wire.RecordHeader{{Key: []byte("h"), Value: []byte("v")}})
		b.Append(1700000000001, nil, []byte{}, nil)
		batch, err := b.Finish()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(batch)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var recs []fuzzRecord
		most := 4*decompressLimit + allocLimit(len(data))
		if bytes.Contains(data, lz4Magic) {
			most += allocstest.LZ4Block
		}
		if n := allocated(func() { recs, _ = iterate(data) }); n > most+uint64(len(recs))*512 {
			t.Fatalf("iterating %d bytes allocated %d bytes", len(data), n)
		}
		var data2 []byte
		var b wire.RecordBatchBuilder
		for _, r := range recs {
			if r.control {
				return // control records are the broker's; producers cannot write them
			}
		}
		if len(recs) == 0 {
			return
		}
		b.Begin(nil, wire.ProducerBatchOptions())
		for _, r := range recs {
			b.Append(r.ts, r.key, r.value, r.headers)
		}
		data2, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		again, err := iterate(data2)
		if err != nil || len(again) != len(recs) {
			t.Fatalf("re-encoded %d records, read back %d: %v", len(recs), len(again), err)
		}
		for i := range recs {
			a, b := recs[i], again[i]
			if a.ts != b.ts || !bytes.Equal(a.key, b.key) || (a.key == nil) != (b.key == nil) ||
				!bytes.Equal(a.value, b.value) || (a.value == nil) != (b.value == nil) || len(a.headers) != len(b.headers) {
				t.Fatalf("record %d changed on re-encoding: %+v became %+v", i, a, b)
			}
		}
	})
}

// fuzzCodec feeds data to one decompressor: it must stop at the cap with an
// error, allocate within the cap plus a multiple of the input, and what it
// decompresses must survive a compress/decompress round trip unchanged.
func fuzzCodec(f *testing.F, c wire.Codec) {
	for _, src := range [][]byte{[]byte("hello, kafka"), bytes.Repeat([]byte("abcdefgh"), 4096), {}} {
		comp, err := wire.CompressAppend(nil, src, c, 0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(comp)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var out []byte
		var err error
		most := 4*decompressLimit + allocLimit(len(data))
		if c == wire.CodecLZ4 {
			most += allocstest.LZ4Block
		}
		if n := allocated(func() { out, err = wire.DecompressAppend(nil, data, c, decompressLimit) }); n > most {
			t.Fatalf("%v: decompressing %d bytes allocated %d bytes", c, len(data), n)
		}
		if len(out) > decompressLimit {
			t.Fatalf("%v: %d bytes out, cap %d", c, len(out), decompressLimit)
		}
		if err != nil {
			return
		}
		comp, err := wire.CompressAppend(nil, out, c, 0)
		if err != nil {
			t.Fatalf("%v: compressing what was decompressed: %v", c, err)
		}
		back, err := wire.DecompressAppend(nil, comp, c, decompressLimit)
		if err != nil || !bytes.Equal(back, out) {
			t.Fatalf("%v: round trip changed %d bytes into %d: %v", c, len(out), len(back), err)
		}
	})
}

func FuzzGzip(f *testing.F)   { fuzzCodec(f, wire.CodecGzip) }
func FuzzSnappy(f *testing.F) { fuzzCodec(f, wire.CodecSnappy) }
func FuzzLZ4(f *testing.F)    { fuzzCodec(f, wire.CodecLZ4) }
func FuzzZstd(f *testing.F)   { fuzzCodec(f, wire.CodecZstd) }
