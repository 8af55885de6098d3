// Package fetchstream reads the records of one partition's Fetch response
// incrementally from the connection's bufio.Reader, so that record values
// go from the socket straight into a caller's slice.
//
// A Reader is reused fetch after fetch and allocates nothing in steady
// state. Begin reads the response up to the partition's records; Next moves
// to each deliverable record and stops before its value; ReadValue,
// AppendValue or SkipValue consume the value (and then the record's
// headers); Drain consumes whatever is left of the frame.
//
// Uncompressed record batches v2 are streamed record by record, their
// CRC-32C computed over the bytes as they are read and checked at the end
// of the batch: a mismatch is reported by the call after the batch's last
// record, whose records were already delivered. Compressed batches, control
// batches and legacy message sets are read whole into a buffer, checked and
// iterated with wire.RecordIter.
package fetchstream

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"

	"github.com/zeroalloc/kafka/pool"
	"github.com/zeroalloc/kafka/wire"
)

// MinBufferSize is the smallest bufio.Reader buffer Begin accepts.
const MinBufferSize = 64

// ErrNotOnePartition is returned by Begin when the response does not hold
// exactly one topic with one partition, the only shape a single-partition
// Fetch gets. Drain still consumes the frame.
var ErrNotOnePartition = errors.New("fetchstream: response does not hold exactly one partition")

// ErrNoRecord is returned by ReadValue, AppendValue and SkipValue when no
// record's value is pending: Next was not called, or the value was consumed.
var ErrNoRecord = errors.New("fetchstream: no pending record value")

// Record describes the record Next stopped at, before its value.
type Record struct {
	// Offset is the record's offset.
	Offset int64
	// Timestamp is the record's timestamp in milliseconds (the batch's
	// append time when the topic uses log-append time).
	Timestamp int64
	// Attributes is the record's attributes byte (unused by Kafka so far).
	Attributes int8
	// Key is the record's key, nil when null. It is owned by the Reader:
	// it aliases the bufio.Reader's buffer, the batch buffer or a reused
	// buffer, and is valid until the next call to Next, Begin or Drain
	// (consuming the value leaves it valid); copy it to keep it.
	Key []byte
	// ValueLen is the length of the value, -1 when null.
	ValueLen int
}

// Pending values of Reader.pending.
const (
	pendNone   = iota
	pendStream // the value is next on the socket, then the headers
	pendMem    // the value is memVal; the headers are in hdrs already
	pendPeek   // like pendMem, the record peeked in the bufio buffer, consumed after
)

// States of Reader.state.
const (
	stIdle    = iota // no frame
	stRecords        // in the records section
	stDone           // records and tail consumed
)

// abortedTxn is one aborted transaction of the response; done is set once
// its producer's abort marker was read.
type abortedTxn struct {
	producerID, firstOffset int64
	done                    bool
}

// Reader reads one partition's Fetch response from a bufio.Reader. Set its
// exported fields before Begin. The zero value is ready to use; it is not
// safe for concurrent use. It keeps the capacity of its key, header and
// decompression buffers (and, without Buffers, of its batch buffer) from
// one fetch to the next.
type Reader struct {
	// ReadCommitted skips the records of aborted transactions and stops at
	// the last stable offset (the request's isolation level must match).
	ReadCommitted bool
	// DecompressLimit caps the decompressed size of one batch; 0 means
	// wire.DefaultDecompressLimit.
	DecompressLimit int
	// Buffers, when set, supplies the buffers whole batches are read into
	// (compressed, control and legacy ones); otherwise the Reader keeps its
	// own buffer.
	Buffers *pool.Buffers

	br       *bufio.Reader
	version  int16
	flex     bool
	state    uint8
	pending  uint8
	pos      int // bytes of the frame consumed
	frameEnd int
	recsEnd  int // end of the records section
	batchEnd int // end of the current streamed batch
	recEnd   int // end of the current streamed record
	err      error
	broken   bool // an I/O error: the frame cannot be drained
	// brokenErr says err is an I/O error.
	brokenErr bool

	fetchOffset int64
	next        int64
	truncated   bool

	throttle         int32
	highWatermark    int64
	lastStable       int64
	logStart         int64
	preferredReplica int32
	aborted          []abortedTxn
	batch            wire.RecordBatch
	hdr              [wire.RecordBatchHeaderSize]byte
	streaming, crcOn bool
	crc              uint32
	left             int32 // records left in the streamed batch
	inMem            bool
	it               wire.RecordIter
	memBuf           *pool.Buffer
	mem              []byte
	memVal           []byte
	rec              Record
	valLeft          int
	peekLen          int // bytes of the peeked record
	key              []byte
	hdrBuf           []byte
	spans            []span
	hdrs             []wire.RecordHeader
}

