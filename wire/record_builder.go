package wire

import (
	"encoding/binary"
	"math"
	"slices"
)

// BatchOptions are the batch-level fields of a record batch being built.
type BatchOptions struct {
	// Codec compresses the records section at Finish; Level is passed to
	// CompressAppend (LevelDefault for the codec's default).
	Codec Codec
	Level int
	// BaseOffset is 0 for a producer (the broker assigns offsets).
	BaseOffset int64
	// PartitionLeaderEpoch is -1 for a producer.
	PartitionLeaderEpoch int32
	// ProducerID, ProducerEpoch and BaseSequence are -1 for a producer that
	// is not idempotent. SetBatchProducer changes them after Finish.
	ProducerID    int64
	ProducerEpoch int16
	BaseSequence  int32
	// Transactional marks a batch of a transactional producer.
	Transactional bool
	// Control marks a batch of control records (brokers write these).
	Control bool
	// LogAppendTime sets the timestamp type to the broker's append time
	// (brokers write these; producers send create time).
	LogAppendTime bool
}

// ProducerBatchOptions returns the options of a plain producer batch:
// uncompressed, no producer id, epoch or sequence, no leader epoch.
func ProducerBatchOptions() BatchOptions {
	return BatchOptions{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}
}

// RecordBatchBuilder encodes one record batch v2 straight into a caller's
// buffer, each record once: Begin reserves the 61-byte header at the end of
// the caller's slice, Append appends each record with its length computed
// up front, and Finish compresses the records section (once, when a codec is
// set) and backfills the header and CRC-32C. The buffer can be a Produce
// request being encoded: the caller appends whatever precedes the batch,
// calls Begin, and appends whatever follows after Finish.
//
// A builder is reused batch after batch; it allocates only when the buffer
// must grow. Its zero value is ready for Begin. It is not safe for
// concurrent use.
type RecordBatchBuilder struct {
	buf           []byte
	start         int
	ext           []External
	extLen        int
	opts          BatchOptions
	count         int32
	baseTimestamp int64
	maxTimestamp  int64
	// Without a codec the records section's CRC-32C is computed as it
	// grows, crcChunk bytes at a time while they are still in cache (a
	// finished batch of a megabyte is not: read again at Finish it ran at
	// 8.7 GB/s against 22 in cache), and Finish combines it with the
	// header's (crc32cCombine). crc covers buf[start+header:crcAt], the
	// external values in it included.
	crc   uint32
	crcAt int
}

// crcChunk is how many appended bytes wait before the running CRC takes
// them: a chunk is still in the L1 or L2 cache, and long enough for the
// three-way CRC loop of hash/crc32.
const crcChunk = 16 << 10

// Begin starts a batch at the end of dst (at offset len(dst)), appending a
// placeholder header. The builder keeps dst and appends to it until Finish
// hands it back; the caller must not use dst meanwhile.
func (b *RecordBatchBuilder) Begin(dst []byte, opts BatchOptions) {
	b.start = len(dst)
	b.opts = opts
	clear(b.ext) // drop references to earlier owners' bytes
	b.ext, b.extLen = b.ext[:0], 0
	b.count = 0
	b.baseTimestamp, b.maxTimestamp = -1, -1
	dst = slices.Grow(dst, RecordBatchHeaderSize)
	b.buf = dst[:len(dst)+RecordBatchHeaderSize]
	b.crc, b.crcAt = 0, len(b.buf)
}

// SetProducer sets the producer id, epoch and base sequence that Finish
// writes: an idempotent producer assigns sequences when it closes a batch,
// after its records were appended.
func (b *RecordBatchBuilder) SetProducer(producerID int64, producerEpoch int16, baseSequence int32) {
	b.opts.ProducerID, b.opts.ProducerEpoch, b.opts.BaseSequence = producerID, producerEpoch, baseSequence
}

// NumRecords returns how many records have been appended since Begin.
func (b *RecordBatchBuilder) NumRecords() int { return int(b.count) }

// Size returns the batch's size so far, uncompressed, header included,
// external values included.
func (b *RecordBatchBuilder) Size() int { return len(b.buf) - b.start + b.extLen }

