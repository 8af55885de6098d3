package wire

import (
	"encoding/binary"
	"errors"
	"math"
)

// Decoding errors. Reader records the first one and ignores every read after
// it, so a decoder checks Err once per message.
var (
	// ErrTruncated means the input ended before a field it announces.
	ErrTruncated = errors.New("kafka/wire: truncated input")
	// ErrInvalidLength means a length prefix is negative (other than the
	// null marker), or claims more elements or bytes than the input holds.
	ErrInvalidLength = errors.New("kafka/wire: invalid length")
	// ErrVarintOverflow means a varint runs past its maximum width.
	ErrVarintOverflow = errors.New("kafka/wire: varint overflows")
	// ErrTrailingBytes means a message was followed by bytes it does not
	// account for.
	ErrTrailingBytes = errors.New("kafka/wire: trailing bytes")
	// ErrUnsupportedVersion means the codec has no encoding for the requested
	// API version.
	ErrUnsupportedVersion = errors.New("kafka/wire: unsupported version")
)

// Reader reads primitives from the front of a byte slice. Its first error is
// sticky: every later read returns a zero value, so a decoder checks Err once
// at the end. Slices it returns alias the input: they are valid as long as
// the input is, and must be copied to be kept beyond that.
type Reader struct {
	b   []byte
	err error
}

// NewReader returns a Reader over src.
func NewReader(src []byte) Reader { return Reader{b: src} }

// Reset makes r read src and clears its error.
func (r *Reader) Reset(src []byte) { r.b, r.err = src, nil }

// Err returns the first error met, or nil.
func (r *Reader) Err() error { return r.err }

// Len returns how many bytes remain.
func (r *Reader) Len() int { return len(r.b) }

// Remaining returns the unread bytes; they alias the input.
func (r *Reader) Remaining() []byte { return r.b }

// Fail records err unless an error is already recorded, and stops reading.
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

// Complete records ErrTrailingBytes if bytes remain, and returns Err.
func (r *Reader) Complete() error {
	if r.err == nil && len(r.b) != 0 {
		r.Fail(ErrTrailingBytes)
	}
	return r.err
}

