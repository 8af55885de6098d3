package wire

import (
	"encoding/binary"
	"math"
)

// The Append functions encode one primitive at the end of dst and return the
// extended slice. They allocate only when cap(dst) is too small.

// AppendBool appends b as one byte (0 or 1).
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// AppendInt8 appends v as one byte.
func AppendInt8(dst []byte, v int8) []byte { return append(dst, byte(v)) }

// AppendInt16 appends v big-endian.
func AppendInt16(dst []byte, v int16) []byte { return binary.BigEndian.AppendUint16(dst, uint16(v)) }

// AppendUint16 appends v big-endian.
func AppendUint16(dst []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(dst, v) }

// AppendInt32 appends v big-endian.
func AppendInt32(dst []byte, v int32) []byte { return binary.BigEndian.AppendUint32(dst, uint32(v)) }

// AppendUint32 appends v big-endian.
func AppendUint32(dst []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(dst, v) }

// AppendInt64 appends v big-endian.
func AppendInt64(dst []byte, v int64) []byte { return binary.BigEndian.AppendUint64(dst, uint64(v)) }

// AppendFloat64 appends the IEEE 754 bits of v big-endian.
func AppendFloat64(dst []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(v))
}

// AppendUUID appends the 16 bytes of u.
func AppendUUID(dst []byte, u UUID) []byte { return append(dst, u[:]...) }

// AppendUvarint appends v as an unsigned LEB128 varint (at most 5 bytes).
func AppendUvarint(dst []byte, v uint32) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// AppendUvarlong appends v as an unsigned LEB128 varint (at most 10 bytes).
func AppendUvarlong(dst []byte, v uint64) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// AppendVarint appends v zigzag-encoded as a varint (at most 5 bytes).
func AppendVarint(dst []byte, v int32) []byte {
	return AppendUvarint(dst, uint32(v<<1)^uint32(v>>31))
}

// AppendVarlong appends v zigzag-encoded as a varint (at most 10 bytes).
func AppendVarlong(dst []byte, v int64) []byte {
	return AppendUvarlong(dst, uint64(v<<1)^uint64(v>>63))
}

// UvarintLen returns how many bytes AppendUvarint uses for v.
func UvarintLen(v uint32) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// VarintLen returns how many bytes AppendVarint uses for v.
func VarintLen(v int32) int { return UvarintLen(uint32(v<<1) ^ uint32(v>>31)) }

// VarlongLen returns how many bytes AppendVarlong uses for v.
func VarlongLen(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}

// AppendString appends s with an int16 length (STRING).
func AppendString(dst []byte, s string) []byte {
	dst = AppendInt16(dst, int16(len(s)))
	return append(dst, s...)
}

// AppendCompactString appends s with a uvarint length+1 (COMPACT_STRING).
func AppendCompactString(dst []byte, s string) []byte {
	dst = AppendUvarint(dst, uint32(len(s))+1)
	return append(dst, s...)
}

// AppendNullableString appends s, or -1 when s is null (NULLABLE_STRING).
func AppendNullableString(dst []byte, s NullString) []byte {
	if !s.Valid {
		return AppendInt16(dst, -1)
	}
	return AppendString(dst, s.String)
}

// AppendCompactNullableString appends s, or 0 when s is null
// (COMPACT_NULLABLE_STRING).
func AppendCompactNullableString(dst []byte, s NullString) []byte {
	if !s.Valid {
		return append(dst, 0)
	}
	return AppendCompactString(dst, s.String)
}

// AppendStringFlex appends s in the compact form when flexible is set, in the
// classic form otherwise.
func AppendStringFlex(dst []byte, s string, flexible bool) []byte {
	if flexible {
		return AppendCompactString(dst, s)
	}
	return AppendString(dst, s)
}

// AppendNullableStringFlex appends s in the compact nullable form when
// flexible is set, in the classic nullable form otherwise.
func AppendNullableStringFlex(dst []byte, s NullString, flexible bool) []byte {
	if flexible {
		return AppendCompactNullableString(dst, s)
	}
	return AppendNullableString(dst, s)
}

// AppendBytes appends b with an int32 length (BYTES); a nil b is written
// as empty.
func AppendBytes(dst []byte, b []byte) []byte {
	dst = AppendInt32(dst, int32(len(b)))
	return append(dst, b...)
}

// AppendNullableBytes appends b with an int32 length, or -1 when b is nil
// (NULLABLE_BYTES).
func AppendNullableBytes(dst []byte, b []byte) []byte {
	if b == nil {
		return AppendInt32(dst, -1)
	}
	return AppendBytes(dst, b)
}

// AppendCompactBytes appends b with a uvarint length+1 (COMPACT_BYTES).
func AppendCompactBytes(dst []byte, b []byte) []byte {
	dst = AppendUvarint(dst, uint32(len(b))+1)
	return append(dst, b...)
}

