package wire

import (
	"errors"
	"testing"
)

func apiVersionsSample(version int16, big bool) (*ApiVersionsRequest, *ApiVersionsResponse) {
	req := &ApiVersionsRequest{}
	resp := &ApiVersionsResponse{ErrorCode: 0, ApiKeys: []ApiVersionsResponseKey{{0, 3, 11}, {1, 4, 17}}, FinalizedFeaturesEpoch: -1, DecodedVersion: version}
	if big {
		resp.ApiKeys = append(resp.ApiKeys, ApiVersionsResponseKey{18, 0, 4}, ApiVersionsResponseKey{3, 1, 12})
	}
	if version >= 1 {
		resp.ThrottleTimeMs = 17
	}
	if version >= 3 {
		req.ClientSoftwareName, req.ClientSoftwareVersion = "zeroalloc-kafka", "0.1.0"
		resp.SupportedFeatures = []ApiVersionsResponseFeature{{"metadata.version", 7, 27}, {"kraft.version", 0, 1}}
		resp.FinalizedFeaturesEpoch = 99
		resp.FinalizedFeatures = []ApiVersionsResponseFeature{{"metadata.version", 27, 27}}
		resp.ZkMigrationReady = true
		if big {
			// A feature list over 127 bytes exercises the wide tag size.
			for i := 0; i < 12; i++ {
				resp.SupportedFeatures = append(resp.SupportedFeatures, ApiVersionsResponseFeature{"feature-number-" + string(rune('a'+i)), 1, 2})
			}
		}
	}
	return req, resp
}

func TestApiVersionsCodec(t *testing.T) {
	for v := APIs[KeyApiVersions].Min; v <= APIs[KeyApiVersions].Max; v++ {
		req, resp := apiVersionsSample(v, false)
		otherReq, otherResp := apiVersionsSample(v, true)
		otherReq.ClientSoftwareName += "-other"
		checkCodec(t, v, req, otherReq)
		checkCodec(t, v, resp, otherResp)
		_, big := apiVersionsSample(v, true)
		checkCodec(t, v, big, resp)
	}
}

// A broker asked for a version it lacks answers with a v0 body and
// UNSUPPORTED_VERSION; that must decode at any requested version.
func TestApiVersionsUnsupportedAnswer(t *testing.T) {
	v0 := &ApiVersionsResponse{ErrorCode: int16(UnsupportedVersion), ApiKeys: []ApiVersionsResponseKey{{18, 0, 2}}}
	body := v0.AppendTo(nil, 0)
	var got ApiVersionsResponse
	if err := got.DecodeFrom(body, 4); err != nil {
		t.Fatal(err)
	}
	if got.DecodedVersion != 0 || got.ErrorCode != int16(UnsupportedVersion) || len(got.ApiKeys) != 1 || got.ApiKeys[0].MaxVersion != 2 {
		t.Fatalf("got %+v", got)
	}
	// Encoding such an answer at any version writes the v0 body, so it
	// round-trips (found by FuzzApiVersionsResponse).
	for v := int16(0); v <= 4; v++ {
		if enc := got.AppendTo(nil, v); string(enc) != string(body) {
			t.Fatalf("v%d: encoded %x, want the v0 body %x", v, enc, body)
		}
	}
}

func TestNegotiate(t *testing.T) {
	var v Versions
	v.SetFrom(&ApiVersionsResponse{ApiKeys: []ApiVersionsResponseKey{
		{KeyProduce, 3, 13}, {KeyFetch, 0, 3}, {KeyMetadata, 0, 9}, {KeyApiVersions, 0, 4},
	}})
	for _, c := range []struct {
		key  int16
		want int16
	}{{KeyProduce, 11}, {KeyMetadata, 9}, {KeyApiVersions, 4}} {
		got, err := v.Negotiate(c.key)
		if err != nil || got != c.want {
			t.Errorf("key %d: got %d, %v; want %d", c.key, got, err, c.want)
		}
	}
	_, err := v.Negotiate(KeyFetch)
	var ue *UnsupportedVersionError
	if !errors.Is(err, ErrNoVersionOverlap) || !errors.As(err, &ue) || ue.BrokerMax != 3 || ue.ClientMin != 4 {
		t.Fatalf("fetch: %v", err)
	}
	if _, err := v.Negotiate(KeyJoinGroup); !errors.Is(err, ErrNoVersionOverlap) {
		t.Fatalf("missing key: %v", err)
	}
	if _, err := v.Negotiate(1000); !errors.Is(err, ErrNoVersionOverlap) {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestEndTagWideSize(t *testing.T) {
	for _, size := range []int{0, 1, 127, 128, 300, 20000} {
		dst, start := BeginTag([]byte{0xaa}, 5)
		for i := 0; i < size; i++ {
			dst = append(dst, byte(i))
		}
		dst = EndTag(dst, start)
		r := NewReader(dst[1:])
		tag, data := r.Tag()
		if r.Err() != nil || tag != 5 || len(data) != size || r.Len() != 0 {
			t.Fatalf("size %d: tag %d, %d bytes, err %v", size, tag, len(data), r.Err())
		}
		for i := range data {
			if data[i] != byte(i) {
				t.Fatalf("size %d: byte %d moved wrong", size, i)
			}
		}
	}
}
