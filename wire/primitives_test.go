package wire

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

// checkFixed encodes each value with app, checks the encoding is size
// bytes long and (for the first value, if golden is given) equal to golden,
// decodes it with read, and checks that every shorter prefix fails with
// ErrTruncated and reads as the zero value.
func checkFixed[T comparable](t *testing.T, name string, size int, vals []T, golden []byte, app func([]byte, T) []byte, read func(*Reader) T) {
	t.Helper()
	var zero T
	for i, v := range vals {
		enc := app([]byte{0xee}, v)[1:] // appends after existing bytes
		if len(enc) != size {
			t.Fatalf("%s(%v): %d bytes, want %d", name, v, len(enc), size)
		}
		if i == 0 && golden != nil && !bytes.Equal(enc, golden) {
			t.Fatalf("%s(%v) = %x, want %x", name, v, enc, golden)
		}
		r := NewReader(enc)
		if got := read(&r); got != v || r.Complete() != nil {
			t.Fatalf("%s: %v decoded as %v (err %v)", name, v, got, r.Err())
		}
		for n := 0; n < size; n++ {
			r := NewReader(enc[:n])
			if got := read(&r); got != zero || !errors.Is(r.Err(), ErrTruncated) {
				t.Fatalf("%s: %d/%d bytes read as %v, err %v; want zero and ErrTruncated", name, n, size, got, r.Err())
			}
		}
	}
}

func TestFixedWidthPrimitives(t *testing.T) {
	checkFixed(t, "Bool", 1, []bool{true, false}, []byte{1}, AppendBool, (*Reader).Bool)
	checkFixed(t, "Int8", 1, []int8{-1, 0, 1, math.MinInt8, math.MaxInt8}, []byte{0xff}, AppendInt8, (*Reader).Int8)
	checkFixed(t, "Int16", 2, []int16{-2, 0, 1, -1, math.MinInt16, math.MaxInt16}, []byte{0xff, 0xfe}, AppendInt16, (*Reader).Int16)
	checkFixed(t, "Uint16", 2, []uint16{0x1234, 0, 1, math.MaxUint16}, []byte{0x12, 0x34}, AppendUint16, (*Reader).Uint16)
	checkFixed(t, "Int32", 4, []int32{0x01020304, 0, 1, -1, math.MinInt32, math.MaxInt32}, []byte{1, 2, 3, 4}, AppendInt32, (*Reader).Int32)
	checkFixed(t, "Uint32", 4, []uint32{math.MaxUint32, 0, 1, math.MaxUint32 - 1}, []byte{0xff, 0xff, 0xff, 0xff}, AppendUint32, (*Reader).Uint32)
	checkFixed(t, "Int64", 8, []int64{math.MinInt64, 0, 1, -1, math.MaxInt64}, []byte{0x80, 0, 0, 0, 0, 0, 0, 0}, AppendInt64, (*Reader).Int64)
	checkFixed(t, "Float64", 8, []float64{1, 0, -1, math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1)},
		[]byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}, AppendFloat64, (*Reader).Float64)
	u := testUUID(1)
	checkFixed(t, "UUID", 16, []UUID{u, {}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		u[:], AppendUUID, (*Reader).UUID)

	// Bool reads any non-zero byte as true; NaN survives bit for bit.
	if r := NewReader([]byte{0x7f}); !r.Bool() {
		t.Fatal("Bool(0x7f) = false")
	}
	nan := math.Float64frombits(0x7ff8000000000001)
	if r := NewReader(AppendFloat64(nil, nan)); math.Float64bits(r.Float64()) != 0x7ff8000000000001 {
		t.Fatal("Float64 NaN payload lost")
	}
}

func TestPut(t *testing.T) {
	b := bytes.Repeat([]byte{0xee}, 10)
	PutInt32(b[1:], -2)
	PutInt16(b[5:], 0x0102)
	if want := []byte{0xee, 0xff, 0xff, 0xff, 0xfe, 1, 2, 0xee, 0xee, 0xee}; !bytes.Equal(b, want) {
		t.Fatalf("PutInt32, PutInt16 = %x, want %x", b, want)
	}
	PutInt64(b[1:], math.MinInt64+1)
	PutUint32(b[6:], math.MaxUint32)
	if want := []byte{0xee, 0x80, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}; !bytes.Equal(b, want) {
		t.Fatalf("PutInt64, PutUint32 = %x, want %x", b, want)
	}
	// A reserved slot backfilled by PutInt32 reads back.
	dst := AppendInt32([]byte("x"), 0)
	dst = append(dst, "body"...)
	PutInt32(dst[1:], int32(len(dst)-5))
	r := NewReader(dst[1:])
	if n := r.Int32(); n != 4 {
		t.Fatalf("backfilled length %d, want 4", n)
	}
}

