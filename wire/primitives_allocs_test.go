//go:build !race

package wire

import (
	"math"
	"strings"
	"testing"
)

// TestAllocsStringKeepsOld asserts that every string reader returns the
// destination's old value without allocating when the bytes are equal, and
// allocates the new string (once) when they differ.
func TestAllocsStringKeepsOld(t *testing.T) {
	old := strings.Clone("consumer-group-1")
	classic := AppendString(nil, old)
	compact := AppendCompactString(nil, old)
	// The readers are picked by a switch, not through function values, so
	// that the Reader stays on the stack as it does in a decoder.
	read := func(i int, src []byte, o string) string {
		r := NewReader(src)
		switch i {
		case 0:
			return r.String(o)
		case 1:
			return r.CompactString(o)
		case 2:
			return r.StringFlex(o, false)
		case 3:
			return r.StringFlex(o, true)
		case 4:
			return r.NullableString(NewNullString(o)).String
		case 5:
			return r.CompactNullableString(NewNullString(o)).String
		default:
			return r.NullableStringFlex(NewNullString(o), true).String
		}
	}
	for i, src := range [][]byte{classic, compact, classic, compact, classic, compact, compact} {
		var got string
		n := testing.AllocsPerRun(100, func() { got = read(i, src, old) })
		if n != 0 || got != old {
			t.Errorf("reader %d over an equal old value: %v allocs (%q), want 0", i, n, got)
		}
		n = testing.AllocsPerRun(100, func() { got = read(i, src, "different") })
		if n != 1 || got != old {
			t.Errorf("reader %d over a different old value: %v allocs (%q), want 1", i, n, got)
		}
	}
}

// TestAllocsBadLengths asserts that forged lengths fail without allocating,
// even into destinations without capacity.
func TestAllocsBadLengths(t *testing.T) {
	pad := make([]byte, 32)
	for _, c := range badLengths {
		src := append(c.prefix[:len(c.prefix):len(c.prefix)], pad...)
		n := testing.AllocsPerRun(100, func() {
			r := NewReader(src)
			r.BytesFlex(c.flexible)
			r = NewReader(src)
			r.StringFlex("", c.flexible)
			r = NewReader(src)
			r.NullableStringFlex(NullString{}, c.flexible)
			r = NewReader(src)
			r.Int32Array(nil, c.flexible)
			r = NewReader(src)
			r.StringArray(nil, c.flexible)
		})
		if n != 0 {
			t.Errorf("%s: %v allocs, want 0", c.name, n)
		}
	}
}

// TestAllocsPrimitives asserts that appending every primitive into a warm
// buffer, and reading it back (arrays into reused slices), allocate nothing.
func TestAllocsPrimitives(t *testing.T) {
	ids := []int32{1, 2, 3}
	names := []string{"a", "bb"}
	value := []byte("value")
	u := testUUID(2)
	encode := func(b []byte) []byte {
		b = AppendBool(b, true)
		b = AppendInt8(b, -1)
		b = AppendInt16(b, math.MinInt16)
		b = AppendUint16(b, math.MaxUint16)
		b = AppendInt32(b, math.MinInt32)
		b = AppendUint32(b, math.MaxUint32)
		b = AppendInt64(b, math.MaxInt64)
		b = AppendFloat64(b, math.Pi)
		b = AppendUUID(b, u)
		b = AppendUvarint(b, math.MaxUint32)
		b = AppendUvarlong(b, math.MaxUint64)
		b = AppendVarint(b, math.MinInt32)
		b = AppendVarlong(b, math.MinInt64)
		b = AppendString(b, "s")
		b = AppendCompactNullableString(b, NewNullString("n"))
		b = AppendNullableBytes(b, value)
		b = AppendCompactBytes(b, value)
		b = AppendNullableArrayLen(b, 0, true, true)
		b = AppendInt32Array(b, ids, true)
		b = AppendStringArray(b, names, false)
		b = AppendUvarint(b, 1)
		b = AppendTag(b, 1, value)
		return AppendEmptyTags(b, true)
	}
	src := encode(nil)
	buf := make([]byte, 0, len(src))
	if n := testing.AllocsPerRun(100, func() { buf = encode(buf[:0]) }); n != 0 {
		t.Errorf("appending primitives into a warm buffer: %v allocs, want 0", n)
	}
	var (
		gotIDs   []int32
		gotNames []string
		s        string
		ns       NullString
		err      error
	)
	decode := func() {
		r := NewReader(src)
		r.Bool()
		r.Int8()
		r.Int16()
		r.Uint16()
		r.Int32()
		r.Uint32()
		r.Int64()
		r.Float64()
		r.UUID()
		r.Uvarint()
		r.Uvarlong()
		r.Varint()
		r.Varlong()
		s = r.String(s)
		ns = r.CompactNullableString(ns)
		r.Bytes()
		r.CompactBytes()
		r.ArrayLen(4, true)
		gotIDs = r.Int32Array(gotIDs, true)
		gotNames = r.StringArray(gotNames, false)
		r.Tags()
		r.Tag()
		r.SkipTags(true)
		err = r.Complete()
	}
	decode()
	if err != nil || s != "s" || ns.String != "n" || len(gotIDs) != 3 || len(gotNames) != 2 || gotNames[1] != "bb" {
		t.Fatalf("decode: err %v, %q %+v %v %q", err, s, ns, gotIDs, gotNames)
	}
	if n := testing.AllocsPerRun(100, decode); n != 0 || err != nil {
		t.Errorf("reading primitives into reused values: %v allocs (err %v), want 0", n, err)
	}
}
