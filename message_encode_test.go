package kafka

import (
	"bytes"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/produce"
	"github.com/zeroalloc/kafka/wire"
)

func TestAppendProduceRequestMessages(t *testing.T) {
	t0 := time.UnixMilli(1_700_000_000_000)
	msgs := []Message{
		{Key: []byte("k"), Value: []byte("v"), Time: t0, Headers: []Header{{Key: "h1", Value: []byte("x")}, {Key: "h2"}},
			Topic: "ignored", Partition: 9, Offset: 77, WriterData: 1},
		{Value: []byte{}, Time: t0.Add(time.Millisecond)},
	}
	for _, c := range []CompressionCodec{nil, &gzipCodec, &snappyCodec, &lz4Codec, &zstdCodec} {
		codec, level, err := wireCodec(c)
		if err != nil {
			t.Fatal(err)
		}
		opts := wire.ProducerBatchOptions()
		opts.Codec, opts.Level = codec, level
		var e produce.Encoder
		body, err := appendProduceRequest(&e, nil, 11, wire.NullString{}, 1, 1000, "topic", 2, opts, msgs)
		if err != nil {
			t.Fatal(err)
		}
		var req wire.ProduceRequest
		if err := req.DecodeFrom(body, 11); err != nil {
			t.Fatal(err)
		}
		if req.TopicData[0].Name != "topic" || req.TopicData[0].PartitionData[0].Index != 2 {
			t.Fatalf("%v: request %+v", codec, req)
		}
		var it wire.RecordIter
		it.Reset(req.TopicData[0].PartitionData[0].Records)
		var got []Message
		for it.Next() {
			if it.Batch().Codec() != codec {
				t.Fatalf("batch codec %v, want %v", it.Batch().Codec(), codec)
			}
			r := it.Record()
			m := Message{Key: bytes.Clone(r.Key), Value: bytes.Clone(r.Value), Time: time.UnixMilli(r.Timestamp)}
			for h := r.Headers(); ; {
				k, v, ok := h.Next()
				if !ok {
					break
				}
				m.Headers = append(m.Headers, Header{Key: string(k), Value: bytes.Clone(v)})
			}
			got = append(got, m)
		}
		if it.Err() != nil || len(got) != 2 {
			t.Fatalf("%v: %d records, %v", codec, len(got), it.Err())
		}
		if string(got[0].Key) != "k" || string(got[0].Value) != "v" || !got[0].Time.Equal(t0) || len(got[0].Headers) != 2 ||
			got[0].Headers[0].Key != "h1" || string(got[0].Headers[0].Value) != "x" || got[0].Headers[1].Key != "h2" || got[0].Headers[1].Value != nil {
			t.Fatalf("%v: record 0 = %+v", codec, got[0])
		}
		if got[1].Key != nil || got[1].Value == nil || len(got[1].Value) != 0 || !got[1].Time.Equal(t0.Add(time.Millisecond)) {
			t.Fatalf("%v: record 1 = %+v", codec, got[1])
		}
	}
}

func TestWireCodec(t *testing.T) {
	for _, tc := range []struct {
		c     CompressionCodec
		codec wire.Codec
		level int
	}{
		{nil, wire.CodecNone, 0},
		{Gzip.Codec(), wire.CodecGzip, 0},
		{Snappy.Codec(), wire.CodecSnappy, 0},
		{Lz4.Codec(), wire.CodecLZ4, 0},
		{Zstd.Codec(), wire.CodecZstd, 0},
		{&gzipCodec9, wire.CodecGzip, 9},
		{&zstdCodec7, wire.CodecZstd, 7},
	} {
		codec, level, err := wireCodec(tc.c)
		if err != nil || codec != tc.codec || level != tc.level {
			t.Errorf("%v: %v %d %v, want %v %d", tc.c, codec, level, err, tc.codec, tc.level)
		}
	}
	if _, _, err := wireCodec(badCodec{}); err == nil {
		t.Error("code 9 accepted")
	}
}