// span locates a header's key and value in hdrBuf; ve is -1 for a null
// value.
type span struct{ ks, ke, vs, ve int }

// Begin starts reading a Fetch response body of version whose frameSize
// bytes (the frame after the response header) follow in br. fetchOffset is
// the offset the request asked for: records before it are skipped. Begin
// reads the response up to the partition's records and returns the first
// error met, such as the partition's Kafka error (a wire.Error, for example
// wire.OffsetOutOfRange); call Drain in every case before reusing br.
// br must stay untouched by others until Drain returns, and its buffer must
// hold at least MinBufferSize bytes. Nothing Begin and Next make is larger
// than frameSize (one batch read whole, a key, a record's headers) or the
// decompression limit, so the caller bounds memory by bounding frameSize.
func (r *Reader) Begin(br *bufio.Reader, frameSize int, version int16, fetchOffset int64) error {
	r.release()
	r.br, r.version, r.flex = br, version, wire.IsFlexible(wire.KeyFetch, version)
	r.state, r.pending = stRecords, pendNone
	r.pos, r.frameEnd, r.recsEnd, r.batchEnd, r.recEnd = 0, frameSize, 0, 0, 0
	r.err, r.broken, r.brokenErr = nil, false, false
	r.fetchOffset, r.next, r.truncated = fetchOffset, fetchOffset, false
	r.throttle, r.highWatermark, r.lastStable, r.logStart, r.preferredReplica = 0, -1, -1, -1, -1
	r.aborted = r.aborted[:0]
	r.batch = wire.RecordBatch{BaseOffset: -1}
	r.streaming, r.crcOn, r.inMem, r.left = false, false, false, 0
	if a := wire.APIs[wire.KeyFetch]; version < a.Min || version > a.Max {
		r.fail(wire.ErrUnsupportedVersion)
		return r.err
	}
	if br.Size() < MinBufferSize {
		r.fail(errTooSmallBuffer)
		return r.err
	}
	if frameSize < 0 {
		r.fail(wire.ErrInvalidLength)
		return r.err
	}
	r.readHead()
	return r.err
}

// readHead reads the response up to the start of the records.
func (r *Reader) readHead() {
	be := binary.BigEndian
	end := r.frameEnd
	if b := r.take(4, end); b != nil {
		r.throttle = int32(be.Uint32(b))
	}
	if r.version >= 7 {
		if b := r.take(6, end); b != nil && be.Uint16(b) != 0 {
			r.fail(wire.ErrorForCode(int16(be.Uint16(b))))
		}
	}
	if r.arrayLen(end) != 1 {
		r.fail(ErrNotOnePartition)
	}
	if r.version >= 13 {
		r.take(16, end)
	} else {
		r.skipString(end)
	}
	if r.arrayLen(end) != 1 {
		r.fail(ErrNotOnePartition)
	}
	b := r.take(4+2+8+8, end)
	if b == nil {
		return
	}
	code := int16(be.Uint16(b[4:]))
	r.highWatermark = int64(be.Uint64(b[6:]))
	r.lastStable = int64(be.Uint64(b[14:]))
	if r.version >= 5 {
		if b = r.take(8, end); b != nil {
			r.logStart = int64(be.Uint64(b))
		}
	}
	r.readAborted(end)
	if r.version >= 11 {
		if b = r.take(4, end); b != nil {
			r.preferredReplica = int32(be.Uint32(b))
		}
	}
	var n int
	if r.flex {
		n = r.uvarint(end) - 1
	} else if b = r.take(4, end); b != nil {
		n = int(int32(be.Uint32(b)))
	}
	if n < -1 || n > end-r.pos {
		r.fail(wire.ErrInvalidLength)
		n = 0
	}
	r.recsEnd = r.pos + max(n, 0)
	if r.err == nil && code != 0 {
		r.fail(wire.ErrorForCode(code))
	}
}

// arrayLen reads an array length (-1 for null).
func (r *Reader) arrayLen(end int) int {
	if r.flex {
		return r.uvarint(end) - 1
	}
	if b := r.take(4, end); b != nil {
		return int(int32(binary.BigEndian.Uint32(b)))
	}
	return 0
}