// RecordSize returns how many bytes Append would add for this record (the
// length prefix included), so that a producer can decide whether it still
// fits a batch or request size limit before appending it.
func (b *RecordBatchBuilder) RecordSize(timestamp int64, key, value []byte, headers []RecordHeader) int {
	tsDelta := int64(0)
	if b.count > 0 {
		tsDelta = timestamp - b.baseTimestamp
	}
	body := recordBodySize(tsDelta, b.count, key, value, headers)
	return VarintLen(int32(body)) + body
}

// recordBodySize is the size of a record after its length prefix.
func recordBodySize(tsDelta int64, offsetDelta int32, key, value []byte, headers []RecordHeader) int {
	n := 1 + VarlongLen(tsDelta) + VarintLen(offsetDelta) +
		nullableVarBytesSize(key) + nullableVarBytesSize(value) + VarintLen(int32(len(headers)))
	for i := range headers {
		h := &headers[i]
		n += VarintLen(int32(len(h.Key))) + len(h.Key) + nullableVarBytesSize(h.Value)
	}
	return n
}

func nullableVarBytesSize(b []byte) int {
	if b == nil {
		return 1
	}
	return VarintLen(int32(len(b))) + len(b)
}

// appendNullableVarBytes appends b with a zigzag varint length, -1 for nil.
func appendNullableVarBytes(dst, b []byte) []byte {
	if b == nil {
		return append(dst, 1) // zigzag(-1)
	}
	dst = AppendVarint(dst, int32(len(b)))
	return append(dst, b...)
}

// Append appends one record with offset delta NumRecords(). key and value
// may be nil (null); headers may be nil. All bytes are copied into the
// buffer; the caller keeps ownership of its slices. The first record's
// timestamp becomes the batch's base timestamp (later ones may be smaller).
func (b *RecordBatchBuilder) Append(timestamp int64, key, value []byte, headers []RecordHeader) {
	b.appendRecord(timestamp, key, value, headers, false)
}

// External is a run of a batch's bytes that stays in its owner's memory:
// it belongs at offset At of the batch (as Finish returns it, counting from
// the batch's start, not from the caller's dst), before the bytes there.
type External struct {
	At int
	B  []byte
}

// AppendExternal is Append without copying value (not nil): the record's
// value stays in the caller's memory and is listed by Externals, for a
// vectored write to send in place. value must not change, nor be reused,
// until the batch has been sent for the last time. A batch with external
// values cannot be compressed (Finish fails).
func (b *RecordBatchBuilder) AppendExternal(timestamp int64, key, value []byte, headers []RecordHeader) {
	b.appendRecord(timestamp, key, value, headers, true)
}

// Release drops the builder's references to external values, as Begin
// does, for a builder kept idle.
func (b *RecordBatchBuilder) Release() {
	clear(b.ext)
	b.ext, b.extLen = b.ext[:0], 0
}

// Externals returns the external values of the batch, in order. The slice
// belongs to the builder and is valid until the next Begin.
func (b *RecordBatchBuilder) Externals() []External { return b.ext }

func (b *RecordBatchBuilder) appendRecord(timestamp int64, key, value []byte, headers []RecordHeader, external bool) {
	if b.count == 0 {
		b.baseTimestamp, b.maxTimestamp = timestamp, timestamp
	} else if timestamp > b.maxTimestamp {
		b.maxTimestamp = timestamp
	}
	tsDelta := timestamp - b.baseTimestamp
	body := recordBodySize(tsDelta, b.count, key, value, headers)
	dst := slices.Grow(b.buf, 5+body)
	dst = AppendVarint(dst, int32(body))
	dst = append(dst, 0) // record attributes: unused
	dst = AppendVarlong(dst, tsDelta)
	dst = AppendVarint(dst, b.count)
	dst = appendNullableVarBytes(dst, key)
	if external && value != nil {
		dst = AppendVarint(dst, int32(len(value)))
		b.ext = append(b.ext, External{At: len(dst) - b.start, B: value})
		b.extLen += len(value)
		if b.opts.Codec == CodecNone {
			b.crcTo(dst)
			b.crc = crc32cUpdate(b.crc, value) // in place, at its offset
		}
	} else {
		dst = appendNullableVarBytes(dst, value)
	}
	dst = AppendVarint(dst, int32(len(headers)))
	for i := range headers {
		h := &headers[i]
		dst = AppendVarint(dst, int32(len(h.Key)))
		dst = append(dst, h.Key...)
		dst = appendNullableVarBytes(dst, h.Value)
	}
	if len(dst)-b.crcAt >= crcChunk && b.opts.Codec == CodecNone {
		b.crcTo(dst)
	}
	b.buf = dst
	b.count++
}

