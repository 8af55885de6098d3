package wire

import "testing"

func benchRecords1000() []testRecord {
	rs := make([]testRecord, 1000)
	val := testPayload(100, 7)
	for i := range rs {
		rs[i] = testRecord{ts: 1_700_000_000_000 + int64(i), key: []byte("key-000000"), value: val}
	}
	return rs
}

// BenchmarkRecordBuilder1000x100B encodes 1,000 records of a 10-byte key and
// a 100-byte value into a warm buffer; SetBytes counts the encoded batch.
func BenchmarkRecordBuilder1000x100B(b *testing.B) {
	rs := benchRecords1000()
	benchBuild(b, rs, CodecNone)
}

func benchBuild(b *testing.B, rs []testRecord, c Codec) {
	opts := ProducerBatchOptions()
	opts.Codec = c
	var bb RecordBatchBuilder
	buf := make([]byte, 0, 1<<20)
	size := 0
	for i := range rs {
		r := &rs[i]
		size += len(r.key) + len(r.value)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		bb.Begin(buf[:0], opts)
		for i := range rs {
			r := &rs[i]
			bb.Append(r.ts, r.key, r.value, r.headers)
		}
		var err error
		if buf, err = bb.Finish(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "batch-bytes")
}

// BenchmarkRecordIter1000x100B walks 1,000 records (10-byte key, 100-byte
// value) with CRC checks on.
func BenchmarkRecordIter1000x100B(b *testing.B) {
	benchIter(b, benchRecords1000(), CodecNone)
}

func benchIter(b *testing.B, rs []testRecord, c Codec) {
	opts := ProducerBatchOptions()
	opts.Codec = c
	buf := buildBatch(b, nil, opts, rs)
	size := 0
	for i := range rs {
		size += len(rs[i].key) + len(rs[i].value)
	}
	var it RecordIter
	b.SetBytes(int64(size))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		it.Reset(buf)
		for it.Next() {
			n += len(it.Record().Value)
		}
	}
	if it.Err() != nil || n == 0 {
		b.Fatal(it.Err())
	}
}

// BenchmarkRecordBuilderCodec and BenchmarkRecordIterCodec are the same
// 1,000 records per codec: compression included.
func BenchmarkRecordBuilderCodec(b *testing.B) {
	rs := benchRecords1000()
	for _, c := range allCodecs[1:] {
		b.Run(c.String(), func(b *testing.B) { benchBuild(b, rs, c) })
	}
}

func BenchmarkRecordIterCodec(b *testing.B) {
	rs := benchRecords1000()
	for _, c := range allCodecs[1:] {
		b.Run(c.String(), func(b *testing.B) { benchIter(b, rs, c) })
	}
}

// benchCodecInput is 128 KiB of the builder's record bytes: what a batch's
// records section looks like to a codec.
func benchCodecInput(b *testing.B) []byte {
	buf := buildBatch(b, nil, ProducerBatchOptions(), benchRecords1000())
	for len(buf) < 128<<10 {
		buf = append(buf, buf[RecordBatchHeaderSize:]...)
	}
	return buf[:128<<10]
}

func BenchmarkCompress(b *testing.B) {
	src := benchCodecInput(b)
	for _, c := range allCodecs[1:] {
		b.Run(c.String(), func(b *testing.B) {
			dst := make([]byte, 0, 2*len(src))
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			var err error
			for b.Loop() {
				if dst, err = CompressAppend(dst[:0], src, c, LevelDefault); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(src))/float64(len(dst)), "ratio")
		})
	}
}

func BenchmarkDecompress(b *testing.B) {
	src := benchCodecInput(b)
	for _, c := range allCodecs[1:] {
		b.Run(c.String(), func(b *testing.B) {
			comp, err := CompressAppend(nil, src, c, LevelDefault)
			if err != nil {
				b.Fatal(err)
			}
			dst := make([]byte, 0, len(src))
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if dst, err = DecompressAppend(dst[:0], comp, c, len(src)); err != nil {
					b.Fatal(err)
				}
			}
			if len(dst) != len(src) {
				b.Fatal("short output")
			}
		})
	}
}
