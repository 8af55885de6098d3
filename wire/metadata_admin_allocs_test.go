//go:build !race

package wire

import (
	"reflect"
	"testing"
)

// codecSamples returns, for every version of every API of metadata.go,
// offsets.go, admin.go and sasl.go, a request and a response with every
// field of that version set.
func codecSamples() (out []struct {
	version int16
	m       Message
}) {
	add := func(v int16, ms ...Message) {
		for _, m := range ms {
			out = append(out, struct {
				version int16
				m       Message
			}{v, m})
		}
	}
	for v := APIs[KeyMetadata].Min; v <= APIs[KeyMetadata].Max; v++ {
		add(v, sampleMetadataRequest(v, 1), sampleMetadataResponse(v, 1))
	}
	for v := APIs[KeyListOffsets].Min; v <= APIs[KeyListOffsets].Max; v++ {
		add(v, sampleListOffsetsRequest(v, 1), sampleListOffsetsResponse(v, 1))
	}
	for v := APIs[KeyOffsetForLeaderEpoch].Min; v <= APIs[KeyOffsetForLeaderEpoch].Max; v++ {
		add(v, sampleOffsetForLeaderEpochRequest(v, 1), sampleOffsetForLeaderEpochResponse(v, 1))
	}
	for v := APIs[KeyCreateTopics].Min; v <= APIs[KeyCreateTopics].Max; v++ {
		add(v, sampleCreateTopicsRequest(v, 1), sampleCreateTopicsResponse(v, 1))
	}
	for v := APIs[KeyDeleteTopics].Min; v <= APIs[KeyDeleteTopics].Max; v++ {
		add(v, sampleDeleteTopicsRequest(v, 1), sampleDeleteTopicsResponse(v, 1))
	}
	for v := APIs[KeyCreatePartitions].Min; v <= APIs[KeyCreatePartitions].Max; v++ {
		add(v, sampleCreatePartitionsRequest(v, 1), sampleCreatePartitionsResponse(v, 1))
	}
	for v := APIs[KeySaslHandshake].Min; v <= APIs[KeySaslHandshake].Max; v++ {
		add(v, &SaslHandshakeRequest{Mechanism: "PLAIN"}, sampleSaslHandshakeResponse(1))
	}
	for v := APIs[KeySaslAuthenticate].Min; v <= APIs[KeySaslAuthenticate].Max; v++ {
		add(v, &SaslAuthenticateRequest{AuthBytes: []byte("token")}, sampleSaslAuthenticateResponse(v, 1))
	}
	return out
}

// TestAllocsMetadataAdminCodecs asserts that appending every request and
// response of these families into a warm buffer, and decoding each into a
// reused struct, allocate nothing.
func TestAllocsMetadataAdminCodecs(t *testing.T) {
	for _, s := range codecSamples() {
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