// uvarintCases are values at each boundary of the LEB128 widths of 32-bit
// varints, with their encoded sizes.
var uvarintCases = []struct {
	v    uint32
	size int
}{
	{0, 1}, {1, 1}, {127, 1},
	{128, 2}, {300, 2}, {1<<14 - 1, 2},
	{1 << 14, 3}, {1<<21 - 1, 3},
	{1 << 21, 4}, {1<<28 - 1, 4},
	{1 << 28, 5}, {math.MaxInt32, 5}, {math.MaxUint32 - 1, 5}, {math.MaxUint32, 5},
}

func TestUvarint(t *testing.T) {
	for _, c := range uvarintCases {
		enc := AppendUvarint(nil, c.v)
		if len(enc) != c.size || UvarintLen(c.v) != c.size {
			t.Fatalf("Uvarint(%d): %d bytes, UvarintLen %d; want %d", c.v, len(enc), UvarintLen(c.v), c.size)
		}
		for i, b := range enc {
			if last := i == len(enc)-1; (b < 0x80) != last {
				t.Fatalf("Uvarint(%d) = %x: continuation bits wrong", c.v, enc)
			}
		}
		r := NewReader(enc)
		if got := r.Uvarint(); got != c.v || r.Complete() != nil {
			t.Fatalf("Uvarint(%d) decoded as %d (err %v)", c.v, got, r.Err())
		}
		// Uvarlong reads the same bytes as the same value.
		r = NewReader(enc)
		if got := r.Uvarlong(); got != uint64(c.v) || r.Complete() != nil {
			t.Fatalf("Uvarlong of Uvarint(%d) = %d (err %v)", c.v, got, r.Err())
		}
		for n := 0; n < len(enc); n++ {
			r := NewReader(enc[:n])
			if got := r.Uvarint(); got != 0 || !errors.Is(r.Err(), ErrTruncated) {
				t.Fatalf("Uvarint(%d) cut at %d: %d, err %v", c.v, n, got, r.Err())
			}
		}
	}
	if got := AppendUvarint(nil, 300); !bytes.Equal(got, []byte{0xac, 0x02}) {
		t.Fatalf("Uvarint(300) = %x, want ac02", got)
	}
	if got := AppendUvarint(nil, math.MaxUint32); !bytes.Equal(got, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}) {
		t.Fatalf("Uvarint(MaxUint32) = %x", got)
	}
}

func TestVarlongWidths(t *testing.T) {
	for k := 1; k <= 10; k++ {
		// The smallest and largest values that take k bytes.
		lo, hi := uint64(0), uint64(math.MaxUint64)
		if k > 1 {
			lo = 1 << (7 * (k - 1))
		}
		if k < 10 {
			hi = 1<<(7*k) - 1
		}
		for _, v := range []uint64{lo, hi} {
			enc := AppendUvarlong(nil, v)
			if len(enc) != k {
				t.Fatalf("Uvarlong(%d): %d bytes, want %d", v, len(enc), k)
			}
			r := NewReader(enc)
			if got := r.Uvarlong(); got != v || r.Complete() != nil {
				t.Fatalf("Uvarlong(%d) decoded as %d (err %v)", v, got, r.Err())
			}
			// The zigzag value with the same unsigned form has the same size.
			s := int64(v>>1) ^ -int64(v&1)
			enc = AppendVarlong(nil, s)
			if len(enc) != k || VarlongLen(s) != k {
				t.Fatalf("Varlong(%d): %d bytes, VarlongLen %d; want %d", s, len(enc), VarlongLen(s), k)
			}
			r = NewReader(enc)
			if got := r.Varlong(); got != s || r.Complete() != nil {
				t.Fatalf("Varlong(%d) decoded as %d (err %v)", s, got, r.Err())
			}
			for n := 0; n < len(enc); n++ {
				r := NewReader(enc[:n])
				if got := r.Varlong(); got != 0 || !errors.Is(r.Err(), ErrTruncated) {
					t.Fatalf("Varlong(%d) cut at %d: %d, err %v", s, n, got, r.Err())
				}
			}
		}
	}
}

