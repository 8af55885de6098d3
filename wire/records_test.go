package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"strconv"
	"testing"
)

type testRecord struct {
	ts         int64
	key, value []byte
	headers    []RecordHeader
}

// testRecords makes n records covering null and empty keys and values,
// headers with null and empty values, and timestamps that go backwards.
func testRecords(n int) []testRecord {
	rs := make([]testRecord, n)
	for i := range rs {
		r := &rs[i]
		r.ts = 1_700_000_000_000 + int64(i*7%13) - 5
		switch i % 4 {
		case 0:
			r.key = []byte("key-" + strconv.Itoa(i))
		case 1:
			r.key = []byte{}
		case 2:
			r.key = nil
		case 3:
			r.key = bytes.Repeat([]byte{byte(i)}, 200)
		}
		switch i % 3 {
		case 0:
			r.value = []byte("value " + strconv.Itoa(i))
		case 1:
			r.value = nil
		case 2:
			r.value = []byte{}
		}
		for h := 0; h < i%4; h++ {
			hd := RecordHeader{Key: []byte("h" + strconv.Itoa(h))}
			if h != 1 {
				hd.Value = []byte("hv" + strconv.Itoa(i))
			}
			if h == 2 {
				hd.Key, hd.Value = []byte{}, []byte{}
			}
			r.headers = append(r.headers, hd)
		}
	}
	return rs
}

