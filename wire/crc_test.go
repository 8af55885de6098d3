package wire

import (
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// The combined CRC of two parts equals the CRC of their concatenation, for
// every split of random messages up to 4 KiB and a few large lengths.
func TestCRC32CCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 1<<20+7)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	check := func(a, b []byte) {
		t.Helper()
		want := crc32.Checksum(append(a[:len(a):len(a)], b...), crc32c)
		if got := crc32cCombine(crc32.Checksum(a, crc32c), crc32.Checksum(b, crc32c), len(b)); got != want {
			t.Fatalf("combine of %d and %d bytes: %08x, want %08x", len(a), len(b), got, want)
		}
	}
	for range 2000 {
		n := r.IntN(4096)
		cut := 0
		if n > 0 {
			cut = r.IntN(n + 1)
		}
		check(buf[:cut], buf[cut:n])
	}
	for _, n := range []int{0, 1, 40, 255, 256, 65535, 65536, 1 << 20, 1<<20 + 7} {
		check(buf[:40], buf[:n])
	}
}

func BenchmarkCRC32CCombine(b *testing.B) {
	b.ReportAllocs()
	var s uint32
	for b.Loop() {
		s = crc32cCombine(s, 0x12345678, 1<<20)
	}
	_ = s
}

// A batch's CRC computed as its records are appended (and combined with
// the header's at Finish) equals the CRC computed over the finished batch,
// for batches from one record to several CRC chunks, with and without
// external values, at offsets after a request's own bytes.
func TestRecordBatchRunningCRC(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	val := make([]byte, 70<<10)
	for i := range val {
		val[i] = byte(r.Uint32())
	}
	var bb RecordBatchBuilder
	for _, n := range []int{1, 2, 150, 400, 3000} {
		for _, ext := range []bool{false, true} {
			prefix := make([]byte, r.IntN(100))
			opts := ProducerBatchOptions()
			bb.Begin(prefix, opts)
			for i := range n {
				v := val[:r.IntN(300)]
				if i%7 == 3 {
					v = val[:r.IntN(len(val))] // large values cross chunks
				}
				if ext && i%5 == 0 && v != nil {
					bb.AppendExternal(int64(1000+i), val[:i%9], v, nil)
				} else {
					bb.Append(int64(1000+i), val[:i%9], v, []RecordHeader{{Key: []byte("h"), Value: val[:i%3]}})
				}
			}
			out, err := bb.Finish()
			if err != nil {
				t.Fatal(err)
			}
			h := out[len(prefix):]
			got := binary.BigEndian.Uint32(h[offCRC:])
			if want := batchCRC(h, bb.Externals()); got != want {
				t.Fatalf("%d records, external %v: CRC %08x, want %08x", n, ext, got, want)
			}
			if !ext { // the decoder checks the CRC too
				var it RecordIter
				it.Reset(h)
				if !it.NextBatch() || it.Err() != nil {
					t.Fatalf("%d records: decoding: %v", n, it.Err())
				}
			}
		}
	}
}
