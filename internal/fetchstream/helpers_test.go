package fetchstream

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"testing"

	"github.com/zeroalloc/kafka/wire"
)

// rec is one record as a test expects or reads it.
type rec struct {
	offset  int64
	key     []byte
	value   []byte
	headers []wire.RecordHeader
}

// sentinel follows every test frame on the stream: reading it after Drain
// proves the frame was consumed exactly.
var sentinel = []byte("NEXT-FRAME")

// batch encodes one record batch v2 of rs, whose offsets follow opts.BaseOffset.
func batch(t testing.TB, opts wire.BatchOptions, rs []rec) []byte {
	t.Helper()
	var b wire.RecordBatchBuilder
	b.Begin(nil, opts)
	for i := range rs {
		b.Append(1000+int64(i), rs[i].key, rs[i].value, rs[i].headers)
	}
	out, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// opts returns producer batch options at base with codec.
func opts(base int64, codec wire.Codec) wire.BatchOptions {
	o := wire.ProducerBatchOptions()
	o.BaseOffset, o.Codec = base, codec
	return o
}

// sample returns n records starting at offset base with a mix of null and
// empty keys and values and headers.
func sample(base int64, n int) []rec {
	rs := make([]rec, n)
	for i := range rs {
		s := strconv.Itoa(int(base) + i)
		r := rec{offset: base + int64(i), key: []byte("k" + s), value: []byte("value-" + s)}
		switch i % 4 {
		case 1:
			r.key, r.value = nil, []byte{}
		case 2:
			r.key, r.value = []byte{}, nil
		case 3:
			r.headers = []wire.RecordHeader{{Key: []byte("h"), Value: []byte("v" + s)}, {Key: []byte("null"), Value: nil}}
		}
		rs[i] = r
	}
	return rs
}

// partition describes the one partition of a test frame.
type partition struct {
	records    []byte
	errorCode  int16
	lso        int64
	aborted    []wire.FetchResponseAbortedTransaction
	hw         int64
	withLeader bool // v12+: a CurrentLeader tagged field after the records
}

// frame encodes a Fetch response body of version with one partition.
func frame(v int16, p partition) []byte {
	part := wire.FetchResponsePartition{
		PartitionIndex: 3, ErrorCode: p.errorCode, HighWatermark: p.hw,
		LastStableOffset: p.lso, LogStartOffset: 0, AbortedTransactions: p.aborted,
		PreferredReadReplica: -1, Records: p.records,
		DivergingEpoch: wire.FetchResponseEpochEndOffset{Epoch: -1, EndOffset: -1},
		CurrentLeader:  wire.NoLeader,
		SnapshotId:     wire.FetchResponseSnapshotId{EndOffset: -1, Epoch: -1},
	}
	if p.withLeader {
		part.CurrentLeader = wire.LeaderIdAndEpoch{LeaderId: 2, LeaderEpoch: 9}
	}
	m := wire.FetchResponse{ThrottleTimeMs: 5, Responses: []wire.FetchResponseTopic{{
		Topic: "topic", TopicId: wire.UUID{1, 2, 3}, Partitions: []wire.FetchResponsePartition{part},
	}}}
	if v >= 16 {
		m.NodeEndpoints = []wire.NodeEndpoint{{NodeId: 2, Host: "broker-2", Port: 9092}}
	}
	return m.AppendTo(nil, v)
}

// stream returns a bufio.Reader over body followed by the sentinel.
func stream(body []byte, size int) *bufio.Reader {
	all := append(append([]byte(nil), body...), sentinel...)
	return bufio.NewReaderSize(bytes.NewReader(all), size)
}

// readAll reads every record of body with r (see readFrom), checks the
// sentinel follows, and returns the records and the error that ended them
// (nil at io.EOF).
func readAll(t testing.TB, r *Reader, body []byte, v int16, fetchOffset int64, size int) ([]rec, error) {
	t.Helper()
	br := stream(body, size)
	out, err := readFrom(r, br, len(body), v, fetchOffset)
	if r.broken {
		t.Fatalf("Drain: %v", err)
	}
	rest, _ := io.ReadAll(br)
	if !bytes.Equal(rest, sentinel) {
		t.Fatalf("after Drain the stream holds %q, want the sentinel", rest)
	}
	return out, err
}

// readFrom reads a whole response body of size bytes from br (Begin, Next,
// AppendValue, Headers, Drain), which stays usable for the next response.
func readFrom(r *Reader, br *bufio.Reader, size int, v int16, from int64) ([]rec, error) {
	var out []rec
	err := r.Begin(br, size, v, from)
	for err == nil {
		var h Record
		if h, err = r.Next(); err != nil {
			break
		}
		g := rec{offset: h.Offset, key: clone(h.Key)}
		if h.ValueLen >= 0 {
			g.value = make([]byte, 0, h.ValueLen)
		}
		if g.value, err = r.AppendValue(g.value); err != nil {
			break
		}
		if len(g.value) != max(h.ValueLen, 0) {
			return out, fmt.Errorf("offset %d: value of %d bytes, ValueLen %d", h.Offset, len(g.value), h.ValueLen)
		}
		for _, hd := range r.Headers() {
			g.headers = append(g.headers, wire.RecordHeader{Key: clone(hd.Key), Value: clone(hd.Value)})
		}
		out = append(out, g)
	}
	if err == io.EOF {
		err = nil
	}
	if derr := r.Drain(); derr != nil {
		return out, derr
	}
	return out, err
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func sameBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

// checkRecs compares records read with those expected.
func checkRecs(t *testing.T, got, want []rec) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d: %v", len(got), len(want), offsets(got))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.offset != w.offset || !sameBytes(g.key, w.key) || !sameBytes(g.value, w.value) || len(g.headers) != len(w.headers) {
			t.Fatalf("record %d: got %d %q=%q (%d headers), want %d %q=%q (%d headers)", i, g.offset, g.key, g.value, len(g.headers), w.offset, w.key, w.value, len(w.headers))
		}
		for j := range w.headers {
			if !bytes.Equal(g.headers[j].Key, w.headers[j].Key) || !sameBytes(g.headers[j].Value, w.headers[j].Value) {
				t.Fatalf("record %d header %d: got %q, want %q", i, j, g.headers[j], w.headers[j])
			}
		}
	}
}

