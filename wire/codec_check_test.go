package wire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// checkCodec runs the checks every message codec owes for one version:
// want (every field the version has set to a non-default value) survives
// encode, decode into a fresh struct, re-encode (byte-identical) and decode
// into the same struct; decoding it into a struct that held other, larger
// data (other) leaves nothing stale; trailing bytes and every prefix fail;
// versions outside APIs fail with ErrUnsupportedVersion.
func checkCodec(t *testing.T, version int16, want, other Message) {
	t.Helper()
	fresh := func() Message { return reflect.New(reflect.TypeOf(want).Elem()).Interface().(Message) }
	enc := want.AppendTo(nil, version)

	got := fresh()
	if err := got.DecodeFrom(enc, version); err != nil {
		t.Fatalf("v%d %T: decode: %v", version, want, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("v%d %T: decoded\n%+v\nwant\n%+v", version, want, got, want)
	}
	if re := got.AppendTo(nil, version); !bytes.Equal(re, enc) {
		t.Fatalf("v%d %T: re-encoded\n%x\nwant\n%x", version, want, re, enc)
	}
	if err := got.DecodeFrom(enc, version); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("v%d %T: decode into reused struct: %v\n%+v", version, want, err, got)
	}

	// A struct that held larger, different data must not keep any of it.
	stale := fresh()
	if err := stale.DecodeFrom(other.AppendTo(nil, version), version); err != nil {
		t.Fatalf("v%d %T: decode other: %v", version, want, err)
	}
	if err := stale.DecodeFrom(enc, version); err != nil {
		t.Fatalf("v%d %T: decode over other: %v", version, want, err)
	}
	if !looseEqual(reflect.ValueOf(stale), reflect.ValueOf(want)) {
		t.Fatalf("v%d %T: decoded over other data\n%+v\nwant\n%+v", version, want, stale, want)
	}

	if err := fresh().DecodeFrom(append(enc[:len(enc):len(enc)], 0), version); !errors.Is(err, ErrTrailingBytes) {
		t.Fatalf("v%d %T: trailing byte: got %v, want ErrTrailingBytes", version, want, err)
	}
	for i := range enc {
		if err := fresh().DecodeFrom(enc[:i], version); err == nil {
			t.Fatalf("v%d %T: prefix of %d/%d bytes decoded without error", version, want, i, len(enc))
		}
		if err := got.DecodeFrom(enc[:i], version); err == nil {
			t.Fatalf("v%d %T: prefix of %d/%d bytes decoded into reused struct without error", version, want, i, len(enc))
		}
	}

	a := APIs[want.Key()]
	for _, v := range []int16{a.Min - 1, a.Max + 1} {
		if err := fresh().DecodeFrom(enc, v); !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("%T: version %d: got %v, want ErrUnsupportedVersion", want, v, err)
		}
	}
}