// crcTo takes the records section's bytes up to the end of dst into the
// running CRC.
func (b *RecordBatchBuilder) crcTo(dst []byte) {
	b.crc = crc32cUpdate(b.crc, dst[b.crcAt:])
	b.crcAt = len(dst)
}

// Finish completes the batch and returns the caller's buffer extended by
// it: the batch is buf[start:], start being len(dst) at Begin. With a codec
// set it compresses the records section once (into the spare capacity
// after the records, then moved into place, so a warm buffer allocates
// nothing) and then backfills the header: length, attributes, offset delta,
// timestamps, producer fields, count and CRC-32C.
//
// On error (no records, a codec error, a batch over 2 GiB) the buffer is
// returned cut back to the start of the batch.
func (b *RecordBatchBuilder) Finish() ([]byte, error) {
	buf := b.buf
	b.buf = nil
	if b.count == 0 {
		return buf[:b.start], ErrEmptyBatch
	}
	recStart := b.start + RecordBatchHeaderSize
	if b.opts.Codec != CodecNone && len(b.ext) > 0 {
		return buf[:b.start], &RecordError{BaseOffset: b.opts.BaseOffset, Reason: "external values in a compressed batch"}
	}
	if b.opts.Codec != CodecNone {
		end := len(buf)
		out, err := CompressAppend(buf, buf[recStart:end], b.opts.Codec, b.opts.Level)
		if err != nil {
			return buf[:b.start], err
		}
		n := copy(out[recStart:], out[end:])
		buf = out[:recStart+n]
	}
	if int64(len(buf)-b.start+b.extLen-batchLengthOverhead) > math.MaxInt32 {
		return buf[:b.start], &RecordError{BaseOffset: b.opts.BaseOffset, Reason: "batch larger than 2 GiB"}
	}
	o := &b.opts
	attrs := int16(o.Codec) & AttrCodecMask
	if o.LogAppendTime {
		attrs |= AttrLogAppendTime
	}
	if o.Transactional {
		attrs |= AttrTransactional
	}
	if o.Control {
		attrs |= AttrControl
	}
	h := buf[b.start:]
	be := binary.BigEndian
	be.PutUint64(h, uint64(o.BaseOffset))
	be.PutUint32(h[offBatchLength:], uint32(len(h)+b.extLen-batchLengthOverhead))
	be.PutUint32(h[offLeaderEpoch:], uint32(o.PartitionLeaderEpoch))
	h[offMagic] = RecordBatchMagic
	be.PutUint16(h[offAttributes:], uint16(attrs))
	be.PutUint32(h[offLastOffsetDelta:], uint32(b.count-1))
	be.PutUint64(h[offBaseTimestamp:], uint64(b.baseTimestamp))
	be.PutUint64(h[offMaxTimestamp:], uint64(b.maxTimestamp))
	be.PutUint64(h[offProducerID:], uint64(o.ProducerID))
	be.PutUint16(h[offProducerEpoch:], uint16(o.ProducerEpoch))
	be.PutUint32(h[offBaseSequence:], uint32(o.BaseSequence))
	be.PutUint32(h[offRecordCount:], uint32(b.count))
	var crc uint32
	if o.Codec == CodecNone {
		b.crcTo(buf)
		crc = crc32cCombine(crc32cUpdate(0, h[offAttributes:RecordBatchHeaderSize]), b.crc, len(h)-RecordBatchHeaderSize+b.extLen)
	} else {
		crc = batchCRC(h, b.ext)
	}
	be.PutUint32(h[offCRC:], crc)
	return buf, nil
}