// Span returns the next n bytes (a 3-index sub-slice, so appending to it
// cannot overwrite what follows) and advances past them.
func (r *Reader) Span(n int) []byte {
	if n < 0 || n > len(r.b) {
		if n < 0 {
			r.Fail(ErrInvalidLength)
		} else {
			r.Fail(ErrTruncated)
		}
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

// Skip advances past n bytes.
func (r *Reader) Skip(n int) { r.Span(n) }

// Bool reads one byte; anything but 0 is true.
func (r *Reader) Bool() bool { return r.Int8() != 0 }

// Int8 reads one byte.
func (r *Reader) Int8() int8 {
	if len(r.b) < 1 {
		r.Fail(ErrTruncated)
		return 0
	}
	v := int8(r.b[0])
	r.b = r.b[1:]
	return v
}

// Int16 reads a big-endian int16.
func (r *Reader) Int16() int16 {
	if len(r.b) < 2 {
		r.Fail(ErrTruncated)
		return 0
	}
	v := int16(binary.BigEndian.Uint16(r.b))
	r.b = r.b[2:]
	return v
}

// Uint16 reads a big-endian uint16.
func (r *Reader) Uint16() uint16 { return uint16(r.Int16()) }

// Int32 reads a big-endian int32.
func (r *Reader) Int32() int32 {
	if len(r.b) < 4 {
		r.Fail(ErrTruncated)
		return 0
	}
	v := int32(binary.BigEndian.Uint32(r.b))
	r.b = r.b[4:]
	return v
}

// Uint32 reads a big-endian uint32.
func (r *Reader) Uint32() uint32 { return uint32(r.Int32()) }

// Int64 reads a big-endian int64.
func (r *Reader) Int64() int64 {
	if len(r.b) < 8 {
		r.Fail(ErrTruncated)
		return 0
	}
	v := int64(binary.BigEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

// Float64 reads a big-endian IEEE 754 float64.
func (r *Reader) Float64() float64 { return math.Float64frombits(uint64(r.Int64())) }

// UUID reads 16 bytes.
func (r *Reader) UUID() (u UUID) {
	if len(r.b) < 16 {
		r.Fail(ErrTruncated)
		return u
	}
	copy(u[:], r.b)
	r.b = r.b[16:]
	return u
}

// Uvarint reads an unsigned varint of at most 5 bytes that fits in 32 bits.
func (r *Reader) Uvarint() uint32 {
	var v uint32
	for i := 0; i < 5; i++ {
		if i >= len(r.b) {
			r.Fail(ErrTruncated)
			return 0
		}
		c := r.b[i]
		if i == 4 && c > 0x0f {
			r.Fail(ErrVarintOverflow)
			return 0
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.b = r.b[i+1:]
			return v
		}
	}
	r.Fail(ErrVarintOverflow)
	return 0
}

// Uvarlong reads an unsigned varint of at most 10 bytes.
func (r *Reader) Uvarlong() uint64 {
	var v uint64
	for i := 0; i < 10; i++ {
		if i >= len(r.b) {
			r.Fail(ErrTruncated)
			return 0
		}
		c := r.b[i]
		if i == 9 && c > 1 {
			r.Fail(ErrVarintOverflow)
			return 0
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.b = r.b[i+1:]
			return v
		}
	}
	r.Fail(ErrVarintOverflow)
	return 0
}

// Varint reads a zigzag varint of at most 5 bytes.
func (r *Reader) Varint() int32 {
	u := r.Uvarint()
	return int32(u>>1) ^ -int32(u&1)
}

// Varlong reads a zigzag varint of at most 10 bytes.
func (r *Reader) Varlong() int64 {
	u := r.Uvarlong()
	return int64(u>>1) ^ -int64(u&1)
}

// length reads a classic (int32 or int16 already read) or compact length and
// checks it against what remains: it returns -1 for null, and fails on any
// other negative value or a length above the remaining bytes.
func (r *Reader) checkLen(n int64, minElem int) int {
	if n < 0 {
		if n != -1 {
			r.Fail(ErrInvalidLength)
		}
		return -1
	}
	if minElem > 0 && n > int64(len(r.b)/minElem) {
		r.Fail(ErrInvalidLength)
		return -1
	}
	return int(n)
}

func (r *Reader) compactLen() int64 {
	return int64(r.Uvarint()) - 1
}

// bytesView returns the next n bytes after a length read by the caller; a
// null length yields nil, an empty one a non-nil empty slice.
func (r *Reader) bytesView(n int64) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 {
		if n != -1 {
			r.Fail(ErrInvalidLength)
		}
		return nil
	}
	if n > int64(len(r.b)) {
		r.Fail(ErrTruncated)
		return nil
	}
	return r.Span(int(n))
}

// Bytes reads BYTES or NULLABLE_BYTES (int32 length; nil when null). The
// result aliases the input.
func (r *Reader) Bytes() []byte { return r.bytesView(int64(r.Int32())) }

// CompactBytes reads COMPACT_BYTES or COMPACT_NULLABLE_BYTES (uvarint
// length+1; nil when null). The result aliases the input.
func (r *Reader) CompactBytes() []byte { return r.bytesView(r.compactLen()) }

// BytesFlex reads compact bytes when flexible is set, classic bytes
// otherwise. The result aliases the input.
func (r *Reader) BytesFlex(flexible bool) []byte {
	if flexible {
		return r.CompactBytes()
	}
	return r.Bytes()
}

// str turns a byte view into a string, reusing old when it holds the same
// bytes so that decoding into a reused struct does not allocate for names
// that do not change (topics, hosts, member ids).
func str(b []byte, old string) string {
	if string(b) == old {
		return old
	}
	return string(b)
}

// String reads a STRING (int16 length). A null length reads as "". old is
// the value the destination field holds now: it is returned, without
// allocating, when the bytes are equal.
func (r *Reader) String(old string) string {
	return str(r.bytesView(int64(r.Int16())), old)
}

// CompactString reads a COMPACT_STRING; see String for old.
func (r *Reader) CompactString(old string) string {
	return str(r.bytesView(r.compactLen()), old)
}

// StringFlex reads a compact string when flexible is set, a classic one
// otherwise; see String for old.
func (r *Reader) StringFlex(old string, flexible bool) string {
	if flexible {
		return r.CompactString(old)
	}
	return r.String(old)
}

// NullableString reads a NULLABLE_STRING; see String for old.
func (r *Reader) NullableString(old NullString) NullString {
	b := r.bytesView(int64(r.Int16()))
	if b == nil {
		return NullString{}
	}
	return NullString{String: str(b, old.String), Valid: true}
}

// CompactNullableString reads a COMPACT_NULLABLE_STRING; see String for old.
func (r *Reader) CompactNullableString(old NullString) NullString {
	b := r.bytesView(r.compactLen())
	if b == nil {
		return NullString{}
	}
	return NullString{String: str(b, old.String), Valid: true}
}

// NullableStringFlex reads a compact nullable string when flexible is set, a
// classic one otherwise; see String for old.
func (r *Reader) NullableStringFlex(old NullString, flexible bool) NullString {
	if flexible {
		return r.CompactNullableString(old)
	}
	return r.NullableString(old)
}

// ArrayLen reads an array length (compact when flexible) and returns it, or
// -1 for a null array. minElem is the fewest bytes one element can take: a
// length that the remaining bytes cannot hold fails with ErrInvalidLength
// before the caller allocates anything for it.
func (r *Reader) ArrayLen(minElem int, flexible bool) int {
	var n int64
	if flexible {
		n = r.compactLen()
	} else {
		n = int64(r.Int32())
	}
	if r.err != nil {
		return -1
	}
	return r.checkLen(n, minElem)
}

// Tags reads a tagged-field section and returns how many fields it holds;
// the caller then reads each with Tag. Unknown tags are skipped by the
// caller by ignoring their data.
func (r *Reader) Tags() int {
	n := r.Uvarint()
	if r.err != nil {
		return 0
	}
	// Each field takes at least two bytes (tag and size).
	return r.checkLen(int64(n), 2)
}

// Tag reads one tagged field: its tag and its data (aliasing the input).
func (r *Reader) Tag() (tag uint32, data []byte) {
	tag = r.Uvarint()
	size := r.Uvarint()
	return tag, r.bytesView(int64(size))
}

// SkipTags reads a tagged-field section when flexible is set and ignores
// every field in it.
func (r *Reader) SkipTags(flexible bool) {
	if !flexible {
		return
	}
	for n := r.Tags(); n > 0; n-- {
		r.Tag()
	}
}

// Grow returns s with length n, reusing its capacity when it suffices.
// Elements within the old capacity keep whatever they held, so a decoder can
// reuse their nested slices and strings; it must therefore assign every field
// of every element it decodes (a field absent from a version gets its
// default). Elements beyond the old capacity are zero values.
func Grow[T any](s []T, n int) []T {
	if n <= cap(s) {
		return s[:n]
	}
	return append(s[:cap(s)], make([]T, n-cap(s))...)
}

// Int32Array reads an ARRAY (or COMPACT_ARRAY when flexible) of INT32 into
// old's capacity and returns it; a null array reads as nil. Reusing old means
// decoding into a reused struct (replica lists, broker ids) allocates nothing
// once its capacity suffices.
func (r *Reader) Int32Array(old []int32, flexible bool) []int32 {
	n := r.ArrayLen(4, flexible)
	if n < 0 {
		return nil
	}
	b := r.Span(4 * n)
	if len(b) != 4*n {
		return nil
	}
	s := Grow(old, n)
	for i := range s {
		s[i] = int32(binary.BigEndian.Uint32(b[4*i:]))
	}
	return s
}

// StringArray reads an ARRAY (or COMPACT_ARRAY when flexible) of STRING into
// old's capacity and returns it; a null array reads as nil. Each element
// keeps its old string when the bytes are equal (see String).
func (r *Reader) StringArray(old []string, flexible bool) []string {
	minElem := 2
	if flexible {
		minElem = 1
	}
	n := r.ArrayLen(minElem, flexible)
	if n < 0 {
		return nil
	}
	s := Grow(old, n)
	for i := range s {
		s[i] = r.StringFlex(s[i], flexible)
	}
	return s
}