// skipString skips a (compact) string.
func (r *Reader) skipString(end int) {
	n := 0
	if r.flex {
		n = r.uvarint(end) - 1
	} else if b := r.take(2, end); b != nil {
		n = int(int16(binary.BigEndian.Uint16(b)))
	}
	if n < 0 && r.err == nil {
		r.fail(wire.ErrInvalidLength)
	}
	r.discard(n, end)
}

// readAborted reads the aborted transactions into the reused r.aborted,
// bounding their count by the bytes left.
func (r *Reader) readAborted(end int) {
	n := r.arrayLen(end)
	size := 16
	if r.flex {
		size++
	}
	if n < -1 || n > (end-r.pos)/size {
		r.fail(wire.ErrInvalidLength)
		return
	}
	for ; n > 0 && r.err == nil; n-- {
		b := r.take(16, end)
		if b == nil {
			return
		}
		a := abortedTxn{producerID: int64(binary.BigEndian.Uint64(b)), firstOffset: int64(binary.BigEndian.Uint64(b[8:]))}
		r.aborted = append(r.aborted, a)
		if r.flex {
			r.skipTags(end)
		}
	}
}

// ThrottleTimeMs returns the response's throttle time.
func (r *Reader) ThrottleTimeMs() int32 { return r.throttle }

// HighWatermark returns the partition's high watermark, or -1 before Begin
// read it.
func (r *Reader) HighWatermark() int64 { return r.highWatermark }

// LastStableOffset returns the partition's last stable offset, or -1.
func (r *Reader) LastStableOffset() int64 { return r.lastStable }

// LogStartOffset returns the partition's log start offset (v5+), or -1.
func (r *Reader) LogStartOffset() int64 { return r.logStart }

// PreferredReadReplica returns the replica to fetch from next (v11+), or -1.
func (r *Reader) PreferredReadReplica() int32 { return r.preferredReplica }

// NumAborted returns how many aborted transactions the response listed.
func (r *Reader) NumAborted() int { return len(r.aborted) }

// NextOffset returns the offset to fetch next: one past the last record
// delivered or skipped, past whole batches consumed (offset gaps of
// compacted topics and control batches included), and never below the
// fetch offset.
func (r *Reader) NextOffset() int64 { return r.next }

// Truncated reports whether the records ended at a batch cut short by the
// broker's byte limits. When nothing was delivered before it, the fetch
// size was too small for that batch.
func (r *Reader) Truncated() bool { return r.truncated }

// Err returns the first error met since Begin, or nil.
func (r *Reader) Err() error { return r.err }

// Headers returns the headers of the record whose value was consumed last.
// The slice and the headers' bytes are owned by the Reader and valid until
// the next call to Next, Begin or Drain; copy them to keep them.
func (r *Reader) Headers() []wire.RecordHeader { return r.hdrs }

// Drain consumes whatever is left of the frame (records, then the tagged
// fields that follow them) so that br can be reused for the next response.
// It returns an error only when br is out of step with the frame (an I/O
// error); errors in the data are reported by Err. It releases the batch
// buffer; Key, Headers and values that alias it become invalid.
func (r *Reader) Drain() error {
	if r.br == nil {
		return nil
	}
	if r.state == stRecords && !r.broken {
		r.finishRecords()
	}
	r.release()
	r.pending, r.state = pendNone, stDone
	if !r.broken && r.pos < r.frameEnd {
		r.discard(r.frameEnd-r.pos, r.frameEnd)
	}
	if r.broken {
		return r.err
	}
	return nil
}

// finishRecords discards what is left of the records section and reads the
// tagged fields that follow (partition, topic, response), checking the
// frame ends with them.
func (r *Reader) finishRecords() {
	r.crcOn, r.streaming, r.pending = false, false, pendNone
	r.release()
	r.state = stDone
	if r.pos < r.recsEnd {
		r.discard(r.recsEnd-r.pos, r.recsEnd)
	}
	if r.err == nil && r.flex {
		for i := 0; i < 3; i++ {
			r.skipTags(r.frameEnd)
		}
	}
	if r.err == nil && r.pos != r.frameEnd {
		r.fail(wire.ErrTrailingBytes)
	}
	if !r.broken && r.pos < r.frameEnd {
		r.discard(r.frameEnd-r.pos, r.frameEnd)
	}
}

