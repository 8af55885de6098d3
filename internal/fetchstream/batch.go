package fetchstream

import (
	"encoding/binary"
	"hash/crc32"
	"math"

	"github.com/zeroalloc/kafka/wire"
)

const (
	// magicEnd is how many bytes of a batch (or legacy message) say its
	// base offset, length and magic byte.
	magicEnd = 17
	// batchOverhead is what a batch length does not count: the base offset
	// and the length itself.
	batchOverhead = 12
	// minRecordSize is the smallest record: length, attributes, timestamp
	// and offset deltas, key and value lengths, header count.
	minRecordSize = 7
	// crcStart is where a batch v2's CRC-32C coverage starts.
	crcStart = 21
	// minLegacySize is the smallest legacy message size (magic 0).
	minLegacySize = 4 + 1 + 1 + 4 + 4
)

// streamOnly makes every record take the field-by-field path that records
// larger than the bufio buffer take; tests set it to exercise that path.
var streamOnly = false

// nextBatch reads the header of the next batch in the records section and
// sets up streaming or whole-batch reading, skips the batch, or ends the
// records.
func (r *Reader) nextBatch() {
	left := r.recsEnd - r.pos
	if left == 0 {
		r.finishRecords()
		return
	}
	if left < magicEnd {
		r.truncated = true
		r.finishRecords()
		return
	}
	b, err := r.br.Peek(magicEnd)
	if err != nil {
		r.failIO(err)
		return
	}
	be := binary.BigEndian
	r.batch = wire.RecordBatch{BaseOffset: int64(be.Uint64(b))}
	length := int64(int32(be.Uint32(b[8:])))
	total := batchOverhead + length
	switch b[16] {
	case wire.RecordBatchMagic:
		if total < wire.RecordBatchHeaderSize {
			r.corrupt("batch length too small")
			return
		}
	case 0, 1:
		if length < minLegacySize {
			r.corrupt("message size too small")
			return
		}
		if total > int64(left) {
			r.truncated = true
			r.finishRecords()
			return
		}
		r.readWhole(int(total), 0)
		return
	default:
		r.corrupt("unknown magic byte")
		return
	}
	if total > int64(left) {
		r.truncated = true
		r.finishRecords()
		return
	}
	start := r.pos
	r.batchEnd = start + int(total)
	r.readFull(r.hdr[:], r.batchEnd)
	if r.err != nil {
		return
	}
	r.parseHeader()
	bh := &r.batch
	switch {
	case bh.LastOffset() < r.fetchOffset:
		r.skipBatch()
	case r.ReadCommitted && r.lastStable >= 0 && bh.BaseOffset >= r.lastStable:
		r.finishRecords()
	case r.ReadCommitted && bh.Transactional() && !bh.Control() && r.isAborted(bh.ProducerID, bh.LastOffset()):
		r.skipBatch()
	case bh.Control() || bh.Codec() != wire.CodecNone:
		r.readWhole(int(total), wire.RecordBatchHeaderSize)
	default:
		if bh.NumRecords < 0 || int64(bh.NumRecords) > (total-wire.RecordBatchHeaderSize)/minRecordSize {
			r.corrupt("bad record count")
			return
		}
		r.streaming, r.crcOn, r.left = true, true, bh.NumRecords
		r.crc = crc32.Update(0, castagnoli, r.hdr[crcStart:])
	}
}

// parseHeader decodes r.hdr into r.batch.
func (r *Reader) parseHeader() {
	be := binary.BigEndian
	h := r.hdr[:]
	r.batch = wire.RecordBatch{
		BaseOffset:           int64(be.Uint64(h)),
		BatchLength:          int32(be.Uint32(h[8:])),
		PartitionLeaderEpoch: int32(be.Uint32(h[12:])),
		Magic:                int8(h[16]),
		CRC:                  be.Uint32(h[17:]),
		Attributes:           int16(be.Uint16(h[21:])),
		LastOffsetDelta:      int32(be.Uint32(h[23:])),
		BaseTimestamp:        int64(be.Uint64(h[27:])),
		MaxTimestamp:         int64(be.Uint64(h[35:])),
		ProducerID:           int64(be.Uint64(h[43:])),
		ProducerEpoch:        int16(be.Uint16(h[51:])),
		BaseSequence:         int32(be.Uint32(h[53:])),
		NumRecords:           int32(be.Uint32(h[57:])),
	}
}

// skipBatch discards the rest of the batch whose header was read.
func (r *Reader) skipBatch() {
	r.discard(r.batchEnd-r.pos, r.batchEnd)
	r.batchDone()
}

// batchDone moves NextOffset past the batch just consumed.
func (r *Reader) batchDone() {
	if last := r.batch.LastOffset(); last >= r.next {
		r.next = last + 1
	}
}

