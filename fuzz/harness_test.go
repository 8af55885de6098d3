package fuzz

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zeroalloc/kafka/internal/allocstest"
	"github.com/zeroalloc/kafka/wire"
)

// goldenDir holds the response bodies captured from a real broker (see its
// README); they seed every response target.
const goldenDir = "../wire/testdata/golden"

// allocLimit and allocated are the allocation bound every target applies
// (allocstest.DecodeLimit) and its measure.
var (
	allocLimit = allocstest.DecodeLimit
	allocated  = allocstest.Bytes
)

// golden returns the captured bodies of the API's responses, by version.
func golden(tb testing.TB, name string) (versions []int16, bodies [][]byte) {
	files, err := filepath.Glob(filepath.Join(goldenDir, name+"Response_v*.bin"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, file := range files {
		base := strings.TrimPrefix(filepath.Base(file), name+"Response_v")
		num, _, _ := strings.Cut(strings.TrimSuffix(base, ".bin"), "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			tb.Fatalf("%s: cannot read the version from the file name", file)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		versions, bodies = append(versions, int16(v)), append(bodies, b)
	}
	return versions, bodies
}

// fuzzResponse fuzzes the response decoder of the API key (see
// checkDecode). The first input selects the version within the client's
// range.
func fuzzResponse(f *testing.F, key int16) {
	api := wire.APIs[key]
	if wire.NewResponse(key) == nil {
		f.Fatalf("API %d (%s) has no registered response type", key, api.Name)
	}
	span := int(api.Max-api.Min) + 1
	for v := api.Min; v <= api.Max; v++ {
		f.Add(uint8(v-api.Min), wire.NewResponse(key).AppendTo(nil, v))
	}
	versions, bodies := golden(f, api.Name)
	for i, b := range bodies {
		f.Add(uint8(versions[i]-api.Min), b)
	}
	f.Fuzz(func(t *testing.T, sel uint8, data []byte) {
		v := api.Min + int16(int(sel)%span)
		checkDecode(t, api.Name+"Response", v, func() wire.Message { return wire.NewResponse(key) }, data)
	})
}

// checkDecode decodes data as version v of a fresh message: it must not
// panic and must allocate within allocLimit; whatever decodes must
// re-encode to bytes that decode to the same encoding again.
func checkDecode(t *testing.T, name string, v int16, fresh func() wire.Message, data []byte) {
	t.Helper()
	m := fresh()
	var err error
	if n := allocated(func() { err = m.DecodeFrom(data, v) }); n > allocLimit(len(data)) {
		t.Fatalf("%s v%d: decoding %d bytes allocated %d bytes", name, v, len(data), n)
	}
	if err != nil {
		return
	}
	enc := m.AppendTo(nil, v)
	m2 := fresh()
	if err := m2.DecodeFrom(enc, v); err != nil {
		t.Fatalf("%s v%d: the re-encoding of a decoded message does not decode: %v\n%x", name, v, err, enc)
	}
	if enc2 := m2.AppendTo(nil, v); !bytes.Equal(enc, enc2) {
		t.Fatalf("%s v%d: encoding is not stable\n%x\n%x", name, v, enc, enc2)
	}
}