func offsets(rs []rec) []int64 {
	o := make([]int64, len(rs))
	for i := range rs {
		o[i] = rs[i].offset
	}
	return o
}

// fetchOnce reads every record of body from br (reset over src) with r,
// into dst with ReadValue or appending to msg with AppendValue.
func fetchOnce(tb testing.TB, r *Reader, br *bufio.Reader, src *bytes.Reader, body []byte, v int16, appendPath bool, dst, msg []byte) int {
	src.Reset(body)
	br.Reset(src)
	if err := r.Begin(br, len(body), v, 0); err != nil {
		tb.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if appendPath {
			msg, err = r.AppendValue(msg[:0])
		} else {
			_, err = r.ReadValue(dst)
		}
		if err != nil {
			tb.Fatal(err)
		}
		n++
	}
	if err := r.Drain(); err != nil {
		tb.Fatal(err)
	}
	return n
}

// streamBody returns a Fetch response of batches of 100-byte records with
// keys and a header, 1000 records in all.
func streamBody(tb testing.TB, v int16, codec wire.Codec) []byte {
	var recs []byte
	value := bytes.Repeat([]byte{'x'}, 100)
	for base := int64(0); base < 1000; base += 100 {
		rs := make([]rec, 100)
		for i := range rs {
			rs[i] = rec{key: []byte("key"), value: value, headers: []wire.RecordHeader{{Key: []byte("h"), Value: []byte("v")}}}
		}
		recs = append(recs, batch(tb, opts(base, codec), rs)...)
	}
	return frame(v, partition{records: recs, hw: 1000, lso: 1000})
}