// looseEqual is reflect.DeepEqual except that a nil slice equals an empty
// one: a reused struct keeps the capacity of arrays its version lacks.
func looseEqual(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return looseEqual(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !looseEqual(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !looseEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(a.Interface(), b.Interface())
	}
}

// checkRegistered asserts that the registry returns the types of req and
// resp for their key.
func checkRegistered(t *testing.T, req, resp Message) {
	t.Helper()
	if req.Key() != resp.Key() {
		t.Fatalf("%T key %d, %T key %d", req, req.Key(), resp, resp.Key())
	}
	if got := NewRequest(req.Key()); reflect.TypeOf(got) != reflect.TypeOf(req) {
		t.Fatalf("NewRequest(%d) = %T, want %T", req.Key(), got, req)
	}
	if got := NewResponse(resp.Key()); reflect.TypeOf(got) != reflect.TypeOf(resp) {
		t.Fatalf("NewResponse(%d) = %T, want %T", resp.Key(), got, resp)
	}
}

// checkInvalidLength asserts that decoding src (a small body whose array
// count was forged) fails with ErrInvalidLength.
func checkInvalidLength(t *testing.T, m Message, version int16, src []byte) {
	t.Helper()
	if err := m.DecodeFrom(src, version); !errors.Is(err, ErrInvalidLength) {
		t.Fatalf("v%d %T: forged count: got %v, want ErrInvalidLength", version, m, err)
	}
}

// forgedCount appends the largest array count of the encoding: 2^31-1
// classic, or its compact twin.
func forgedCount(dst []byte, flexible bool) []byte {
	return AppendArrayLen(dst, 1<<31-1, flexible)
}

// testStr returns a short string that differs with seed.
func testStr(prefix string, seed int) string {
	return prefix + string(rune('a'+seed))
}

// testIDs returns 2+seed int32 values that differ with base.
func testIDs(base int32, seed int) []int32 {
	s := make([]int32, 2+seed)
	for i := range s {
		s[i] = base + int32(i)
	}
	return s
}

// testUUID returns a non-zero UUID that differs with seed.
func testUUID(seed int) UUID {
	var u UUID
	for i := range u {
		u[i] = byte(seed*31 + i + 1)
	}
	return u
}

// sentinel marks the one element of an int32 array that forgeInt32Array
// finds and forges.
const sentinel int32 = 0x5a6b7c8d

// forgeInt32Array replaces the one-element int32 array holding sentinel in
// enc by an empty array announcing 2^31-1 elements.
func forgeInt32Array(t *testing.T, enc []byte, flexible bool) []byte {
	t.Helper()
	one := AppendInt32Array(nil, []int32{sentinel}, flexible)
	at := bytes.Index(enc, one)
	if at < 0 || bytes.Contains(enc[at+1:], one) {
		t.Fatalf("sentinel array not found once in %x", enc)
	}
	out := append(enc[:at:at], forgedCount(nil, flexible)...)
	return append(out, enc[at+len(one):]...)
}

// codecSample is one message of a given version.
type codecSample struct {
	version int16
	m       Message
}

// codecSamples returns, for every version of every API of produce.go,
// fetch.go, metadata.go, offsets.go, admin.go and sasl.go, a request and a
// response with every field of that version set.
func codecSamples() (out []codecSample) {
	for _, g := range []struct {
		key       int16
		req, resp func(v int16) Message
	}{
		{KeyProduce, func(v int16) Message { return sampleProduceRequest(v, 1) }, func(v int16) Message { return sampleProduceResponse(v, 1) }},
		{KeyFetch, func(v int16) Message { return sampleFetchRequest(v, 1) }, func(v int16) Message { return sampleFetchResponse(v, 1) }},
		{KeyMetadata, func(v int16) Message { return sampleMetadataRequest(v, 1) }, func(v int16) Message { return sampleMetadataResponse(v, 1) }},
		{KeyListOffsets, func(v int16) Message { return sampleListOffsetsRequest(v, 1) }, func(v int16) Message { return sampleListOffsetsResponse(v, 1) }},
		{KeyOffsetForLeaderEpoch, func(v int16) Message { return sampleOffsetForLeaderEpochRequest(v, 1) }, func(v int16) Message { return sampleOffsetForLeaderEpochResponse(v, 1) }},
		{KeyCreateTopics, func(v int16) Message { return sampleCreateTopicsRequest(v, 1) }, func(v int16) Message { return sampleCreateTopicsResponse(v, 1) }},
		{KeyDeleteTopics, func(v int16) Message { return sampleDeleteTopicsRequest(v, 1) }, func(v int16) Message { return sampleDeleteTopicsResponse(v, 1) }},
		{KeyCreatePartitions, func(v int16) Message { return sampleCreatePartitionsRequest(v, 1) }, func(v int16) Message { return sampleCreatePartitionsResponse(v, 1) }},
		{KeySaslHandshake, func(v int16) Message { return &SaslHandshakeRequest{Mechanism: "PLAIN"} }, func(v int16) Message { return sampleSaslHandshakeResponse(1) }},
		{KeySaslAuthenticate, func(v int16) Message { return &SaslAuthenticateRequest{AuthBytes: []byte("token")} }, func(v int16) Message { return sampleSaslAuthenticateResponse(v, 1) }},
	} {
		for v := APIs[g.key].Min; v <= APIs[g.key].Max; v++ {
			out = append(out, codecSample{v, g.req(v)}, codecSample{v, g.resp(v)})
		}
	}
	return out
}

// TestDecodeAcrossVersionsKeepsNothingStale decodes each sample into a
// struct that last held the same type decoded at another version with every
// field set: the result must equal a fresh decode, so fields the version
// lacks get their defaults.
func TestDecodeAcrossVersionsKeepsNothingStale(t *testing.T) {
	checkAcrossVersions(t, codecSamples())
}

// checkAcrossVersions runs the check of
// TestDecodeAcrossVersionsKeepsNothingStale over samples.
func checkAcrossVersions(t *testing.T, samples []codecSample) {
	t.Helper()
	for _, s := range samples {
		src := s.m.AppendTo(nil, s.version)
		want := reflect.New(reflect.TypeOf(s.m).Elem()).Interface().(Message)
		if err := want.DecodeFrom(src, s.version); err != nil {
			t.Fatalf("v%d %T: %v", s.version, s.m, err)
		}
		for _, o := range samples {
			if reflect.TypeOf(o.m) != reflect.TypeOf(s.m) || o.version == s.version {
				continue
			}
			got := reflect.New(reflect.TypeOf(s.m).Elem()).Interface().(Message)
			if err := got.DecodeFrom(o.m.AppendTo(nil, o.version), o.version); err != nil {
				t.Fatalf("v%d %T: %v", o.version, o.m, err)
			}
			if err := got.DecodeFrom(src, s.version); err != nil {
				t.Fatalf("v%d %T after v%d: %v", s.version, s.m, o.version, err)
			}
			if !looseEqual(reflect.ValueOf(got), reflect.ValueOf(want)) {
				t.Fatalf("v%d %T decoded over v%d data:\n%+v\nwant\n%+v", s.version, s.m, o.version, got, want)
			}
		}
	}
}
