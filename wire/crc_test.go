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

// A batch may be up to 2 GiB (Finish): the combine must hold for the
// lengths of its largest records sections, whose top bits need x^(2^32)
// and beyond. xPow8n(2^p) is checked against x squared p+3 times, and one
// combine with 512 MiB of zeros (checksummed 1 MiB at a time) against the
// CRC of the concatenation.
func TestCRC32CCombineLarge(t *testing.T) {
	x := uint32(1) << 30 // x^1
	for p := range 31 {
		want := x
		for range p + 3 {
			want = mulModP(want, want)
		}
		if got := xPow8n(1 << p); got != want {
			t.Errorf("xPow8n(1<<%d) = %08x, want %08x", p, got, want)
		}
	}
	zeros := make([]byte, 1<<20)
	a := []byte("a batch header")
	crcA := crc32.Checksum(a, crc32c)
	const n = 1 << 29
	crcB, want := uint32(0), crcA
	for range n / len(zeros) {
		crcB = crc32.Update(crcB, crc32c, zeros)
		want = crc32.Update(want, crc32c, zeros)
	}
	if got := crc32cCombine(crcA, crcB, n); got != want {
		t.Fatalf("combine with %d bytes: %08x, want %08x", n, got, want)
	}
}

// A batch of 512 MiB and more (its values external, 8 times the same 64
// MiB) gets the CRC the bulk path computes.
func TestRecordBatchRunningCRCLarge(t *testing.T) {
	val := make([]byte, 64<<20)
	val[0], val[len(val)-1] = 1, 2
	var bb RecordBatchBuilder
	bb.Begin(nil, ProducerBatchOptions())
	for i := range 8 {
		bb.AppendExternal(int64(i), nil, val, nil)
	}
	h, err := bb.Finish()
	if err != nil {
		t.Fatal(err)
	}
	got := binary.BigEndian.Uint32(h[offCRC:])
	if want := batchCRC(h, bb.Externals()); got != want {
		t.Fatalf("batch of %d bytes: CRC %08x, want %08x", len(h)+8*len(val), got, want)
	}
}