// AppendCompactNullableBytes appends b, or 0 when b is nil
// (COMPACT_NULLABLE_BYTES).
func AppendCompactNullableBytes(dst []byte, b []byte) []byte {
	if b == nil {
		return append(dst, 0)
	}
	return AppendCompactBytes(dst, b)
}

// AppendBytesFlex appends b in the compact form when flexible is set, in the
// classic form otherwise.
func AppendBytesFlex(dst []byte, b []byte, flexible bool) []byte {
	if flexible {
		return AppendCompactBytes(dst, b)
	}
	return AppendBytes(dst, b)
}

// AppendNullableBytesFlex appends b (nil is null) in the compact nullable
// form when flexible is set, in the classic nullable form otherwise.
func AppendNullableBytesFlex(dst []byte, b []byte, flexible bool) []byte {
	if flexible {
		return AppendCompactNullableBytes(dst, b)
	}
	return AppendNullableBytes(dst, b)
}

// AppendArrayLen appends an array length: uvarint n+1 when flexible
// (COMPACT_ARRAY), int32 n otherwise (ARRAY).
func AppendArrayLen(dst []byte, n int, flexible bool) []byte {
	if flexible {
		return AppendUvarint(dst, uint32(n)+1)
	}
	return AppendInt32(dst, int32(n))
}

// AppendNullableArrayLen appends an array length, or the null marker when
// null is set (0 when flexible, -1 otherwise).
func AppendNullableArrayLen(dst []byte, n int, null, flexible bool) []byte {
	if null {
		if flexible {
			return append(dst, 0)
		}
		return AppendInt32(dst, -1)
	}
	return AppendArrayLen(dst, n, flexible)
}

// AppendEmptyTags appends an empty tagged-field section (one zero byte) when
// flexible is set; it appends nothing otherwise.
func AppendEmptyTags(dst []byte, flexible bool) []byte {
	if flexible {
		return append(dst, 0)
	}
	return dst
}

// AppendTag appends one tagged field: its tag, its size and data.
func AppendTag(dst []byte, tag uint32, data []byte) []byte {
	dst = AppendUvarint(dst, tag)
	dst = AppendUvarint(dst, uint32(len(data)))
	return append(dst, data...)
}

// PutInt32 writes v big-endian into b[0:4]; it backfills lengths reserved
// earlier with AppendInt32(dst, 0).
func PutInt32(b []byte, v int32) { binary.BigEndian.PutUint32(b, uint32(v)) }

// PutInt16 writes v big-endian into b[0:2].
func PutInt16(b []byte, v int16) { binary.BigEndian.PutUint16(b, uint16(v)) }

// PutInt64 writes v big-endian into b[0:8].
func PutInt64(b []byte, v int64) { binary.BigEndian.PutUint64(b, uint64(v)) }

// PutUint32 writes v big-endian into b[0:4].
func PutUint32(b []byte, v uint32) { binary.BigEndian.PutUint32(b, v) }

// AppendInt32Array appends s as an ARRAY (COMPACT_ARRAY when flexible) of
// INT32; a nil s is written as an empty array.
func AppendInt32Array(dst []byte, s []int32, flexible bool) []byte {
	dst = AppendArrayLen(dst, len(s), flexible)
	for _, v := range s {
		dst = AppendInt32(dst, v)
	}
	return dst
}

// AppendStringArray appends s as an ARRAY (COMPACT_ARRAY when flexible) of
// STRING (COMPACT_STRING when flexible); a nil s is written as empty.
func AppendStringArray(dst []byte, s []string, flexible bool) []byte {
	dst = AppendArrayLen(dst, len(s), flexible)
	for _, v := range s {
		dst = AppendStringFlex(dst, v, flexible)
	}
	return dst
}

// BeginTag starts a tagged field whose size is not known yet: it appends the
// tag and a one-byte size slot, and returns the offset where the field's data
// starts. Append the data, then call EndTag with that offset.
func BeginTag(dst []byte, tag uint32) ([]byte, int) {
	dst = AppendUvarint(dst, tag)
	dst = append(dst, 0)
	return dst, len(dst)
}

// EndTag backfills the size of the tagged field whose data starts at start
// (as returned by BeginTag). A size of 128 bytes or more needs a wider
// uvarint, so the data moves right by the extra bytes.
func EndTag(dst []byte, start int) []byte {
	size := uint32(len(dst) - start)
	n := UvarintLen(size)
	if n > 1 {
		dst = append(dst, make([]byte, n-1)...)
		copy(dst[start+n-1:], dst[start:len(dst)-(n-1)])
	}
	AppendUvarint(dst[start-1:start-1], size)
	return dst
}
