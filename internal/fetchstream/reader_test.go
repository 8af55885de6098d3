package fetchstream

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zeroalloc/kafka/internal/allocstest"
	"github.com/zeroalloc/kafka/pool"
	"github.com/zeroalloc/kafka/wire"
)

var (
	versions = []int16{4, 7, 11, 12, 13, 16, 17}
	codecs   = []wire.Codec{wire.CodecNone, wire.CodecGzip, wire.CodecSnappy, wire.CodecLZ4, wire.CodecZstd}
)

// TestGolden reads every Fetch response captured from the broker and
// compares the records with what wire.RecordIter finds in the same bytes.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("../../wire/testdata/golden/FetchResponse_v*_*.bin")
	if len(files) == 0 {
		t.Fatal("no golden Fetch frames")
	}
	var r Reader
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "FetchResponse_v"), ".bin")
		vs, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(vs)
		if err != nil {
			t.Fatal(err)
		}
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var m wire.FetchResponse
		if err := m.DecodeFrom(body, int16(v)); err != nil {
			t.Fatal(err)
		}
		p := &m.Responses[0].Partitions[0]
		var want []rec
		var it wire.RecordIter
		it.Reset(p.Records)
		for it.Next() {
			x := it.Record()
			want = append(want, rec{offset: x.Offset, key: clone(x.Key), value: clone(x.Value), headers: x.AppendHeaders(nil)})
		}
		got, err := readAll(t, &r, body, int16(v), 0, 4096)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(want) < 9 {
			t.Fatalf("%s: only %d records", file, len(want))
		}
		checkRecs(t, got, want)
		if r.HighWatermark() != p.HighWatermark || r.NextOffset() != want[len(want)-1].offset+1 || r.Truncated() {
			t.Fatalf("%s: high watermark %d, next offset %d, truncated %v", file, r.HighWatermark(), r.NextOffset(), r.Truncated())
		}
	}
}

// TestCodecsVersions reads several batches of every codec with every
// version, with small and large bufio buffers and the batch buffer pool.
func TestCodecsVersions(t *testing.T) {
	buffers := pool.NewBuffers(1 << 20)
	for _, v := range versions {
		for _, c := range codecs {
			var recs []byte
			var want []rec
			for base := int64(0); base < 30; base += 10 {
				rs := sample(base, 10)
				recs = append(recs, batch(t, opts(base, c), rs)...)
				want = append(want, rs...)
			}
			body := frame(v, partition{records: recs, hw: 30, lso: 30, withLeader: true})
			for _, size := range []int{MinBufferSize, 4096} {
				r := Reader{Buffers: buffers}
				got, err := readAll(t, &r, body, v, 0, size)
				if err != nil {
					t.Fatalf("v%d %v: %v", v, c, err)
				}
				checkRecs(t, got, want)
				if r.NextOffset() != 30 || r.HighWatermark() != 30 || r.ThrottleTimeMs() != 5 {
					t.Fatalf("v%d %v: next %d hw %d", v, c, r.NextOffset(), r.HighWatermark())
				}
			}
		}
	}
}

