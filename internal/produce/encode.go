// Package produce encodes the Produce requests of the root package's Conn
// and Writer, one record batch per partition, built straight into the
// request buffer, and reads the per-partition results of Produce responses.
//
// The root package cannot be imported here (it imports this package), so
// the encoder is generic over the caller's message type M and reads it
// through a View: a zero-size type whose methods return a message's fields.
// An accessor type keeps the root Message free of extra exported methods,
// passes the caller's []Message as it is (no copy, no conversion into
// another slice), and costs no allocation: V's value is the zero value of a
// struct{} type and its methods are called directly through the generic
// dictionary, with no interface value and no closure.
package produce

import (
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// View reads the parts of a message of type M that its record needs. The
// returned slices are only read, during the AppendRequest call.
type View[M any] interface {
	// Record returns the message's timestamp (the zero Time means now),
	// key and value (nil is null) and number of headers.
	Record(m *M) (t time.Time, key, value []byte, numHeaders int)
	// Header returns the message's i-th header.
	Header(m *M, i int) (key string, value []byte)
}

// Encoder holds the reusable state of AppendRequest: the batch builder and
// the scratch that header conversion uses. Its zero value is ready; after
// warm-up, encoding allocates nothing. It is not safe for concurrent use.
type Encoder struct {
	b    wire.RecordBatchBuilder
	hdrs []wire.RecordHeader
	keys []byte // header keys copied by the purego build
}

// recordOverhead bounds the bytes a record adds beyond its key, value and
// header bytes (length, attributes, deltas and the lengths of key, value,
// headers), for the size hint only.
const recordOverhead = 16

// minZstdVersion is the first Produce version that may carry zstd batches
// (KIP-110).
const minZstdVersion = 7

// AppendRequest appends the body of a Produce request of version that
// writes msgs, in order, as one record batch to topic's partition, and
// returns the extended slice. opts are the batch's fields (codec, level,
// producer id, epoch, sequence, transactional); opts.Codec compresses the
// batch once, in place.
//
// Every record is encoded once, straight into dst. A message whose Time is
// zero gets the current time in milliseconds, read once per call. The
// messages' keys, values and headers are only read, and copied into dst;
// the caller may reuse them once the call returns. dst allocates only when
// its capacity is too small.
//
// On error dst is returned with its original length. The errors: no
// messages (wire.ErrEmptyBatch); zstd below version 7, which brokers reject
// (wire.UnsupportedCompressionType, as they would answer); a codec failure;
// a batch of 2 GiB or more.
func AppendRequest[M any, V View[M]](e *Encoder, dst []byte, version int16, transactionalID wire.NullString, acks int16, timeoutMs int32, topic string, partition int32, opts wire.BatchOptions, msgs []M) ([]byte, error) {
	var v V
	start := len(dst)
	if len(msgs) == 0 {
		return dst, wire.ErrEmptyBatch
	}
	if opts.Codec == wire.CodecZstd && version < minZstdVersion {
		return dst, wire.UnsupportedCompressionType
	}
	hint := wire.RecordBatchHeaderSize
	for i := range msgs {
		_, key, value, nh := v.Record(&msgs[i])
		hint += recordOverhead + len(key) + len(value)
		for j := range nh {
			k, hv := v.Header(&msgs[i], j)
			hint += 6 + len(k) + len(hv)
		}
	}
	dst = wire.AppendProduceRequestHead(dst, version, transactionalID, acks, timeoutMs, 1)
	dst = wire.AppendProduceTopicHead(dst, version, topic, 1)
	dst, mark := wire.AppendProducePartitionHead(dst, version, partition, hint)
	now := int64(-1)
	e.b.Begin(dst, opts)
	for i := range msgs {
		m := &msgs[i]
		t, key, value, nh := v.Record(m)
		var ts int64
		if t.IsZero() {
			if now < 0 {
				now = time.Now().UnixMilli()
			}
			ts = now
		} else {
			ts = t.UnixMilli()
		}
		hdrs := e.hdrs[:0]
		keys := e.keys[:0]
		for j := range nh {
			k, hv := v.Header(m, j)
			var kb []byte
			kb, keys = StringBytes(keys, k)
			hdrs = append(hdrs, wire.RecordHeader{Key: kb, Value: hv})
		}
		e.b.Append(ts, key, value, hdrs)
		clear(hdrs) // drop references to the caller's bytes
		e.hdrs, e.keys = hdrs[:0], keys[:0]
	}
	dst, err := e.b.Finish()
	if err != nil {
		return dst[:start], err
	}
	dst = wire.FinishProducePartition(dst, version, mark)
	dst = wire.AppendProduceTopicEnd(dst, version)
	return wire.AppendProduceRequestEnd(dst, version), nil
}
