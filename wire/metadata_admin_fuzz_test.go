package wire

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/zeroalloc/kafka/internal/allocstest"
)

// FuzzMetadataAdminDecode decodes arbitrary bytes as every request and
// response of codecSamples (sel picks the type and version): decoding must
// never panic nor allocate beyond allocstest.DecodeLimit, and whatever
// decodes must re-encode to bytes that decode to the same value and
// re-encode the same.
func FuzzMetadataAdminDecode(f *testing.F) {
	fuzzSamples(f, codecSamples())
}

// fuzzSamples seeds f with the encodings of samples and fuzzes their
// decoders as FuzzMetadataAdminDecode describes.
func fuzzSamples(f *testing.F, samples []codecSample) {
	for i, s := range samples {
		f.Add(uint16(i), s.m.AppendTo(nil, s.version))
	}
	f.Fuzz(func(t *testing.T, sel uint16, data []byte) {
		s := samples[int(sel)%len(samples)]
		fresh := func() Message { return reflect.New(reflect.TypeOf(s.m).Elem()).Interface().(Message) }
		m := fresh()
		var err error
		if n := allocstest.Bytes(func() { err = m.DecodeFrom(data, s.version) }); n > allocstest.DecodeLimit(len(data)) {
			t.Fatalf("v%d %T: decoding %d bytes allocated %d bytes", s.version, m, len(data), n)
		}
		if err != nil {
			return
		}
		enc := m.AppendTo(nil, s.version)
		m2 := fresh()
		if err := m2.DecodeFrom(enc, s.version); err != nil {
			t.Fatalf("v%d %T: re-encoding of a decoded value does not decode: %v", s.version, m, err)
		}
		if !looseEqual(reflect.ValueOf(m2), reflect.ValueOf(m)) {
			t.Fatalf("v%d %T: %+v re-decoded as %+v", s.version, m, m, m2)
		}
		if enc2 := m2.AppendTo(nil, s.version); !bytes.Equal(enc, enc2) {
			t.Fatalf("v%d %T: unstable encoding\n%x\n%x", s.version, m, enc, enc2)
		}
	})
}