func buildBatch(t testing.TB, dst []byte, opts BatchOptions, rs []testRecord) []byte {
	t.Helper()
	var b RecordBatchBuilder
	b.Begin(dst, opts)
	for _, r := range rs {
		want := b.Size() + b.RecordSize(r.ts, r.key, r.value, r.headers)
		b.Append(r.ts, r.key, r.value, r.headers)
		if b.Size() != want {
			t.Fatalf("RecordSize predicted %d, Append made %d", want, b.Size())
		}
	}
	out, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameBytes compares with null-ness: nil and empty differ.
func sameBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func checkRecords(t *testing.T, it *RecordIter, base int64, rs []testRecord) {
	t.Helper()
	var hs []RecordHeader
	for i, want := range rs {
		if !it.NextRecord() {
			t.Fatalf("record %d missing: %v", i, it.Err())
		}
		r := it.Record()
		if r.Offset != base+int64(i) || r.Timestamp != want.ts {
			t.Fatalf("record %d: offset %d ts %d, want %d %d", i, r.Offset, r.Timestamp, base+int64(i), want.ts)
		}
		if !sameBytes(r.Key, want.key) || !sameBytes(r.Value, want.value) {
			t.Fatalf("record %d: key %q value %q, want %q %q", i, r.Key, r.Value, want.key, want.value)
		}
		hs = r.AppendHeaders(hs[:0])
		if len(hs) != len(want.headers) || r.NumHeaders != len(want.headers) {
			t.Fatalf("record %d: %d headers, want %d", i, len(hs), len(want.headers))
		}
		for j, h := range hs {
			if !bytes.Equal(h.Key, want.headers[j].Key) || !sameBytes(h.Value, want.headers[j].Value) {
				t.Fatalf("record %d header %d: %q=%q", i, j, h.Key, h.Value)
			}
		}
	}
	if it.NextRecord() {
		t.Fatal("extra record")
	}
}

func TestRecordBatchRoundTrip(t *testing.T) {
	rs := testRecords(50)
	for _, c := range allCodecs {
		opts := ProducerBatchOptions()
		opts.Codec = c
		prefix := []byte("produce request bytes before the batch")
		buf := buildBatch(t, append([]byte(nil), prefix...), opts, rs)
		if !bytes.Equal(buf[:len(prefix)], prefix) {
			t.Fatalf("%v: prefix overwritten", c)
		}
		// A second batch right after the first, with other fields.
		o2 := opts
		o2.BaseOffset, o2.ProducerID, o2.ProducerEpoch, o2.BaseSequence = 1000, 77, 2, 500
		o2.Transactional, o2.PartitionLeaderEpoch = true, 9
		buf = buildBatch(t, buf, o2, rs[:3])

		var it RecordIter
		it.Reset(buf[len(prefix):])
		if !it.NextBatch() {
			t.Fatalf("%v: no batch: %v", c, it.Err())
		}
		b := it.Batch()
		var minTS, maxTS int64 = rs[0].ts, rs[0].ts
		for _, r := range rs {
			maxTS = max(maxTS, r.ts)
			minTS = min(minTS, r.ts)
		}
		if b.Codec() != c || b.NumRecords != 50 || b.LastOffsetDelta != 49 || b.BaseTimestamp != rs[0].ts ||
			b.MaxTimestamp != maxTS || b.ProducerID != -1 || b.Transactional() || b.Control() || b.Magic != 2 {
			t.Fatalf("%v: batch header %+v", c, *b)
		}
		checkRecords(t, &it, 0, rs)
		if !it.NextBatch() {
			t.Fatalf("%v: no second batch: %v", c, it.Err())
		}
		b = it.Batch()
		if b.BaseOffset != 1000 || b.ProducerID != 77 || b.ProducerEpoch != 2 || b.BaseSequence != 500 ||
			!b.Transactional() || b.PartitionLeaderEpoch != 9 || b.LastOffset() != 1002 {
			t.Fatalf("%v: second batch header %+v", c, *b)
		}
		checkRecords(t, &it, 1000, rs[:3])
		if it.NextBatch() || it.Err() != nil || it.Truncated() {
			t.Fatalf("%v: end: err %v truncated %v", c, it.Err(), it.Truncated())
		}
	}
}

func TestRecordIterFlatNext(t *testing.T) {
	rs := testRecords(5)
	buf := buildBatch(t, nil, ProducerBatchOptions(), rs)
	opts := ProducerBatchOptions()
	opts.BaseOffset = 5
	buf = buildBatch(t, buf, opts, rs)
	var it RecordIter
	it.Reset(buf)
	n := 0
	for it.Next() {
		if it.Record().Offset != int64(n) || !sameBytes(it.Record().Key, rs[n%5].key) {
			t.Fatalf("record %d: offset %d", n, it.Record().Offset)
		}
		n++
	}
	if n != 10 || it.Err() != nil {
		t.Fatalf("%d records, err %v", n, it.Err())
	}
}

// TestRecordBatchGolden assembles a batch byte by byte from the protocol
// description and checks that the builder reproduces it exactly.
func TestRecordBatchGolden(t *testing.T) {
	var recs []byte
	record := func(tsDelta int64, offDelta int, key, value []byte, hk, hv []byte) {
		var body []byte
		body = append(body, 0) // attributes
		body = binary.AppendVarint(body, tsDelta)
		body = binary.AppendVarint(body, int64(offDelta))
		for _, b := range [][]byte{key, value} {
			if b == nil {
				body = binary.AppendVarint(body, -1)
			} else {
				body = binary.AppendVarint(body, int64(len(b)))
				body = append(body, b...)
			}
		}
		if hk == nil {
			body = binary.AppendVarint(body, 0)
		} else {
			body = binary.AppendVarint(body, 1)
			body = binary.AppendVarint(body, int64(len(hk)))
			body = append(body, hk...)
			body = binary.AppendVarint(body, int64(len(hv)))
			body = append(body, hv...)
		}
		recs = binary.AppendVarint(recs, int64(len(body)))
		recs = append(recs, body...)
	}
	record(0, 0, []byte("k1"), []byte("v1"), []byte("h"), []byte("x"))
	record(5, 1, nil, []byte{}, nil, nil)
	record(-2, 2, []byte{}, nil, nil, nil)

	var want []byte
	be := binary.BigEndian
	want = be.AppendUint64(want, 0)                    // base offset
	want = be.AppendUint32(want, uint32(49+len(recs))) // batch length
	want = be.AppendUint32(want, 0xffffffff)           // leader epoch -1
	want = append(want, 2)                             // magic
	want = be.AppendUint32(want, 0)                    // crc, below
	want = be.AppendUint16(want, 0x10)                 // transactional
	want = be.AppendUint32(want, 2)                    // last offset delta
	want = be.AppendUint64(want, 1000)                 // base timestamp
	want = be.AppendUint64(want, 1005)                 // max timestamp
	want = be.AppendUint64(want, 42)                   // producer id
	want = be.AppendUint16(want, 3)                    // epoch
	want = be.AppendUint32(want, 7)                    // base sequence
	want = be.AppendUint32(want, 3)                    // count
	want = append(want, recs...)
	be.PutUint32(want[17:], crc32.Checksum(want[21:], crc32.MakeTable(crc32.Castagnoli)))

	opts := BatchOptions{PartitionLeaderEpoch: -1, ProducerID: 42, ProducerEpoch: 3, BaseSequence: 7, Transactional: true}
	got := buildBatch(t, nil, opts, []testRecord{
		{ts: 1000, key: []byte("k1"), value: []byte("v1"), headers: []RecordHeader{{Key: []byte("h"), Value: []byte("x")}}},
		{ts: 1005, value: []byte{}},
		{ts: 998, key: []byte{}},
	})
	if !bytes.Equal(got, want) {
		t.Fatalf("builder bytes differ\n got % x\nwant % x", got, want)
	}
}

func TestSetBatchProducer(t *testing.T) {
	rs := testRecords(20)
	for _, c := range allCodecs {
		opts := ProducerBatchOptions()
		opts.Codec, opts.ProducerID, opts.ProducerEpoch, opts.BaseSequence = c, 5, 1, 100
		buf := buildBatch(t, []byte("xx"), opts, rs)
		if err := SetBatchProducer(buf[2:], 5, 2, 0); err != nil {
			t.Fatal(err)
		}
		// Building with the new values gives the same bytes.
		opts.ProducerEpoch, opts.BaseSequence = 2, 0
		if want := buildBatch(t, []byte("xx"), opts, rs); !bytes.Equal(buf, want) {
			t.Fatalf("%v: patched batch differs from a batch built with the new values", c)
		}
		var it RecordIter
		it.Reset(buf[2:])
		if !it.NextBatch() || it.Batch().ProducerEpoch != 2 || it.Batch().BaseSequence != 0 {
			t.Fatalf("%v: patched batch: %v %+v", c, it.Err(), *it.Batch())
		}
		if err := SetBatchProducer(buf[2:len(buf)-1], 1, 1, 1); !errors.Is(err, ErrCorruptRecord) {
			t.Fatalf("%v: a partial batch was patched: %v", c, err)
		}
	}
}

func TestControlBatch(t *testing.T) {
	opts := ProducerBatchOptions()
	opts.ProducerID, opts.ProducerEpoch, opts.Transactional, opts.Control = 9, 1, true, true
	opts.BaseOffset = 40
	buf := buildBatch(t, nil, opts, []testRecord{{ts: 5, key: AppendControlKey(nil, ControlCommit), value: AppendEndTxnMarker(nil, 3)}})
	opts.BaseOffset = 41
	buf = buildBatch(t, buf, opts, []testRecord{{ts: 6, key: AppendControlKey(nil, ControlAbort), value: AppendEndTxnMarker(nil, 3)}})
	var it RecordIter
	it.Reset(buf)
	for _, want := range []ControlType{ControlCommit, ControlAbort} {
		if !it.NextBatch() || !it.NextRecord() {
			t.Fatal(it.Err())
		}
		b := it.Batch()
		if !b.Control() || !b.Transactional() || b.ProducerID != 9 {
			t.Fatalf("header %+v", *b)
		}
		typ, err := ParseControlKey(it.Record().Key)
		if err != nil || typ != want {
			t.Fatalf("control type %d (%v), want %d", typ, err, want)
		}
	}
	if _, err := ParseControlKey([]byte{0, 0, 1}); !errors.Is(err, ErrCorruptRecord) {
		t.Fatalf("short control key: %v", err)
	}
	if _, err := ParseControlKey([]byte{0xff, 0xff, 0, 1}); !errors.Is(err, ErrCorruptRecord) {
		t.Fatalf("negative control key version: %v", err)
	}
}

func TestLogAppendTime(t *testing.T) {
	opts := ProducerBatchOptions()
	opts.LogAppendTime = true
	buf := buildBatch(t, nil, opts, []testRecord{{ts: 10}, {ts: 30}, {ts: 20}})
	var it RecordIter
	it.Reset(buf)
	for it.Next() {
		if it.Record().Timestamp != 30 {
			t.Fatalf("log-append-time record has timestamp %d, want the max 30", it.Record().Timestamp)
		}
	}
	if !it.Batch().LogAppendTime() {
		t.Fatal("LogAppendTime not set")
	}
}

func TestEmptyBatch(t *testing.T) {
	var b RecordBatchBuilder
	b.Begin([]byte("abc"), ProducerBatchOptions())
	out, err := b.Finish()
	if !errors.Is(err, ErrEmptyBatch) || string(out) != "abc" {
		t.Fatalf("empty batch: %q %v", out, err)
	}
}

func TestRecordIterCRCMismatch(t *testing.T) {
	buf := buildBatch(t, nil, ProducerBatchOptions(), testRecords(3))
	buf[len(buf)-1] ^= 1
	var it RecordIter
	it.Reset(buf)
	if it.NextBatch() {
		t.Fatal("corrupt batch accepted")
	}
	var re *RecordError
	if !errors.Is(it.Err(), ErrCorruptRecord) || !errors.As(it.Err(), &re) || re.BaseOffset != 0 {
		t.Fatalf("err %v", it.Err())
	}
	it.SkipCRC = true
	it.Reset(buf)
	if !it.NextBatch() {
		t.Fatalf("SkipCRC: %v", it.Err())
	}
}

func TestRecordIterDecompressLimit(t *testing.T) {
	opts := ProducerBatchOptions()
	opts.Codec = CodecZstd
	buf := buildBatch(t, nil, opts, []testRecord{{ts: 1, value: make([]byte, 100000)}})
	var it RecordIter
	it.DecompressLimit = 50000
	it.Reset(buf)
	if it.NextBatch() || !errors.Is(it.Err(), ErrDecompressLimit) || errors.Is(it.Err(), ErrCorruptRecord) {
		t.Fatalf("over the limit: %v", it.Err())
	}
	it.DecompressLimit = 200000
	it.Reset(buf)
	if !it.Next() || len(it.Record().Value) != 100000 {
		t.Fatalf("under the limit: %v", it.Err())
	}
}

// TestRecordIterTruncated cuts a two-batch set at every length: a cut inside
// the second batch yields the first batch and ends without error.
func TestRecordIterTruncated(t *testing.T) {
	rs := testRecords(4)
	for _, c := range []Codec{CodecNone, CodecLZ4} {
		opts := ProducerBatchOptions()
		opts.Codec = c
		one := buildBatch(t, nil, opts, rs)
		two := buildBatch(t, append([]byte(nil), one...), opts, rs)
		for cut := 0; cut < len(two); cut++ {
			var it RecordIter
			it.Reset(two[:cut])
			n := 0
			for it.Next() {
				n++
			}
			wantN := 0
			if cut >= len(one) {
				wantN = len(rs)
			}
			if it.Err() != nil || n != wantN || it.Truncated() != (cut != 0 && cut != len(one)) {
				t.Fatalf("%v cut %d: %d records, truncated %v, err %v", c, cut, n, it.Truncated(), it.Err())
			}
		}
	}
}

// TestRecordIterCorruptNoPanic damages record bytes (with CRC checks off, so
// that the record parser sees them) and checks that iteration ends with an
// error or valid records, never a panic.
func TestRecordIterCorruptNoPanic(t *testing.T) {
	base := buildBatch(t, nil, ProducerBatchOptions(), testRecords(12))
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, len(base))
	var it RecordIter
	it.SkipCRC = true
	errs := 0
	for i := 0; i < 20000; i++ {
		copy(buf, base)
		for j := 0; j < 1+i%3; j++ {
			p := RecordBatchHeaderSize + rng.IntN(len(buf)-RecordBatchHeaderSize)
			buf[p] = byte(rng.Uint32())
		}
		it.Reset(buf)
		for it.Next() {
			_ = it.Record().AppendHeaders(nil)
		}
		if it.Err() != nil {
			if !errors.Is(it.Err(), ErrCorruptRecord) {
				t.Fatalf("error %v does not match ErrCorruptRecord", it.Err())
			}
			errs++
		}
	}
	if errs == 0 {
		t.Fatal("no damage was detected")
	}
	// Header damage: lengths, counts and magic.
	for _, c := range []struct {
		off int
		val []byte
	}{
		{offBatchLength, []byte{0, 0, 0, 10}},
		{offBatchLength, []byte{0xff, 0xff, 0xff, 0xff}},
		{offMagic, []byte{7}},
		{offRecordCount, []byte{0xff, 0, 0, 0}},
		{offRecordCount, []byte{0, 0, 0, 11}},
		{offRecordCount, []byte{0, 0, 0, 13}},
		{offAttributes, []byte{0, 6}},
	} {
		copy(buf, base)
		copy(buf[c.off:], c.val)
		it.Reset(buf)
		for it.Next() {
		}
		if !errors.Is(it.Err(), ErrCorruptRecord) {
			t.Fatalf("damage % x at %d: err %v", c.val, c.off, it.Err())
		}
	}
}
