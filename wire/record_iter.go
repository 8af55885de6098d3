package wire

import (
	"encoding/binary"
	"hash/crc32"
	"math"
)

// Record is one record read by a RecordIter.
//
// Key, Value and the headers alias the iterator's input for uncompressed
// batches, and the iterator's decompression buffer (Scratch) for
// compressed ones: they are valid until the next call to NextBatch (or
// Next moving to another batch) or Reset, and never beyond the life of the
// input. Copy them to keep them. A nil Key or Value is null; a non-nil empty
// one is empty.
type Record struct {
	Offset     int64
	Timestamp  int64
	Attributes int8
	Key        []byte
	Value      []byte
	// NumHeaders is how many headers the record has; Headers or
	// AppendHeaders read them.
	NumHeaders int
	headers    []byte
}

// Headers returns an iterator over the record's headers. It allocates
// nothing; the headers were validated when the record was read.
func (r *Record) Headers() HeaderIter { return HeaderIter{b: r.headers, n: r.NumHeaders} }

// AppendHeaders appends the record's headers to dst (whose capacity a
// caller reuses record after record) and returns it. The headers' bytes
// alias the input as Key and Value do.
func (r *Record) AppendHeaders(dst []RecordHeader) []RecordHeader {
	for it := r.Headers(); ; {
		k, v, ok := it.Next()
		if !ok {
			return dst
		}
		dst = append(dst, RecordHeader{Key: k, Value: v})
	}
}

// HeaderIter iterates over a record's headers without allocating.
type HeaderIter struct {
	b []byte
	n int
}

// Next returns the next header's key and value (nil when null), or ok false
// after the last one. Both alias the input as Record.Key does.
func (h *HeaderIter) Next() (key, value []byte, ok bool) {
	if h.n <= 0 {
		return nil, nil, false
	}
	h.n--
	// RecordIter checked every length, so no check can fail here.
	l, n := ReadVarint(h.b)
	key = h.b[n : n+int(l) : n+int(l)]
	h.b = h.b[n+int(l):]
	l, n = ReadVarint(h.b)
	h.b = h.b[n:]
	if l >= 0 {
		value = h.b[:l:l]
		h.b = h.b[l:]
	}
	return key, value, true
}

// RecordIter walks a record set, such as the Records of a Fetch response
// partition: record batches v2 and legacy message sets v0 and v1 (with
// compressed wrappers), in any mix. It allocates nothing in steady state.
//
//	var it wire.RecordIter
//	it.Reset(records)
//	for it.NextBatch() {
//		b := it.Batch()
//		for it.NextRecord() {
//			r := it.Record()
//			...
//		}
//	}
//	if err := it.Err(); err != nil { ... }
//
// A trailing batch cut short is normal (brokers fill a Fetch up to its byte
// limit) and ends the iteration without error; Truncated reports it. A
// corrupt batch (bad CRC, lengths that do not fit, corrupt compressed data)
// ends it with an error matching ErrCorruptRecord.
//
// Every batch's CRC is checked (CRC-32C for v2, CRC-32 for legacy messages)
// unless SkipCRC is set. Compressed batches are decompressed once per batch
// into Scratch, never beyond DecompressLimit bytes.
type RecordIter struct {
	// DecompressLimit caps the decompressed size of one batch;
	// 0 means DefaultDecompressLimit. A batch above it ends the iteration
	// with an error matching ErrDecompressLimit.
	DecompressLimit int
	// SkipCRC turns off CRC checks.
	SkipCRC bool
	// Scratch is the decompression buffer. The iterator reuses its capacity
	// and grows it as needed; a caller may set it from a pool and take it
	// back when done.
	Scratch []byte

	src       []byte
	batch     RecordBatch
	recs      []byte
	left      int32
	legacy    bool
	wrapperTS int64 // legacy: timestamp every inner record takes, or -1
	relBase   int64 // legacy v1 wrapper: added to inner (relative) offsets
	rec       Record
	err       error
	truncated bool
}

// Reset starts iterating over src, which must stay unmodified while the
// iterator and the records it returned are in use. Scratch is kept.
func (it *RecordIter) Reset(src []byte) {
	*it = RecordIter{DecompressLimit: it.DecompressLimit, SkipCRC: it.SkipCRC, Scratch: it.Scratch[:0], src: src}
}