// TestTransactions reads aborted and committed transactions with both
// isolation levels, and stops at the last stable offset.
func TestTransactions(t *testing.T) {
	txn := func(base, pid int64, codec wire.Codec, n int) []byte {
		o := opts(base, codec)
		o.ProducerID, o.ProducerEpoch, o.BaseSequence, o.Transactional = pid, 0, 0, true
		return batch(t, o, sample(base, n))
	}
	marker := func(base, pid int64, ct wire.ControlType) []byte {
		o := opts(base, wire.CodecNone)
		o.ProducerID, o.ProducerEpoch, o.Transactional, o.Control = pid, 0, true, true
		return batch(t, o, []rec{{key: wire.AppendControlKey(nil, ct), value: wire.AppendEndTxnMarker(nil, 0)}})
	}
	for _, c := range []wire.Codec{wire.CodecNone, wire.CodecZstd} {
		var recs []byte
		recs = append(recs, txn(0, 7, c, 2)...)                    // 0-1 aborted
		recs = append(recs, txn(2, 8, c, 2)...)                    // 2-3 committed
		recs = append(recs, marker(4, 7, wire.ControlAbort)...)    // 4
		recs = append(recs, marker(5, 8, wire.ControlCommit)...)   // 5
		recs = append(recs, txn(6, 7, c, 1)...)                    // 6: a new transaction of 7, committed
		recs = append(recs, marker(7, 7, wire.ControlCommit)...)   // 7
		recs = append(recs, batch(t, opts(8, c), sample(8, 2))...) // 8-9 plain
		aborted := []wire.FetchResponseAbortedTransaction{{ProducerId: 7, FirstOffset: 0}}
		for _, tc := range []struct {
			committed bool
			lso       int64
			want      []int64
		}{
			{false, 10, []int64{0, 1, 2, 3, 6, 8, 9}},
			{true, 10, []int64{2, 3, 6, 8, 9}},
			{true, 6, []int64{2, 3}},
			{true, 9, []int64{2, 3, 6, 8}},
		} {
			for _, v := range []int16{4, 12} {
				body := frame(v, partition{records: recs, hw: 10, lso: tc.lso, aborted: aborted})
				r := Reader{ReadCommitted: tc.committed}
				got, err := readAll(t, &r, body, v, 0, 4096)
				if err != nil {
					t.Fatal(err)
				}
				if o := offsets(got); !equal(o, tc.want) {
					t.Fatalf("%v committed=%v lso=%d v%d: offsets %v, want %v", c, tc.committed, tc.lso, v, o, tc.want)
				}
				if r.NumAborted() != 1 {
					t.Fatalf("%d aborted transactions", r.NumAborted())
				}
			}
		}
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestTruncatedTail cuts the last batch short: the records before it are
// read, the tail is drained and NextOffset points at the cut batch.
func TestTruncatedTail(t *testing.T) {
	for _, c := range codecs {
		full := batch(t, opts(0, c), sample(0, 5))
		last := batch(t, opts(5, c), sample(5, 5))
		for _, cut := range []int{1, 16, 17, 40, 61, len(last) - 1} {
			recs := append(append([]byte(nil), full...), last[:cut]...)
			for _, v := range []int16{4, 17} {
				var r Reader
				got, err := readAll(t, &r, frame(v, partition{records: recs}), v, 0, 4096)
				if err != nil {
					t.Fatalf("%v cut %d: %v", c, cut, err)
				}
				checkRecs(t, got, sample(0, 5))
				if !r.Truncated() || r.NextOffset() != 5 {
					t.Fatalf("%v cut %d: truncated %v, next %d", c, cut, r.Truncated(), r.NextOffset())
				}
			}
		}
	}
}

// TestCRCMismatch corrupts a value of an uncompressed batch: its records
// are delivered as read, and the call after the last one reports the CRC.
func TestCRCMismatch(t *testing.T) {
	rs := sample(0, 4)
	b := batch(t, opts(0, wire.CodecNone), rs)
	i := bytes.Index(b, []byte("value-0"))
	b[i] = 'V'
	b = append(b, batch(t, opts(4, wire.CodecNone), sample(4, 2))...)
	var r Reader
	got, err := readAll(t, &r, frame(12, partition{records: b}), 12, 0, 4096)
	if !errors.Is(err, wire.ErrCorruptRecord) || !strings.Contains(err.Error(), "CRC") {
		t.Fatalf("err %v, want a CRC mismatch", err)
	}
	if len(got) != 4 || string(got[0].value) != "Value-0" {
		t.Fatalf("got %d records before the error", len(got))
	}
	if !errors.Is(r.Err(), wire.ErrCorruptRecord) {
		t.Fatalf("Err %v", r.Err())
	}
}

// TestFetchOffsetMidBatch starts in the middle of a batch, after a whole
// batch that precedes the fetch offset.
func TestFetchOffsetMidBatch(t *testing.T) {
	for _, c := range codecs {
		recs := append(batch(t, opts(0, c), sample(0, 5)), batch(t, opts(5, c), sample(5, 5))...)
		var r Reader
		got, err := readAll(t, &r, frame(11, partition{records: recs}), 11, 7, 4096)
		if err != nil {
			t.Fatal(err)
		}
		checkRecs(t, got, sample(5, 5)[2:])
		if r.NextOffset() != 10 {
			t.Fatalf("next %d", r.NextOffset())
		}
	}
}

// TestPartitionError returns the partition's Kafka error from Begin and
// still drains the frame.
func TestPartitionError(t *testing.T) {
	for _, v := range versions {
		var r Reader
		_, err := readAll(t, &r, frame(v, partition{errorCode: 1, hw: -1}), v, 0, 4096)
		if !errors.Is(err, wire.OffsetOutOfRange) {
			t.Fatalf("v%d: %v", v, err)
		}
	}
}

// TestNotOnePartition rejects a response with two partitions but drains it.
func TestNotOnePartition(t *testing.T) {
	m := wire.FetchResponse{Responses: []wire.FetchResponseTopic{{Topic: "t", Partitions: make([]wire.FetchResponsePartition, 2)}}}
	body := m.AppendTo(nil, 12)
	var r Reader
	if _, err := readAll(t, &r, body, 12, 0, 4096); !errors.Is(err, ErrNotOnePartition) {
		t.Fatal(err)
	}
}

// TestReadValueIntoCallerSlice reads values into the caller's slices:
// exact, short (io.ErrShortBuffer, the rest discarded) and a value larger
// than the bufio buffer, which goes from the reader straight into dst.
func TestReadValueIntoCallerSlice(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 10000)
	rs := []rec{{key: []byte("key-0"), value: []byte("hello")}, {value: []byte("truncate me")}, {value: big, headers: []wire.RecordHeader{{Key: []byte("k"), Value: []byte("v")}}}, {value: nil}}
	body := frame(17, partition{records: batch(t, opts(0, wire.CodecNone), rs)})
	br := stream(body, 4096)
	var r Reader
	if err := r.Begin(br, len(body), 17, 0); err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, len(big))
	for i, tc := range []struct {
		buf     int
		n       int
		wantErr error
	}{{5, 5, nil}, {4, 4, io.ErrShortBuffer}, {len(big), len(big), nil}, {10, 0, nil}} {
		h, err := r.Next()
		wantLen := len(rs[i].value)
		if rs[i].value == nil {
			wantLen = -1
		}
		if err != nil || h.Offset != int64(i) || h.ValueLen != wantLen {
			t.Fatalf("record %d: %+v %v", i, h, err)
		}
		n, err := r.ReadValue(dst[:tc.buf])
		if n != tc.n || err != tc.wantErr || !bytes.Equal(dst[:n], rs[i].value[:n]) {
			t.Fatalf("record %d: n %d err %v", i, n, err)
		}
		// The key stays valid after the value was consumed.
		if !sameBytes(h.Key, rs[i].key) {
			t.Fatalf("record %d: key %q after ReadValue", i, h.Key)
		}
		if i == 2 && (len(r.Headers()) != 1 || string(r.Headers()[0].Value) != "v") {
			t.Fatalf("headers %q", r.Headers())
		}
		if _, err := r.ReadValue(dst); err != ErrNoRecord {
			t.Fatalf("second ReadValue: %v", err)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatal(err)
	}
	if err := r.Drain(); err != nil {
		t.Fatal(err)
	}
}

// TestPrefixes feeds every prefix of frames that announce their full size:
// each must fail (never panic), and never with io.EOF.
func TestPrefixes(t *testing.T) {
	for _, c := range []wire.Codec{wire.CodecNone, wire.CodecLZ4} {
		for _, v := range []int16{4, 17} {
			body := frame(v, partition{records: append(batch(t, opts(0, c), sample(0, 4)), batch(t, opts(4, c), sample(4, 4))...), withLeader: true})
			for n := 0; n < len(body); n++ {
				var r Reader
				br := bufio.NewReaderSize(bytes.NewReader(body[:n]), 4096)
				err := r.Begin(br, len(body), v, 0)
				for err == nil {
					if _, err = r.Next(); err == nil {
						err = r.SkipValue()
					}
				}
				derr := r.Drain()
				if err == io.EOF && derr == nil {
					t.Fatalf("%v v%d prefix %d of %d: no error", c, v, n, len(body))
				}
			}
		}
	}
}

// TestHostile mutates frames at random: reading must never panic, and
// when no I/O error happened Drain must leave the stream at the sentinel.
func TestHostile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range codecs {
		for _, v := range []int16{4, 12} {
			orig := frame(v, partition{records: append(batch(t, opts(0, c), sample(0, 4)), batch(t, opts(4, c), sample(4, 4))...)})
			for i := 0; i < 300; i++ {
				body := append([]byte(nil), orig...)
				for k := 1 + rng.IntN(3); k > 0; k-- {
					body[rng.IntN(len(body))] = byte(rng.IntN(256))
				}
				br := stream(body, 256)
				r := Reader{DecompressLimit: 1 << 16}
				err := r.Begin(br, len(body), v, 0)
				for err == nil {
					if _, err = r.Next(); err == nil {
						_, err = r.AppendValue(nil)
					}
				}
				if r.Drain() != nil {
					continue
				}
				if rest, _ := io.ReadAll(br); !bytes.Equal(rest, sentinel) {
					t.Fatalf("%v v%d: stream holds %q after Drain (err %v)", c, v, rest, err)
				}
			}
		}
	}
}

