package fetchstream

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"

	"github.com/zeroalloc/kafka/wire"
)

// The primitives below read from the bufio.Reader and account for every
// byte: pos counts the bytes consumed from the frame, and each read is
// checked against a limit (the end of the frame, of the records section, of
// the batch or of the record) before it touches the socket, so a forged
// length never blocks waiting for bytes the frame does not hold, nor makes
// anything large. While crcOn is set every consumed byte is added to crc.

// castagnoli is the CRC-32C table of record batch v2 CRCs.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTooSmallBuffer is returned by Begin for a bufio.Reader whose buffer is
// smaller than MinBufferSize.
var errTooSmallBuffer = errors.New("fetchstream: bufio.Reader buffer smaller than MinBufferSize")

// failIO records an I/O error: the connection is then out of step with the
// frame and cannot be reused.
func (r *Reader) failIO(err error) {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	r.broken = true
	if r.err == nil || !r.brokenErr {
		r.err, r.brokenErr = err, true
	}
}

// fail records the first data error (a malformed frame, a corrupt batch, a
// Kafka error code). The frame can still be drained exactly.
func (r *Reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// corrupt fails with an error matching wire.ErrCorruptRecord.
func (r *Reader) corrupt(reason string) {
	r.fail(&wire.RecordError{BaseOffset: r.batch.BaseOffset, Reason: reason})
}

// take consumes and returns the next n (at most MinBufferSize) bytes, which must
// end by limit. The slice aliases the bufio buffer and is valid until the
// next read. It returns nil once an error is recorded.
func (r *Reader) take(n, limit int) []byte {
	if r.err != nil {
		return nil
	}
	if n > limit-r.pos {
		r.fail(wire.ErrInvalidLength)
		return nil
	}
	b, err := r.br.Peek(n)
	if err != nil {
		r.failIO(err)
		return nil
	}
	_, _ = r.br.Discard(n) // never fails: the n bytes are buffered
	r.pos += n
	if r.crcOn {
		r.crc = crc32.Update(r.crc, castagnoli, b)
	}
	return b
}

// peekVar returns up to maxLen bytes that may hold a varint ending by limit,
// without consuming them.
func (r *Reader) peekVar(maxLen, limit int) []byte {
	if r.err != nil {
		return nil
	}
	k := min(maxLen, limit-r.pos)
	if k <= 0 {
		r.fail(wire.ErrInvalidLength)
		return nil
	}
	b, err := r.br.Peek(k)
	if len(b) == 0 && err != nil {
		r.failIO(err)
		return nil
	}
	return b
}

// consume consumes n bytes just peeked (n <= len(peeked)).
func (r *Reader) consume(b []byte, n int) {
	if r.crcOn {
		r.crc = crc32.Update(r.crc, castagnoli, b[:n])
	}
	_, _ = r.br.Discard(n)
	r.pos += n
}

// varint reads a zigzag varint (record fields) ending by limit.
func (r *Reader) varint(limit int) int64 {
	b := r.peekVar(binary.MaxVarintLen64, limit)
	if b == nil {
		return 0
	}
	if b[0] < 0x80 { // one byte: most record fields
		r.consume(b, 1)
		return int64(b[0]>>1) ^ -int64(b[0]&1)
	}
	v, n := binary.Varint(b)
	if n <= 0 {
		r.varintError()
		return 0
	}
	r.consume(b, n)
	return v
}

// uvarint reads an unsigned varint of at most 32 bits (protocol compact
// lengths and tags) ending by limit.
func (r *Reader) uvarint(limit int) int {
	b := r.peekVar(binary.MaxVarintLen32, limit)
	if b == nil {
		return 0
	}
	v, n := binary.Uvarint(b)
	if n <= 0 || v > 1<<32-1 {
		r.varintError()
		return 0
	}
	r.consume(b, n)
	return int(v)
}

// varintError fails after a varint that did not decode from the k bytes
// peeked: it runs past its limit or past its maximum width.
func (r *Reader) varintError() {
	if r.crcOn {
		r.corrupt("bad varint")
		return
	}
	r.fail(wire.ErrInvalidLength)
}

// readFull fills dst from the stream; it must end by limit. Large spans go
// from the socket straight into dst (bufio.Reader.Read bypasses its buffer
// for reads at least its size).
func (r *Reader) readFull(dst []byte, limit int) {
	if r.err != nil || len(dst) == 0 {
		return
	}
	if len(dst) > limit-r.pos {
		r.fail(wire.ErrInvalidLength)
		return
	}
	n, err := io.ReadFull(r.br, dst)
	r.pos += n
	if err != nil {
		r.failIO(err)
		return
	}
	if r.crcOn {
		r.crc = crc32.Update(r.crc, castagnoli, dst)
	}
}

// discard consumes n bytes ending by limit, adding them to the CRC when
// crcOn is set.
func (r *Reader) discard(n, limit int) {
	if n <= 0 || r.broken {
		return
	}
	if n > min(limit, r.frameEnd)-r.pos {
		r.fail(wire.ErrInvalidLength)
		return
	}
	if !r.crcOn {
		d, err := r.br.Discard(n)
		r.pos += d
		if err != nil {
			r.failIO(err)
		}
		return
	}
	for n > 0 {
		b, err := r.br.Peek(min(n, r.br.Size()))
		if len(b) == 0 {
			r.failIO(err)
			return
		}
		r.consume(b, len(b))
		n -= len(b)
	}
}

// skipTags skips a tagged-field section ending by limit.
func (r *Reader) skipTags(limit int) {
	n := r.uvarint(limit)
	if n > (limit-r.pos)/2 {
		r.fail(wire.ErrInvalidLength)
		return
	}
	for ; n > 0 && r.err == nil; n-- {
		r.uvarint(limit) // tag
		r.discard(r.uvarint(limit), limit)
	}
}

// grow returns b resized to n bytes, keeping its contents and reusing its
// capacity.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		nb := make([]byte, n, max(n, 2*cap(b)))
		copy(nb, b)
		return nb
	}
	return b[:n]
}