func TestVarintZigzag(t *testing.T) {
	for _, c := range []struct {
		v    int32
		want []byte
	}{
		{0, []byte{0}}, {-1, []byte{1}}, {1, []byte{2}}, {-2, []byte{3}},
		{63, []byte{0x7e}}, {-64, []byte{0x7f}}, {64, []byte{0x80, 1}}, {-65, []byte{0x81, 1}},
		{math.MaxInt32, []byte{0xfe, 0xff, 0xff, 0xff, 0x0f}},
		{math.MinInt32, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}},
	} {
		enc := AppendVarint(nil, c.v)
		if !bytes.Equal(enc, c.want) || VarintLen(c.v) != len(c.want) {
			t.Fatalf("Varint(%d) = %x (VarintLen %d), want %x", c.v, enc, VarintLen(c.v), c.want)
		}
		r := NewReader(enc)
		if got := r.Varint(); got != c.v || r.Complete() != nil {
			t.Fatalf("Varint(%d) decoded as %d (err %v)", c.v, got, r.Err())
		}
	}
	for _, c := range uvarintCases {
		s := int32(c.v>>1) ^ -int32(c.v&1)
		if VarintLen(s) != c.size || len(AppendVarint(nil, s)) != c.size {
			t.Fatalf("Varint(%d): want %d bytes", s, c.size)
		}
	}
	for _, c := range []struct {
		v    int64
		want []byte
	}{
		{0, []byte{0}}, {-1, []byte{1}}, {1, []byte{2}},
		{math.MaxInt64, []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{math.MinInt64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{math.MaxInt32 + 1, []byte{0x80, 0x80, 0x80, 0x80, 0x10}},
	} {
		enc := AppendVarlong(nil, c.v)
		if !bytes.Equal(enc, c.want) || VarlongLen(c.v) != len(c.want) {
			t.Fatalf("Varlong(%d) = %x (VarlongLen %d), want %x", c.v, enc, VarlongLen(c.v), c.want)
		}
		r := NewReader(enc)
		if got := r.Varlong(); got != c.v || r.Complete() != nil {
			t.Fatalf("Varlong(%d) decoded as %d (err %v)", c.v, got, r.Err())
		}
	}
}

func TestVarintOverflow(t *testing.T) {
	for _, c := range []struct {
		name string
		src  []byte
		long bool
	}{
		{"6-byte uvarint", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, false},
		{"5-byte uvarint, bit 32 set", []byte{0xff, 0xff, 0xff, 0xff, 0x1f}, false},
		{"5-byte uvarint, top bits set", []byte{0x80, 0x80, 0x80, 0x80, 0x70}, false},
		{"uvarint 2^32 (Uvarlong reads it)", AppendUvarlong(nil, 1<<32), false},
		{"11-byte uvarlong", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, true},
		{"10-byte uvarlong, bit 64 set", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, true},
	} {
		r := NewReader(c.src)
		var got uint64
		if c.long {
			got = r.Uvarlong()
		} else {
			got = uint64(r.Uvarint())
		}
		if got != 0 || !errors.Is(r.Err(), ErrVarintOverflow) {
			t.Fatalf("%s: %d, err %v; want ErrVarintOverflow", c.name, got, r.Err())
		}
		// Varint and Varlong report the same error.
		r = NewReader(c.src)
		if c.long {
			r.Varlong()
		} else {
			r.Varint()
		}
		if !errors.Is(r.Err(), ErrVarintOverflow) {
			t.Fatalf("%s: signed read err %v; want ErrVarintOverflow", c.name, r.Err())
		}
	}
	// A 10-byte varlong whose last byte is 1 is the largest value, not an
	// overflow.
	r := NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	if got := r.Uvarlong(); got != math.MaxUint64 || r.Err() != nil {
		t.Fatalf("10-byte MaxUint64: %d, err %v", got, r.Err())
	}
}

// lengthCase is a length prefix that the bytes after it (pad) cannot
// satisfy, with the error each kind of read must report.
type lengthCase struct {
	name     string
	prefix   []byte
	flexible bool
	bytesErr error // Bytes/String reads
	arrayErr error // ArrayLen with minElem 1
}

var badLengths = []lengthCase{
	{"classic -2", AppendInt32(nil, -2), false, ErrInvalidLength, ErrInvalidLength},
	{"classic MinInt32", AppendInt32(nil, math.MinInt32), false, ErrInvalidLength, ErrInvalidLength},
	{"classic 2^31-1", AppendInt32(nil, math.MaxInt32), false, ErrTruncated, ErrInvalidLength},
	{"compact 2^31-1", AppendUvarint(nil, math.MaxInt32+1), true, ErrTruncated, ErrInvalidLength},
	{"compact uvarint 2^32-1 (length 2^32-2)", AppendUvarint(nil, math.MaxUint32), true, ErrTruncated, ErrInvalidLength},
}

func TestBadLengths(t *testing.T) {
	pad := make([]byte, 32)
	for _, c := range badLengths {
		src := append(c.prefix[:len(c.prefix):len(c.prefix)], pad...)
		r := NewReader(src)
		if b := r.BytesFlex(c.flexible); b != nil || !errors.Is(r.Err(), c.bytesErr) {
			t.Errorf("%s: BytesFlex = %x, err %v; want nil and %v", c.name, b, r.Err(), c.bytesErr)
		}
		if c.flexible {
			r = NewReader(src)
			if s := r.CompactString("old"); s != "" || !errors.Is(r.Err(), c.bytesErr) {
				t.Errorf("%s: CompactString = %q, err %v; want %v", c.name, s, r.Err(), c.bytesErr)
			}
			r = NewReader(src)
			if s := r.CompactNullableString(NewNullString("old")); s.Valid || !errors.Is(r.Err(), c.bytesErr) {
				t.Errorf("%s: CompactNullableString = %+v, err %v; want %v", c.name, s, r.Err(), c.bytesErr)
			}
		}
		r = NewReader(src)
		if n := r.ArrayLen(1, c.flexible); n != -1 || !errors.Is(r.Err(), c.arrayErr) {
			t.Errorf("%s: ArrayLen = %d, err %v; want -1 and %v", c.name, n, r.Err(), c.arrayErr)
		}
		r = NewReader(src)
		if s := r.Int32Array([]int32{1}, c.flexible); s != nil || !errors.Is(r.Err(), c.arrayErr) {
			t.Errorf("%s: Int32Array = %v, err %v; want %v", c.name, s, r.Err(), c.arrayErr)
		}
		r = NewReader(src)
		if s := r.StringArray([]string{"a"}, c.flexible); s != nil || !errors.Is(r.Err(), c.arrayErr) {
			t.Errorf("%s: StringArray = %v, err %v; want %v", c.name, s, r.Err(), c.arrayErr)
		}
	}
	// Classic string lengths are int16: -2 is invalid, 32767 is truncated.
	for _, c := range []struct {
		v    int16
		want error
	}{{-2, ErrInvalidLength}, {math.MinInt16, ErrInvalidLength}, {math.MaxInt16, ErrTruncated}} {
		src := append(AppendInt16(nil, c.v), pad...)
		r := NewReader(src)
		if s := r.String("old"); s != "" || !errors.Is(r.Err(), c.want) {
			t.Errorf("String length %d: %q, err %v; want %v", c.v, s, r.Err(), c.want)
		}
		r = NewReader(src)
		if s := r.NullableString(NewNullString("old")); s.Valid || !errors.Is(r.Err(), c.want) {
			t.Errorf("NullableString length %d: %+v, err %v; want %v", c.v, s, r.Err(), c.want)
		}
	}
	// An array count is checked against what remains: minElem 4 with 8
	// bytes left allows 2 elements, not 3.
	r := NewReader(append(AppendInt32(nil, 3), make([]byte, 8)...))
	if n := r.ArrayLen(4, false); n != -1 || !errors.Is(r.Err(), ErrInvalidLength) {
		t.Errorf("ArrayLen(3) over 8 bytes, minElem 4: %d, err %v", n, r.Err())
	}
	r = NewReader(append(AppendInt32(nil, 2), make([]byte, 8)...))
	if n := r.ArrayLen(4, false); n != 2 || r.Err() != nil {
		t.Errorf("ArrayLen(2) over 8 bytes, minElem 4: %d, err %v", n, r.Err())
	}
}

func TestStrings(t *testing.T) {
	long := strings.Repeat("x", math.MaxInt16)
	for _, flex := range []bool{false, true} {
		for _, s := range []string{"", "a", "topic-name", strings.Repeat("y", 200), long} {
			enc := AppendStringFlex(nil, s, flex)
			var want []byte
			if flex {
				want = AppendUvarint(nil, uint32(len(s))+1)
			} else {
				want = AppendInt16(nil, int16(len(s)))
			}
			if !bytes.Equal(enc[:len(want)], want) || string(enc[len(want):]) != s {
				t.Fatalf("flex %v: StringFlex(%d bytes): bad prefix %x", flex, len(s), enc[:len(want)])
			}
			r := NewReader(enc)
			if got := r.StringFlex("other", flex); got != s || r.Complete() != nil {
				t.Fatalf("flex %v: string of %d bytes decoded as %d bytes (err %v)", flex, len(s), len(got), r.Err())
			}
			ns := NewNullString(s)
			enc = AppendNullableStringFlex(nil, ns, flex)
			r = NewReader(enc)
			if got := r.NullableStringFlex(NullString{}, flex); got != ns || r.Complete() != nil {
				t.Fatalf("flex %v: nullable string of %d bytes decoded as %+v (err %v)", flex, len(s), got.Valid, r.Err())
			}
			for n := 0; n < len(enc) && n < 8; n++ {
				r := NewReader(enc[:n])
				if r.NullableStringFlex(NullString{}, flex); !errors.Is(r.Err(), ErrTruncated) {
					t.Fatalf("flex %v: nullable string cut at %d: err %v", flex, n, r.Err())
				}
			}
		}
		// Null: -1 classic, 0 compact; it reads as null, and as "" where a
		// non-nullable string is expected.
		enc := AppendNullableStringFlex(nil, NullString{}, flex)
		want := []byte{0xff, 0xff}
		if flex {
			want = []byte{0}
		}
		if !bytes.Equal(enc, want) {
			t.Fatalf("flex %v: null string = %x, want %x", flex, enc, want)
		}
		r := NewReader(enc)
		if got := r.NullableStringFlex(NewNullString("old"), flex); got.Valid || got.String != "" || r.Complete() != nil {
			t.Fatalf("flex %v: null read as %+v (err %v)", flex, got, r.Err())
		}
		r = NewReader(enc)
		if got := r.StringFlex("old", flex); got != "" || r.Complete() != nil {
			t.Fatalf("flex %v: null as non-nullable string: %q (err %v)", flex, got, r.Err())
		}
		// An empty string is not null.
		r = NewReader(AppendNullableStringFlex(nil, NewNullString(""), flex))
		if got := r.NullableStringFlex(NullString{}, flex); !got.Valid || got.String != "" {
			t.Fatalf("flex %v: empty nullable string read as %+v", flex, got)
		}
	}
	// The classic and compact forms of the explicit functions.
	if got := AppendString(nil, "ab"); !bytes.Equal(got, []byte{0, 2, 'a', 'b'}) {
		t.Fatalf("AppendString = %x", got)
	}
	if got := AppendCompactString(nil, "ab"); !bytes.Equal(got, []byte{3, 'a', 'b'}) {
		t.Fatalf("AppendCompactString = %x", got)
	}
	if got := AppendNullableString(nil, NewNullString("")); !bytes.Equal(got, []byte{0, 0}) {
		t.Fatalf("AppendNullableString(empty) = %x", got)
	}
	if got := AppendCompactNullableString(nil, NewNullString("")); !bytes.Equal(got, []byte{1}) {
		t.Fatalf("AppendCompactNullableString(empty) = %x", got)
	}
}

// TestStringKeepsOld checks that a read returns the destination's old
// string when the bytes are equal, and the new one otherwise.
func TestStringKeepsOld(t *testing.T) {
	old := strings.Clone("topic")
	enc := AppendString(nil, "topic")
	r := NewReader(enc)
	if got := r.String(old); got != old {
		t.Fatalf("String = %q", got)
	}
	r = NewReader(enc)
	if got := r.String("other"); got != "topic" {
		t.Fatalf("String over other = %q", got)
	}
	// The decoded string never aliases the input, which the caller may
	// overwrite.
	r = NewReader(enc)
	got := r.String("")
	enc[2] = 'X'
	if got != "topic" {
		t.Fatalf("String aliases its input: %q", got)
	}
}

func TestBytes(t *testing.T) {
	for _, flex := range []bool{false, true} {
		for _, b := range [][]byte{{}, {0}, []byte("value"), bytes.Repeat([]byte{7}, 300)} {
			enc := AppendBytesFlex(nil, b, flex)
			r := NewReader(enc)
			got := r.BytesFlex(flex)
			if got == nil || !bytes.Equal(got, b) || r.Complete() != nil {
				t.Fatalf("flex %v: %d bytes decoded as %x (nil %v, err %v)", flex, len(b), got, got == nil, r.Err())
			}
			if cap(got) != len(got) {
				t.Fatalf("flex %v: decoded bytes have cap %d > len %d", flex, cap(got), len(got))
			}
			if !bytes.Equal(AppendNullableBytesFlex(nil, b, flex), enc) {
				t.Fatalf("flex %v: nullable form of non-nil bytes differs", flex)
			}
			for n := 0; n < len(enc); n++ {
				r := NewReader(enc[:n])
				if got := r.BytesFlex(flex); got != nil || !errors.Is(r.Err(), ErrTruncated) {
					t.Fatalf("flex %v: %d-byte value cut at %d: %x, err %v", flex, len(b), n, got, r.Err())
				}
			}
		}
		// nil is written as empty by the non-nullable form, as null by the
		// nullable one; null reads as nil.
		empty, null := []byte{0, 0, 0, 0}, []byte{0xff, 0xff, 0xff, 0xff}
		if flex {
			empty, null = []byte{1}, []byte{0}
		}
		if got := AppendBytesFlex(nil, nil, flex); !bytes.Equal(got, empty) {
			t.Fatalf("flex %v: AppendBytesFlex(nil) = %x, want %x", flex, got, empty)
		}
		if got := AppendNullableBytesFlex(nil, nil, flex); !bytes.Equal(got, null) {
			t.Fatalf("flex %v: AppendNullableBytesFlex(nil) = %x, want %x", flex, got, null)
		}
		r := NewReader(null)
		if got := r.BytesFlex(flex); got != nil || r.Complete() != nil {
			t.Fatalf("flex %v: null bytes read as %x (err %v)", flex, got, r.Err())
		}
	}
	// Compact length 0 is null for the explicit readers too.
	r := NewReader([]byte{0})
	if got := r.CompactBytes(); got != nil || r.Complete() != nil {
		t.Fatalf("CompactBytes(0) = %x, err %v", got, r.Err())
	}
	r = NewReader([]byte{0})
	if got := r.CompactNullableString(NewNullString("x")); got.Valid || r.Complete() != nil {
		t.Fatalf("CompactNullableString(0) = %+v, err %v", got, r.Err())
	}
	// The explicit encoders.
	for _, c := range []struct {
		name      string
		got, want []byte
	}{
		{"AppendBytes", AppendBytes(nil, []byte("ab")), []byte{0, 0, 0, 2, 'a', 'b'}},
		{"AppendNullableBytes empty", AppendNullableBytes(nil, []byte{}), []byte{0, 0, 0, 0}},
		{"AppendCompactBytes", AppendCompactBytes(nil, []byte("ab")), []byte{3, 'a', 'b'}},
		{"AppendCompactNullableBytes empty", AppendCompactNullableBytes(nil, []byte{}), []byte{1}},
		{"AppendCompactNullableBytes nil", AppendCompactNullableBytes(nil, nil), []byte{0}},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Fatalf("%s = %x, want %x", c.name, c.got, c.want)
		}
	}
	r = NewReader([]byte{0, 0, 0, 2, 'a', 'b', 3, 'c', 'd'})
	if a, b := r.Bytes(), r.CompactBytes(); string(a) != "ab" || string(b) != "cd" || r.Complete() != nil {
		t.Fatalf("Bytes, CompactBytes = %q, %q (err %v)", a, b, r.Err())
	}
}

