//go:build !race

package wire

import (
	"reflect"
	"testing"
)

// TestAllocsMetadataAdminCodecs asserts that appending every request and
// response of these families into a warm buffer, and decoding each into a
// reused struct, allocate nothing.
func TestAllocsMetadataAdminCodecs(t *testing.T) {
	checkAllocs(t, codecSamples())
}

// checkAllocs asserts that appending each sample into a warm buffer, and
// decoding it into a reused struct, allocate nothing.
func checkAllocs(t *testing.T, samples []codecSample) {
	t.Helper()
	for _, s := range samples {
		src := s.m.AppendTo(nil, s.version)
		buf := make([]byte, 0, len(src))
		if n := testing.AllocsPerRun(100, func() { buf = s.m.AppendTo(buf[:0], s.version) }); n != 0 {
			t.Errorf("v%d %T: AppendTo into a warm buffer: %v allocs, want 0", s.version, s.m, n)
		}
		dst := reflect.New(reflect.TypeOf(s.m).Elem()).Interface().(Message)
		if err := dst.DecodeFrom(src, s.version); err != nil {
			t.Fatalf("v%d %T: %v", s.version, dst, err)
		}
		var err error
		if n := testing.AllocsPerRun(100, func() { err = dst.DecodeFrom(src, s.version) }); n != 0 || err != nil {
			t.Errorf("v%d %T: DecodeFrom into a reused struct: %v allocs (err %v), want 0", s.version, dst, n, err)
		}
	}
}

// freshDecodeAllocs returns the allocations of decoding src into m made
// zero before every run, inside the measured function: decoding into a
// reused m, AllocsPerRun's unmeasured first run would grow m's slices and
// every measured run would find them grown (a decoder that grew a slice
// for a forged count would read as 0 allocations). m must be a pointer to
// a struct.
func freshDecodeAllocs(m Message, src []byte, version int16) (allocs float64, err error) {
	zero := reflect.ValueOf(m).Elem()
	allocs = testing.AllocsPerRun(100, func() {
		zero.SetZero()
		err = m.DecodeFrom(src, version)
	})
	return allocs, err
}

// TestAllocsForgedCount asserts that a forged array count fails before
// anything is allocated, even into a fresh struct.
func TestAllocsForgedCount(t *testing.T) {
	src := append(forgedCount(AppendInt32(nil, 0), true), make([]byte, 64)...)
	var err error
	n := testing.AllocsPerRun(100, func() {
		var m MetadataResponse
		err = m.DecodeFrom(src, 12)
	})
	if n != 0 || err == nil {
		t.Fatalf("forged broker count: %v allocs, err %v; want 0 allocs and an error", n, err)
	}
}