// isAborted reports whether a transactional batch of producerID ending at
// last belongs to an aborted transaction whose marker was not read yet.
func (r *Reader) isAborted(producerID, last int64) bool {
	for i := range r.aborted {
		a := &r.aborted[i]
		if a.producerID == producerID && !a.done && a.firstOffset <= last {
			return true
		}
	}
	return false
}

// markAbort records the abort marker of producerID at offset.
func (r *Reader) markAbort(producerID, offset int64) {
	for i := range r.aborted {
		a := &r.aborted[i]
		if a.producerID == producerID && a.firstOffset <= offset {
			a.done = true
		}
	}
}

// readWhole reads a whole batch of total bytes, of which the first have
// been read into r.hdr already, and starts iterating over it.
func (r *Reader) readWhole(total, already int) {
	if r.Buffers != nil {
		r.memBuf = r.Buffers.Get(total)
		r.mem = r.memBuf.B[:total]
	} else {
		r.mem = grow(r.mem, total)
	}
	copy(r.mem, r.hdr[:already])
	r.readFull(r.mem[already:], r.pos+total-already)
	if r.err != nil {
		return
	}
	r.it.DecompressLimit = r.DecompressLimit
	r.it.Reset(r.mem)
	if !r.it.NextBatch() {
		if err := r.it.Err(); err != nil {
			r.fail(err)
		} else {
			r.corrupt("incomplete batch")
		}
		return
	}
	r.batch = *r.it.Batch()
	r.inMem = true
	if !r.batch.Control() {
		return
	}
	for r.it.NextRecord() {
		t, err := wire.ParseControlKey(r.it.Record().Key)
		if err != nil {
			r.fail(err)
			return
		}
		if t == wire.ControlAbort {
			r.markAbort(r.batch.ProducerID, r.it.Record().Offset)
		}
	}
	if err := r.it.Err(); err != nil {
		r.fail(err)
		return
	}
	r.endMem()
}

// nextMem moves to the next deliverable record of the batch in memory.
func (r *Reader) nextMem() bool {
	for r.it.NextRecord() {
		rec := r.it.Record()
		if r.skipRecord(rec.Offset) {
			if r.state != stRecords {
				return false
			}
			continue
		}
		r.rec = Record{Offset: rec.Offset, Timestamp: rec.Timestamp, Attributes: rec.Attributes, Key: rec.Key, ValueLen: len(rec.Value)}
		if rec.Value == nil {
			r.rec.ValueLen = -1
		}
		r.memVal = rec.Value
		r.hdrs = rec.AppendHeaders(r.hdrs[:0])
		r.pending = pendMem
		return true
	}
	if err := r.it.Err(); err != nil {
		r.fail(err)
		return false
	}
	// A legacy wrapper's offset is that of its last record.
	r.endMem()
	return false
}

// endMem ends the batch in memory.
func (r *Reader) endMem() {
	r.batchDone()
	r.release()
}

// nextStream reads the next record of the streamed batch up to its value.
// It returns false when the record is not delivered (or on error).
func (r *Reader) nextStream() bool {
	r.left--
	r.hdrs = r.hdrs[:0]
	l := r.varint(r.batchEnd)
	if r.err != nil {
		return false
	}
	if l <= 0 || l > int64(r.batchEnd-r.pos) {
		r.corrupt("bad record length")
		return false
	}
	r.recEnd = r.pos + int(l)
	if int(l) <= r.br.Size() && !streamOnly {
		b, err := r.br.Peek(int(l))
		if err != nil {
			r.failIO(err)
			return false
		}
		return r.parsePeeked(b)
	}
	end := r.recEnd
	var attrs int8
	if b := r.take(1, end); b != nil {
		attrs = int8(b[0])
	}
	tsDelta := r.varint(end)
	offDelta := r.varint(end)
	kl := r.varint(end)
	if r.err != nil {
		return false
	}
	if offDelta < math.MinInt32 || offDelta > math.MaxInt32 {
		r.corrupt("bad offset delta")
		return false
	}
	if kl < -1 || kl > int64(end-r.pos) {
		r.corrupt("bad key length")
		return false
	}
	var key []byte
	if kl >= 0 {
		r.key = grow(r.key, int(kl))
		key = r.key[:kl:kl]
		r.readFull(key, end)
	}
	vl := r.varint(end)
	if r.err != nil {
		return false
	}
	if vl < -1 || vl > int64(end-r.pos) {
		r.corrupt("bad value length")
		return false
	}
	r.setRecord(attrs, tsDelta, offDelta, key, int(vl))
	r.valLeft = max(int(vl), 0)
	r.pending = pendStream
	return !r.skipRecord(r.rec.Offset)
}