// TestStreamOnly runs the tests again with every record read field by
// field from the stream, as records larger than the bufio buffer are.
func TestStreamOnly(t *testing.T) {
	streamOnly = true
	defer func() { streamOnly = false }()
	for _, tc := range []struct {
		name string
		f    func(*testing.T)
	}{
		{"Golden", TestGolden}, {"CodecsVersions", TestCodecsVersions}, {"Transactions", TestTransactions},
		{"TruncatedTail", TestTruncatedTail}, {"CRCMismatch", TestCRCMismatch}, {"FetchOffsetMidBatch", TestFetchOffsetMidBatch},
		{"ReadValueIntoCallerSlice", TestReadValueIntoCallerSlice}, {"Prefixes", TestPrefixes}, {"Hostile", TestHostile},
	} {
		t.Run(tc.name, tc.f)
	}
}

// legacyMessage encodes a magic 1 message (uncompressed).
func legacyMessage(offset int64, key, value []byte) []byte {
	body := []byte{1, 0}
	body = binary.BigEndian.AppendUint64(body, 1234)
	for _, b := range [][]byte{key, value} {
		if b == nil {
			body = binary.BigEndian.AppendUint32(body, 0xffffffff)
		} else {
			body = append(binary.BigEndian.AppendUint32(body, uint32(len(b))), b...)
		}
	}
	m := binary.BigEndian.AppendUint64(nil, uint64(offset))
	m = binary.BigEndian.AppendUint32(m, uint32(4+len(body)))
	m = binary.BigEndian.AppendUint32(m, crc32.ChecksumIEEE(body))
	return append(m, body...)
}