// release gives back the batch buffer.
func (r *Reader) release() {
	r.inMem, r.memVal = false, nil
	if r.memBuf != nil {
		r.memBuf.B = r.mem[:0]
		r.Buffers.Put(r.memBuf)
		r.memBuf, r.mem = nil, nil
	}
}

// Next moves to the next deliverable record and returns it, stopping
// before its value; the previous record's value, if not consumed, is
// skipped. Control records, records before the fetch offset and, with
// ReadCommitted, records of aborted transactions or at or past the last
// stable offset are never returned. At the end of the records it returns
// io.EOF; a truncated trailing batch ends them too (see Truncated). Any
// other error is sticky.
func (r *Reader) Next() (Record, error) {
	for {
		if r.err != nil {
			return Record{}, r.err
		}
		if r.state != stRecords {
			return Record{}, io.EOF
		}
		switch {
		case r.pending == pendStream:
			r.discard(r.valLeft, r.recEnd)
			r.readHeaders()
		case r.pending == pendMem || r.pending == pendPeek:
			r.doneMem()
		case r.inMem:
			if r.nextMem() {
				return r.deliver()
			}
		case r.streaming && r.left > 0:
			if r.nextStream() {
				return r.deliver()
			}
		case r.streaming:
			r.endStream()
		default:
			r.nextBatch()
		}
	}
}

// deliver returns the record Next stopped at.
func (r *Reader) deliver() (Record, error) {
	r.next = r.rec.Offset + 1
	return r.rec, nil
}

// skipRecord reports whether a record at offset is not delivered, and ends
// the records when it is at or past the last stable offset.
func (r *Reader) skipRecord(offset int64) bool {
	if r.ReadCommitted && r.lastStable >= 0 && offset >= r.lastStable {
		r.finishRecords()
		return true
	}
	return offset < r.fetchOffset
}

// ReadValue copies the value of the record Next stopped at into dst and
// returns how many bytes it copied; values are read from the socket
// straight into dst. When dst is too short it copies what fits, discards
// the rest and returns io.ErrShortBuffer. A null value copies nothing. dst
// is the caller's; the Reader does not keep it.
func (r *Reader) ReadValue(dst []byte) (int, error) {
	var n, size int
	switch r.pending {
	case pendMem, pendPeek:
		n, size = copy(dst, r.memVal), len(r.memVal)
		r.doneMem()
	case pendStream:
		size = r.valLeft
		n = min(len(dst), size)
		r.readFull(dst[:n], r.recEnd)
		r.discard(size-n, r.recEnd)
		r.readHeaders()
	default:
		if r.err != nil {
			return 0, r.err
		}
		return 0, ErrNoRecord
	}
	if r.err != nil {
		return n, r.err
	}
	if n < size {
		return n, io.ErrShortBuffer
	}
	return n, nil
}

// AppendValue appends the value of the record Next stopped at to dst (the
// caller's, whose capacity it reuses) and returns the extended slice. A
// null value appends nothing (ValueLen tells null from empty).
func (r *Reader) AppendValue(dst []byte) ([]byte, error) {
	switch r.pending {
	case pendMem, pendPeek:
		dst = append(dst, r.memVal...)
		r.doneMem()
	case pendStream:
		n := len(dst)
		if r.valLeft > r.recEnd-r.pos {
			r.corrupt("bad value length")
			return dst, r.err
		}
		dst = grow(dst, n+r.valLeft)
		r.readFull(dst[n:], r.recEnd)
		r.readHeaders()
	default:
		if r.err != nil {
			return dst, r.err
		}
		return dst, ErrNoRecord
	}
	return dst, r.err
}

// SkipValue consumes the value of the record Next stopped at without
// copying it, then its headers.
func (r *Reader) SkipValue() error {
	switch r.pending {
	case pendMem, pendPeek:
		r.doneMem()
	case pendStream:
		r.discard(r.valLeft, r.recEnd)
		r.readHeaders()
	default:
		if r.err != nil {
			return r.err
		}
		return ErrNoRecord
	}
	return r.err
}

// doneMem ends a record read from memory; a record peeked in the bufio
// buffer is consumed only now. Its key and headers stay valid until the
// next Next even so: Discard of buffered bytes only advances the
// bufio.Reader's read index, and nothing refills its buffer before the
// next Next, Begin or Drain reads again.
func (r *Reader) doneMem() {
	if r.pending == pendPeek {
		_, _ = r.br.Discard(r.peekLen) // never fails: the bytes were peeked
		r.pos += r.peekLen
	}
	r.pending = pendNone
}