// parsePeeked parses a whole record body peeked in the bufio buffer (the
// common case: one CRC update and no copy of the key or headers). The
// record is consumed by doneMem.
func (r *Reader) parsePeeked(b []byte) bool {
	r.crc = crc32.Update(r.crc, castagnoli, b)
	attrs := int8(b[0])
	p := 1
	tsDelta, n := wire.ReadVarint(b[p:])
	if n <= 0 {
		r.corrupt("bad timestamp delta")
		return false
	}
	p += n
	offDelta, n := wire.ReadVarint(b[p:])
	if n <= 0 || offDelta < math.MinInt32 || offDelta > math.MaxInt32 {
		r.corrupt("bad offset delta")
		return false
	}
	p += n
	key, p, ok := wire.VarBytes(b, p)
	if !ok {
		r.corrupt("bad key length")
		return false
	}
	val, p, ok := wire.VarBytes(b, p)
	if !ok {
		r.corrupt("bad value length")
		return false
	}
	nh, n := wire.ReadVarint(b[p:])
	if n <= 0 || nh < 0 || nh > int64(len(b)-p-n)/2 {
		r.corrupt("bad header count")
		return false
	}
	p += n
	r.hdrs = r.hdrs[:0]
	for ; nh > 0; nh-- {
		var h wire.RecordHeader
		if h.Key, p, ok = wire.VarBytes(b, p); !ok || h.Key == nil {
			r.corrupt("bad header key length")
			return false
		}
		if h.Value, p, ok = wire.VarBytes(b, p); !ok {
			r.corrupt("bad header value length")
			return false
		}
		r.hdrs = append(r.hdrs, h)
	}
	if p != len(b) {
		r.corrupt("record length mismatch")
		return false
	}
	r.setRecord(attrs, tsDelta, offDelta, key, len(val))
	if val == nil {
		r.rec.ValueLen = -1
	}
	r.memVal, r.peekLen, r.pending = val, len(b), pendPeek
	return !r.skipRecord(r.rec.Offset)
}

// setRecord fills r.rec from a record's fields and the batch header.
func (r *Reader) setRecord(attrs int8, tsDelta, offDelta int64, key []byte, valueLen int) {
	bh := &r.batch
	ts := bh.BaseTimestamp + tsDelta
	if bh.LogAppendTime() {
		ts = bh.MaxTimestamp
	}
	r.rec = Record{Offset: bh.BaseOffset + offDelta, Timestamp: ts, Attributes: attrs, Key: key, ValueLen: valueLen}
}

// readHeaders reads the headers of the streamed record after its value,
// into hdrBuf and hdrs, and checks the record ends with them.
func (r *Reader) readHeaders() {
	r.pending = pendNone
	end := r.recEnd
	n := r.varint(end)
	if r.err != nil {
		return
	}
	// A header takes at least two bytes.
	if n < 0 || n > int64(end-r.pos)/2 {
		r.corrupt("bad header count")
		return
	}
	r.hdrBuf, r.spans = r.hdrBuf[:0], r.spans[:0]
	for ; n > 0; n-- {
		var s span
		s.ks, s.ke = r.headerBytes(false)
		s.vs, s.ve = r.headerBytes(true)
		if r.err != nil {
			return
		}
		r.spans = append(r.spans, s)
	}
	if r.pos != end {
		r.corrupt("record length mismatch")
		return
	}
	r.hdrs = r.hdrs[:0]
	for _, s := range r.spans {
		h := wire.RecordHeader{Key: r.hdrBuf[s.ks:s.ke:s.ke]}
		if s.ve >= 0 {
			h.Value = r.hdrBuf[s.vs:s.ve:s.ve]
		}
		r.hdrs = append(r.hdrs, h)
	}
}

// headerBytes reads a header key or value into hdrBuf and returns its span
// (end -1 for a null value).
func (r *Reader) headerBytes(nullable bool) (start, end int) {
	l := r.varint(r.recEnd)
	if r.err != nil {
		return 0, 0
	}
	if l < -1 || (l == -1 && !nullable) || l > int64(r.recEnd-r.pos) {
		r.corrupt("bad header length")
		return 0, 0
	}
	start = len(r.hdrBuf)
	if l < 0 {
		return start, -1
	}
	r.hdrBuf = grow(r.hdrBuf, start+int(l))
	r.readFull(r.hdrBuf[start:], r.recEnd)
	return start, len(r.hdrBuf)
}

// endStream ends the streamed batch after its last record, checking that
// nothing follows the records and that the CRC-32C matches.
func (r *Reader) endStream() {
	r.streaming, r.crcOn = false, false
	if r.pos != r.batchEnd {
		r.corrupt("bytes after the last record")
		return
	}
	if r.crc != r.batch.CRC {
		r.corrupt("CRC-32C mismatch")
		return
	}
	r.batchDone()
}