func TestArrays(t *testing.T) {
	for _, flex := range []bool{false, true} {
		for _, n := range []int{0, 1, 126, 127, 128, 1 << 14} {
			enc := AppendArrayLen(nil, n, flex)
			if flex && len(enc) != UvarintLen(uint32(n)+1) || !flex && len(enc) != 4 {
				t.Fatalf("flex %v: ArrayLen(%d) = %x", flex, n, enc)
			}
			r := NewReader(enc)
			if got := r.ArrayLen(0, flex); got != n || r.Complete() != nil {
				t.Fatalf("flex %v: ArrayLen(%d) read as %d (err %v)", flex, n, got, r.Err())
			}
			if !bytes.Equal(AppendNullableArrayLen(nil, n, false, flex), enc) {
				t.Fatalf("flex %v: AppendNullableArrayLen(%d, not null) differs", flex, n)
			}
		}
		null := AppendNullableArrayLen(nil, 5, true, flex)
		if want := map[bool][]byte{false: {0xff, 0xff, 0xff, 0xff}, true: {0}}[flex]; !bytes.Equal(null, want) {
			t.Fatalf("flex %v: null array = %x, want %x", flex, null, want)
		}
		r := NewReader(null)
		if n := r.ArrayLen(4, flex); n != -1 || r.Complete() != nil {
			t.Fatalf("flex %v: null array read as %d (err %v)", flex, n, r.Err())
		}
		r = NewReader(null)
		if s := r.Int32Array([]int32{1, 2}, flex); s != nil || r.Complete() != nil {
			t.Fatalf("flex %v: null Int32Array = %v (err %v)", flex, s, r.Err())
		}
		r = NewReader(null)
		if s := r.StringArray([]string{"a"}, flex); s != nil || r.Complete() != nil {
			t.Fatalf("flex %v: null StringArray = %v (err %v)", flex, s, r.Err())
		}

		ids := []int32{math.MinInt32, -1, 0, 1, math.MaxInt32}
		enc := AppendInt32Array(nil, ids, flex)
		old := make([]int32, 1, 8)
		r = NewReader(enc)
		got := r.Int32Array(old, flex)
		if !equalInt32s(got, ids) || r.Complete() != nil || &got[0] != &old[0] {
			t.Fatalf("flex %v: Int32Array = %v (err %v, reused %v)", flex, got, r.Err(), &got[0] == &old[0])
		}
		names := []string{"", "a", "topic"}
		enc = AppendStringArray(nil, names, flex)
		r = NewReader(enc)
		if got := r.StringArray(nil, flex); len(got) != 3 || got[0] != "" || got[1] != "a" || got[2] != "topic" || r.Complete() != nil {
			t.Fatalf("flex %v: StringArray = %q (err %v)", flex, got, r.Err())
		}
		// nil arrays are written as empty, not null.
		r = NewReader(AppendStringArray(AppendInt32Array(nil, nil, flex), nil, flex))
		if a, b := r.ArrayLen(4, flex), r.ArrayLen(1, flex); a != 0 || b != 0 || r.Complete() != nil {
			t.Fatalf("flex %v: nil arrays read as lengths %d, %d (err %v)", flex, a, b, r.Err())
		}
	}
}