// Err returns the error that ended the iteration, or nil.
func (it *RecordIter) Err() error { return it.err }

// Truncated reports whether the iteration ended at a batch cut short by the
// end of the input. When no batch came before it, the fetch size was too
// small for that batch.
func (it *RecordIter) Truncated() bool { return it.truncated }

// Batch returns the current batch's header. It is valid until the next
// NextBatch; the pointer stays the same.
func (it *RecordIter) Batch() *RecordBatch { return &it.batch }

// Record returns the current record, valid until the next NextRecord; the
// pointer stays the same. See Record for how long its bytes stay valid.
func (it *RecordIter) Record() *Record { return &it.rec }

// Next moves to the next record, across batches (control batches included:
// check Batch().Control()). It returns false at the end or on error.
func (it *RecordIter) Next() bool {
	for !it.NextRecord() {
		if !it.NextBatch() {
			return false
		}
	}
	return true
}

func (it *RecordIter) fail(reason string, err error) bool {
	if it.err == nil {
		it.err = &RecordError{BaseOffset: it.batch.BaseOffset, Reason: reason, Err: err}
	}
	it.src, it.recs, it.left = nil, nil, 0
	return false
}

func (it *RecordIter) limit() int {
	if it.DecompressLimit > 0 {
		return it.DecompressLimit
	}
	return DefaultDecompressLimit
}

// NextBatch moves to the next batch, skipping whatever records of the
// current one were not read. It returns false at the end of the input, at
// a truncated trailing batch, or on error (see Err).
func (it *RecordIter) NextBatch() bool {
	if it.err != nil {
		return false
	}
	it.recs, it.left, it.legacy = nil, 0, false
	src := it.src
	if len(src) == 0 {
		return false
	}
	// The magic byte is at offset 16 in both formats.
	if len(src) <= offMagic {
		it.truncated, it.src = true, nil
		return false
	}
	it.batch.BaseOffset = int64(binary.BigEndian.Uint64(src))
	switch src[offMagic] {
	case RecordBatchMagic:
		return it.nextV2(src)
	case 0, 1:
		return it.nextLegacy(src)
	}
	return it.fail("unknown magic byte", nil)
}

func (it *RecordIter) nextV2(src []byte) bool {
	be := binary.BigEndian
	length := int64(int32(be.Uint32(src[offBatchLength:])))
	if length < minBatchLength {
		return it.fail("batch length too small", nil)
	}
	if length > int64(len(src)-batchLengthOverhead) {
		it.truncated, it.src = true, nil
		return false
	}
	b := src[:batchLengthOverhead+length]
	it.src = src[len(b):]
	bh := &it.batch
	bh.BatchLength = int32(length)
	bh.PartitionLeaderEpoch = int32(be.Uint32(b[offLeaderEpoch:]))
	bh.Magic = RecordBatchMagic
	bh.CRC = be.Uint32(b[offCRC:])
	bh.Attributes = int16(be.Uint16(b[offAttributes:]))
	bh.LastOffsetDelta = int32(be.Uint32(b[offLastOffsetDelta:]))
	bh.BaseTimestamp = int64(be.Uint64(b[offBaseTimestamp:]))
	bh.MaxTimestamp = int64(be.Uint64(b[offMaxTimestamp:]))
	bh.ProducerID = int64(be.Uint64(b[offProducerID:]))
	bh.ProducerEpoch = int16(be.Uint16(b[offProducerEpoch:]))
	bh.BaseSequence = int32(be.Uint32(b[offBaseSequence:]))
	bh.NumRecords = int32(be.Uint32(b[offRecordCount:]))
	if !it.SkipCRC && crc32.Checksum(b[offAttributes:], crc32c) != bh.CRC {
		return it.fail("CRC-32C mismatch", nil)
	}
	if bh.NumRecords < 0 {
		return it.fail("negative record count", nil)
	}
	recs := b[RecordBatchHeaderSize:]
	if c := bh.Codec(); c != CodecNone {
		if c > CodecZstd {
			return it.fail("unknown compression codec", nil)
		}
		out, err := DecompressAppend(it.Scratch[:0], recs, c, it.limit())
		if err != nil {
			return it.fail("decompressing records", err)
		}
		it.Scratch = out
		recs = out
	}
	// The smallest record takes 7 bytes, which bounds a forged count.
	if int64(bh.NumRecords) > int64(len(recs)/7) {
		return it.fail("record count exceeds batch", nil)
	}
	it.recs, it.left = recs, bh.NumRecords
	return true
}