// TestLegacy reads a legacy message set (magic 1) followed by a batch v2,
// from a fetch offset in the middle of the messages.
func TestLegacy(t *testing.T) {
	var recs []byte
	var want []rec
	for i := int64(0); i < 4; i++ {
		r := rec{offset: i, key: []byte("k"), value: []byte("legacy-" + strconv.Itoa(int(i)))}
		if i == 2 {
			r.key = nil
		}
		recs = append(recs, legacyMessage(i, r.key, r.value)...)
		want = append(want, r)
	}
	recs = append(recs, batch(t, opts(4, wire.CodecNone), sample(4, 3))...)
	want = append(want, sample(4, 3)...)
	var r Reader
	got, err := readAll(t, &r, frame(4, partition{records: recs}), 4, 1, 4096)
	if err != nil {
		t.Fatal(err)
	}
	checkRecs(t, got, want[1:])
	bad := append([]byte(nil), recs...)
	bad[30] ^= 1 // inside the first message: its CRC-32 fails
	if _, err := readAll(t, &r, frame(4, partition{records: bad}), 4, 0, 4096); !errors.Is(err, wire.ErrCorruptRecord) {
		t.Fatalf("corrupt legacy message: %v", err)
	}
}

// TestDecompressLimit stops at a batch that decompresses beyond the limit.
func TestDecompressLimit(t *testing.T) {
	rs := []rec{{value: bytes.Repeat([]byte("z"), 10000)}}
	body := frame(12, partition{records: batch(t, opts(0, wire.CodecZstd), rs)})
	r := Reader{DecompressLimit: 1000}
	if _, err := readAll(t, &r, body, 12, 0, 4096); !errors.Is(err, wire.ErrDecompressLimit) {
		t.Fatalf("err %v", err)
	}
}

// FuzzReader reads arbitrary frames: never a panic, never an allocation
// beyond a multiple of the frame (allocstest.DecodeLimit), its decompressed
// output grown to twice DecompressLimit at most, and an lz4 block buffer;
// and when no I/O error occurred Drain leaves the stream right after the
// frame.
func FuzzReader(f *testing.F) {
	for _, c := range codecs {
		for _, v := range []int16{4, 12} {
			f.Add(frame(v, partition{records: append(batch(f, opts(0, c), sample(0, 3)), legacyMessage(3, nil, []byte("x"))...)}), v, false)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, v int16, committed bool) {
		br := stream(body, MinBufferSize)
		r := Reader{ReadCommitted: committed, DecompressLimit: 1 << 20}
		var err, drained error
		read := func() {
			err = r.Begin(br, len(body), v, 0)
			var dst [8]byte
			for err == nil {
				if _, err = r.Next(); err == nil {
					_, err = r.ReadValue(dst[:])
					if err == io.ErrShortBuffer {
						err = nil
					}
				}
			}
			drained = r.Drain()
		}
		most := allocstest.DecodeLimit(len(body)) + 2*uint64(r.DecompressLimit) + allocstest.LZ4Block
		if n := allocstest.Bytes(read); n > most {
			t.Fatalf("reading a frame of %d bytes allocated %d bytes, want at most %d", len(body), n, most)
		}
		if drained != nil {
			return
		}
		if rest, _ := io.ReadAll(br); !bytes.Equal(rest, sentinel) {
			t.Fatalf("stream holds %q after Drain (err %v)", rest, err)
		}
	})
}