func equalInt32s(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGrow(t *testing.T) {
	if s := Grow[int](nil, 0); s != nil {
		t.Fatalf("Grow(nil, 0) = %v, want nil", s)
	}
	s := make([]string, 2, 4)
	s[0], s[1] = "keep", "me"
	g := Grow(s, 3)
	if len(g) != 3 || &g[0] != &s[0] || g[0] != "keep" || g[1] != "me" {
		t.Fatalf("Grow within capacity: %q, reused %v", g, &g[0] == &s[0])
	}
	// Elements within the old capacity keep what they held.
	s[:4][3] = "stale"
	if g = Grow(s, 4); g[3] != "stale" {
		t.Fatalf("Grow(4)[3] = %q, want the old element", g[3])
	}
	g = Grow(s, 6)
	if len(g) != 6 || g[0] != "keep" || g[3] != "stale" || g[4] != "" || g[5] != "" {
		t.Fatalf("Grow beyond capacity: %q", g)
	}
	if g = Grow(s, 1); len(g) != 1 || cap(g) != 4 {
		t.Fatalf("Grow shrink: len %d cap %d", len(g), cap(g))
	}
}

func TestSpan(t *testing.T) {
	src := []byte("abcdefgh")
	r := NewReader(src)
	s := r.Span(3)
	if string(s) != "abc" || cap(s) != len(s) || r.Len() != 5 || string(r.Remaining()) != "defgh" {
		t.Fatalf("Span(3) = %q cap %d, remaining %q", s, cap(s), r.Remaining())
	}
	// Appending to a span cannot overwrite the bytes after it.
	s = append(s, 'X')
	if string(src) != "abcdefgh" || string(s) != "abcX" {
		t.Fatalf("append to a span changed the input: %q", src)
	}
	if s := r.Span(0); s == nil || len(s) != 0 || r.Err() != nil {
		t.Fatalf("Span(0) = %v (nil %v), err %v", s, s == nil, r.Err())
	}
	r.Skip(2)
	if string(r.Remaining()) != "fgh" {
		t.Fatalf("after Skip(2): %q", r.Remaining())
	}
	if s := r.Span(4); s != nil || !errors.Is(r.Err(), ErrTruncated) || r.Len() != 0 {
		t.Fatalf("Span beyond the input: %q, err %v, len %d", s, r.Err(), r.Len())
	}
	r = NewReader(src)
	if s := r.Span(-1); s != nil || !errors.Is(r.Err(), ErrInvalidLength) {
		t.Fatalf("Span(-1): %q, err %v", s, r.Err())
	}
}

func TestReaderStickyError(t *testing.T) {
	r := NewReader([]byte{0, 1, 2})
	r.Int32() // truncated
	if !errors.Is(r.Err(), ErrTruncated) || r.Len() != 0 {
		t.Fatalf("after truncated Int32: err %v, len %d", r.Err(), r.Len())
	}
	// Later reads return zero values and keep the first error.
	r.Fail(ErrInvalidLength)
	if r.Int8() != 0 || r.Uvarint() != 0 || r.StringFlex("x", true) != "" || r.Bytes() != nil || r.ArrayLen(1, false) != -1 {
		t.Fatal("reads after an error returned data")
	}
	if err := r.Complete(); !errors.Is(err, ErrTruncated) {
		t.Fatalf("Complete = %v, want the first error", err)
	}
	r.Reset([]byte{7, 8})
	if r.Err() != nil || r.Len() != 2 || r.Int8() != 7 {
		t.Fatalf("Reset did not clear the reader: err %v", r.Err())
	}
	if err := r.Complete(); !errors.Is(err, ErrTrailingBytes) {
		t.Fatalf("Complete with a byte left = %v, want ErrTrailingBytes", err)
	}
	r.Reset(nil)
	if err := r.Complete(); err != nil {
		t.Fatalf("Complete of an empty reader = %v", err)
	}
}

func TestTags(t *testing.T) {
	for _, flex := range []bool{false, true} {
		if got := AppendEmptyTags([]byte{9}, flex); flex && !bytes.Equal(got, []byte{9, 0}) || !flex && len(got) != 1 {
			t.Fatalf("flex %v: AppendEmptyTags = %x", flex, got)
		}
	}
	enc := AppendUvarint(nil, 2)
	enc = AppendTag(enc, 0, []byte{1, 2})
	enc = AppendTag(enc, 300, bytes.Repeat([]byte{5}, 130))
	if !bytes.Equal(enc[:5], []byte{2, 0, 2, 1, 2}) || !bytes.Equal(enc[5:9], []byte{0xac, 0x02, 0x82, 0x01}) {
		t.Fatalf("AppendTag = %x", enc[:9])
	}
	r := NewReader(enc)
	if n := r.Tags(); n != 2 {
		t.Fatalf("Tags = %d", n)
	}
	if tag, data := r.Tag(); tag != 0 || !bytes.Equal(data, []byte{1, 2}) {
		t.Fatalf("Tag 0 = %d, %x", tag, data)
	}
	if tag, data := r.Tag(); tag != 300 || len(data) != 130 || r.Complete() != nil {
		t.Fatalf("Tag 1 = %d, %d bytes (err %v)", tag, len(data), r.Err())
	}
	r = NewReader(enc)
	r.SkipTags(true)
	if r.Complete() != nil {
		t.Fatalf("SkipTags left %d bytes (err %v)", r.Len(), r.Err())
	}
	r = NewReader(enc)
	if r.SkipTags(false); r.Len() != len(enc) {
		t.Fatal("SkipTags(false) read bytes")
	}
	for n := 0; n < len(enc); n++ {
		r := NewReader(enc[:n])
		if r.SkipTags(true); r.Err() == nil {
			t.Fatalf("tags cut at %d/%d bytes: no error", n, len(enc))
		}
	}
	// A count the remaining bytes cannot hold (2 bytes per field at least).
	r = NewReader([]byte{3, 0, 0, 0, 0})
	if n := r.Tags(); n != -1 || !errors.Is(r.Err(), ErrInvalidLength) {
		t.Fatalf("Tags(3) over 4 bytes = %d, err %v", n, r.Err())
	}
}

// BenchmarkUvarint decodes a mix of 1- to 5-byte varints.
func BenchmarkUvarint(b *testing.B) {
	var src []byte
	for _, c := range uvarintCases {
		src = AppendUvarint(src, c.v)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	var sum uint32
	for b.Loop() {
		r := NewReader(src)
		for r.Len() > 0 {
			sum += r.Uvarint()
		}
	}
	if sum == 1 {
		b.Log(sum)
	}
}

// BenchmarkAppendVarlong appends zigzag varlongs of 1 to 10 bytes into a
// warm buffer.
func BenchmarkAppendVarlong(b *testing.B) {
	vals := []int64{0, -1, 63, -8192, 1 << 20, -(1 << 27), 1 << 34, 1 << 41, -(1 << 48), 1 << 55, math.MaxInt64, math.MinInt64}
	buf := make([]byte, 0, 128)
	for _, v := range vals {
		buf = AppendVarlong(buf, v)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = buf[:0]
		for _, v := range vals {
			buf = AppendVarlong(buf, v)
		}
	}
}