// NextRecord moves to the current batch's next record. It returns false
// after its last record, or on error (see Err).
func (it *RecordIter) NextRecord() bool {
	if it.left <= 0 {
		if len(it.recs) != 0 && it.err == nil {
			return it.fail("bytes after the last record", nil)
		}
		return false
	}
	it.left--
	if it.legacy {
		return it.nextLegacyRecord()
	}
	b := it.recs
	l, n := ReadVarint(b)
	if n <= 0 || l < 0 || l > int64(len(b)-n) {
		return it.fail("bad record length", nil)
	}
	body := b[n : n+int(l)]
	it.recs = b[n+int(l):]
	if len(body) == 0 {
		return it.fail("empty record", nil)
	}
	r := &it.rec
	r.Attributes = int8(body[0])
	p := 1
	tsDelta, n := ReadVarint(body[p:])
	if n <= 0 {
		return it.fail("bad timestamp delta", nil)
	}
	p += n
	offDelta, n := ReadVarint(body[p:])
	if n <= 0 || offDelta < math.MinInt32 || offDelta > math.MaxInt32 {
		return it.fail("bad offset delta", nil)
	}
	p += n
	var ok bool
	if r.Key, p, ok = VarBytes(body, p); !ok {
		return it.fail("bad key length", nil)
	}
	if r.Value, p, ok = VarBytes(body, p); !ok {
		return it.fail("bad value length", nil)
	}
	nh, n := ReadVarint(body[p:])
	// A header takes at least two bytes.
	if n <= 0 || nh < 0 || nh > int64(len(body)-p-n)/2 {
		return it.fail("bad header count", nil)
	}
	p += n
	hs := p
	for i := int64(0); i < nh; i++ {
		var k []byte
		if k, p, ok = VarBytes(body, p); !ok || k == nil {
			return it.fail("bad header key length", nil)
		}
		if _, p, ok = VarBytes(body, p); !ok {
			return it.fail("bad header value length", nil)
		}
	}
	if p != len(body) {
		return it.fail("record length mismatch", nil)
	}
	r.headers, r.NumHeaders = body[hs:p:p], int(nh)
	bh := &it.batch
	r.Offset = bh.BaseOffset + offDelta
	if bh.LogAppendTime() {
		r.Timestamp = bh.MaxTimestamp
	} else {
		r.Timestamp = bh.BaseTimestamp + tsDelta
	}
	return true
}

// VarBytes reads a varint-length byte string at b[p:], as records store
// keys, values and header fields (-1 is null: v is nil), and returns it as a
// 3-index sub-slice of b with the offset after it; ok is false when the
// length is invalid or does not fit in b.
func VarBytes(b []byte, p int) (v []byte, next int, ok bool) {
	l, n := ReadVarint(b[p:])
	if n <= 0 || l < -1 || l > int64(len(b)-p-n) {
		return nil, p, false
	}
	p += n
	if l < 0 {
		return nil, p, true
	}
	e := p + int(l)
	return b[p:e:e], e, true
}

// ReadVarint decodes a zigzag varint from the front of b like binary.Varint
// (n <= 0 on error). Record lengths, deltas and short keys and values take
// one or two bytes, so those cases are decoded inline.
func ReadVarint(b []byte) (v int64, n int) {
	if len(b) > 0 && b[0] < 0x80 {
		return int64(b[0]>>1) ^ -int64(b[0]&1), 1
	}
	return readVarint2(b)
}

func readVarint2(b []byte) (int64, int) {
	if len(b) > 1 && b[1] < 0x80 {
		u := uint64(b[0]&0x7f) | uint64(b[1])<<7
		return int64(u>>1) ^ -int64(u&1), 2
	}
	return binary.Varint(b)
}
