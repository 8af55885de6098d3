package produce

import (
	"bytes"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// tmsg stands for the root package's Message in these tests.
type tmsg struct {
	key, value []byte
	hdrs       []thdr
	t          time.Time
}

type thdr struct {
	k string
	v []byte
}

type tview struct{}

func (tview) Record(m *tmsg) (time.Time, []byte, []byte, int) {
	return m.t, m.key, m.value, len(m.hdrs)
}

func (tview) Header(m *tmsg, i int) (string, []byte) { return m.hdrs[i].k, m.hdrs[i].v }

var codecs = []wire.Codec{wire.CodecNone, wire.CodecGzip, wire.CodecSnappy, wire.CodecLZ4, wire.CodecZstd}

// sampleMessages covers null and empty keys and values, headers (null and
// empty values, empty keys), explicit and zero timestamps, and timestamps
// before the first one's.
func sampleMessages() []tmsg {
	t0 := time.UnixMilli(1_700_000_000_123)
	return []tmsg{
		{key: []byte("k0"), value: []byte("v0"), t: t0},
		{key: nil, value: []byte("null key")},
		{key: []byte{}, value: nil, t: t0.Add(-time.Second)},
		{key: []byte("empty value"), value: []byte{}, t: t0.Add(time.Hour)},
		{key: []byte("h"), value: bytes.Repeat([]byte("compressible "), 50), t: t0,
			hdrs: []thdr{{"a", []byte("1")}, {"", []byte{}}, {"null", nil}, {"ünï", []byte("x")}}},
		{key: nil, value: nil},
	}
}

// reference builds the same request with the builder and ProduceRequest.AppendTo.
func reference(t *testing.T, version int16, txn wire.NullString, topic string, partition int32, opts wire.BatchOptions, msgs []tmsg, now int64) []byte {
	var b wire.RecordBatchBuilder
	b.Begin(nil, opts)
	for _, m := range msgs {
		ts := now
		if !m.t.IsZero() {
			ts = m.t.UnixMilli()
		}
		var hs []wire.RecordHeader
		for _, h := range m.hdrs {
			hs = append(hs, wire.RecordHeader{Key: []byte(h.k), Value: h.v})
		}
		b.Append(ts, m.key, m.value, hs)
	}
	batch, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	req := wire.ProduceRequest{TransactionalId: txn, Acks: -1, TimeoutMs: 5000,
		TopicData: []wire.ProduceRequestTopic{{Name: topic, PartitionData: []wire.ProduceRequestPartition{{Index: partition, Records: batch}}}}}
	return req.AppendTo(nil, version)
}

func TestAppendRequestRoundTrip(t *testing.T) {
	msgs := sampleMessages()
	for v := wire.APIs[wire.KeyProduce].Min; v <= wire.APIs[wire.KeyProduce].Max; v++ {
		for _, c := range codecs {
			t.Run("v"+strconv.Itoa(int(v))+"/"+c.String(), func(t *testing.T) {
				opts := wire.ProducerBatchOptions()
				opts.Codec = c
				txn := wire.NewNullString("txn")
				if v%2 == 0 {
					txn = wire.NullString{}
				}
				var e Encoder
				prefix := []byte("prefix")
				before := time.Now().UnixMilli()
				got, err := AppendRequest[tmsg, tview](&e, prefix, v, txn, -1, 5000, "topic-a", 7, opts, msgs)
				after := time.Now().UnixMilli()
				if c == wire.CodecZstd && v < 7 {
					if err != wire.UnsupportedCompressionType || string(got) != "prefix" {
						t.Fatalf("zstd below v7: %q, %v", got, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got[:6], []byte("prefix")) {
					t.Fatal("prefix overwritten")
				}
				body := got[6:]
				var req wire.ProduceRequest
				if err := req.DecodeFrom(body, v); err != nil {
					t.Fatal(err)
				}
				if req.TransactionalId != txn || req.Acks != -1 || req.TimeoutMs != 5000 || len(req.TopicData) != 1 ||
					req.TopicData[0].Name != "topic-a" || len(req.TopicData[0].PartitionData) != 1 || req.TopicData[0].PartitionData[0].Index != 7 {
					t.Fatalf("request fields: %+v", req)
				}
				var it wire.RecordIter
				it.Reset(req.TopicData[0].PartitionData[0].Records)
				if !it.NextBatch() {
					t.Fatalf("no batch: %v", it.Err())
				}
				if b := it.Batch(); b.Codec() != c || int(b.NumRecords) != len(msgs) || b.ProducerID != -1 {
					t.Fatalf("batch header: %+v", *b)
				}
				var now int64 = -1
				for i := range msgs {
					if !it.NextRecord() {
						t.Fatalf("record %d missing: %v", i, it.Err())
					}
					r, m := it.Record(), &msgs[i]
					if r.Offset != int64(i) || !sameBytes(r.Key, m.key) || !sameBytes(r.Value, m.value) {
						t.Fatalf("record %d: offset %d key %q value %q", i, r.Offset, r.Key, r.Value)
					}
					if m.t.IsZero() {
						if r.Timestamp < before || r.Timestamp > after || now >= 0 && r.Timestamp != now {
							t.Fatalf("record %d: timestamp %d not now (%d..%d), or not one now per call", i, r.Timestamp, before, after)
						}
						now = r.Timestamp
					} else if r.Timestamp != m.t.UnixMilli() {
						t.Fatalf("record %d: timestamp %d, want %d", i, r.Timestamp, m.t.UnixMilli())
					}
					hs := r.AppendHeaders(nil)
					if len(hs) != len(m.hdrs) {
						t.Fatalf("record %d: %d headers, want %d", i, len(hs), len(m.hdrs))
					}
					for j, h := range hs {
						if string(h.Key) != m.hdrs[j].k || !sameBytes(h.Value, m.hdrs[j].v) {
							t.Fatalf("record %d header %d: %q=%q", i, j, h.Key, h.Value)
						}
					}
				}
				if it.NextRecord() || it.NextBatch() || it.Err() != nil {
					t.Fatalf("extra records or error: %v", it.Err())
				}
				// The streaming encoding equals the codec's for the same batch.
				if want := reference(t, v, txn, "topic-a", 7, opts, msgs, now); !bytes.Equal(body, want) {
					t.Fatalf("differs from ProduceRequest.AppendTo:\n got %x\nwant %x", body, want)
				}
				// A reused encoder gives the same bytes (zero-time records aside).
				again, err := AppendRequest[tmsg, tview](&e, nil, v, txn, -1, 5000, "topic-a", 7, opts, msgs[:1])
				if err != nil {
					t.Fatal(err)
				}
				if want := reference(t, v, txn, "topic-a", 7, opts, msgs[:1], 0); !bytes.Equal(again, want) {
					t.Fatal("reused encoder differs")
				}
			})
		}
	}
}

// sameBytes compares with null and empty kept apart.
func sameBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func TestAppendRequestSizeHintWidths(t *testing.T) {
	// Batches around the uvarint width boundaries (127 B, 16 KiB) in a
	// flexible version, compressed (the hint overestimates) or not.
	for _, n := range []int{1, 2, 100, 150, 16 << 10, 20 << 10} {
		for _, c := range []wire.Codec{wire.CodecNone, wire.CodecZstd} {
			msgs := []tmsg{{value: bytes.Repeat([]byte{'x'}, n), t: time.UnixMilli(1)}}
			opts := wire.ProducerBatchOptions()
			opts.Codec = c
			var e Encoder
			got, err := AppendRequest[tmsg, tview](&e, nil, 11, wire.NullString{}, -1, 5000, "t", 0, opts, msgs)
			if err != nil {
				t.Fatal(err)
			}
			if want := reference(t, 11, wire.NullString{}, "t", 0, opts, msgs, 0); !bytes.Equal(got, want) {
				t.Fatalf("%d bytes %v: differs from AppendTo", n, c)
			}
		}
	}
}

func TestAppendRequestErrors(t *testing.T) {
	var e Encoder
	dst := []byte("keep")
	got, err := AppendRequest[tmsg, tview](&e, dst, 11, wire.NullString{}, 1, 100, "t", 0, wire.ProducerBatchOptions(), nil)
	if !errors.Is(err, wire.ErrEmptyBatch) || string(got) != "keep" {
		t.Fatalf("no messages: %q, %v", got, err)
	}
	opts := wire.ProducerBatchOptions()
	opts.Codec = 6
	got, err = AppendRequest[tmsg, tview](&e, dst, 11, wire.NullString{}, 1, 100, "t", 0, opts, sampleMessages())
	if !errors.Is(err, wire.ErrUnknownCodec) || string(got) != "keep" {
		t.Fatalf("bad codec: %q, %v", got, err)
	}
}

func TestPartitionResult(t *testing.T) {
	resp := &wire.ProduceResponse{Responses: []wire.ProduceResponseTopic{
		{Name: "other", PartitionResponses: []wire.ProduceResponsePartition{{Index: 0, BaseOffset: 99}}},
		{Name: "t", PartitionResponses: []wire.ProduceResponsePartition{
			{Index: 0, BaseOffset: 42, LogAppendTimeMs: -1, LogStartOffset: 3},
			{Index: 1, ErrorCode: int16(wire.InvalidRecord), BaseOffset: -1, ErrorMessage: wire.NewNullString("bad batch"),
				RecordErrors: []wire.ProduceResponseRecordError{{BatchIndex: 2, BatchIndexErrorMessage: wire.NewNullString("null key")}, {BatchIndex: 5}}},
			{Index: 2, ErrorCode: int16(wire.NotLeaderOrFollower), BaseOffset: -1},
		}},
	}}
	if r := PartitionResult(resp, "t", 0); r.Err != nil || r.BaseOffset != 42 || r.LogStartOffset != 3 || r.LogAppendTimeMs != -1 {
		t.Fatalf("partition 0: %+v", r)
	}
	r := PartitionResult(resp, "t", 1)
	var re *RecordsError
	if !errors.As(r.Err, &re) || !errors.Is(r.Err, wire.InvalidRecord) || len(re.Records) != 2 ||
		re.Records[0] != (RecordFailure{Index: 2, Message: "null key"}) || re.Records[1] != (RecordFailure{Index: 5}) {
		t.Fatalf("partition 1: %+v", r.Err)
	}
	var wm *wire.ErrorWithMessage
	if !errors.As(r.Err, &wm) || wm.Msg != "bad batch" {
		t.Fatalf("partition 1 lost the broker's message: %v", r.Err)
	}
	if r := PartitionResult(resp, "t", 2); r.Err != wire.NotLeaderOrFollower || !wire.NotLeaderOrFollower.Retriable() {
		t.Fatalf("partition 2: %v", r.Err)
	}
	if r := PartitionResult(resp, "t", 3); r.Err != ErrNoPartition {
		t.Fatalf("missing partition: %v", r.Err)
	}
}
