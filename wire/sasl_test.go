package wire

import (
	"bytes"
	"testing"
)

func sampleSaslHandshakeResponse(seed int) *SaslHandshakeResponse {
	m := &SaslHandshakeResponse{ErrorCode: int16(33 + seed)}
	for i := 0; i < 2+seed; i++ {
		m.Mechanisms = append(m.Mechanisms, testStr("SCRAM-SHA-", i+seed))
	}
	return m
}

func sampleSaslAuthenticateResponse(version int16, seed int) *SaslAuthenticateResponse {
	m := &SaslAuthenticateResponse{
		ErrorCode:    int16(58 + seed),
		ErrorMessage: NewNullString(testStr("bad credentials ", seed)),
		AuthBytes:    bytes.Repeat([]byte{byte(0xa0 + seed)}, 3+seed),
	}
	if version >= 1 {
		m.SessionLifetimeMs = int64(3600000 + seed)
	}
	return m
}

func TestSaslRoundTrip(t *testing.T) {
	checkRegistered(t, new(SaslHandshakeRequest), new(SaslHandshakeResponse))
	checkRegistered(t, new(SaslAuthenticateRequest), new(SaslAuthenticateResponse))
	for v := APIs[KeySaslHandshake].Min; v <= APIs[KeySaslHandshake].Max; v++ {
		checkCodec(t, v, &SaslHandshakeRequest{Mechanism: "SCRAM-SHA-512"}, &SaslHandshakeRequest{Mechanism: "PLAIN"})
		checkCodec(t, v, sampleSaslHandshakeResponse(0), sampleSaslHandshakeResponse(1))
	}
	for v := APIs[KeySaslAuthenticate].Min; v <= APIs[KeySaslAuthenticate].Max; v++ {
		checkCodec(t, v, &SaslAuthenticateRequest{AuthBytes: []byte("\x00user\x00pass")}, &SaslAuthenticateRequest{AuthBytes: []byte("n,,n=u,r=nonce")})
		checkCodec(t, v, sampleSaslAuthenticateResponse(v, 0), sampleSaslAuthenticateResponse(v, 1))
		m := sampleSaslAuthenticateResponse(v, 0)
		m.ErrorMessage = NullString{}
		checkCodec(t, v, m, sampleSaslAuthenticateResponse(v, 1))
	}
}

// TestSaslGolden checks hand-assembled bytes and that AuthBytes aliases the
// decoded input.
func TestSaslGolden(t *testing.T) {
	golden := []byte{0, 0, 0, 0, 0, 2, 0, 5, 'P', 'L', 'A', 'I', 'N', 0, 1, 'X'}
	m := &SaslHandshakeResponse{Mechanisms: []string{"PLAIN", "X"}}
	if got := m.AppendTo(nil, 1); !bytes.Equal(got, golden) {
		t.Fatalf("SaslHandshake response = %x, want %x", got, golden)
	}
	golden = []byte{
		0, 0, // ErrorCode
		0,           // ErrorMessage null
		3, 'a', 'b', // AuthBytes
		0, 0, 0, 0, 0, 0, 0, 9, // SessionLifetimeMs
		0, // tags
	}
	var a SaslAuthenticateResponse
	if err := a.DecodeFrom(golden, 2); err != nil {
		t.Fatal(err)
	}
	if a.ErrorMessage.Valid || string(a.AuthBytes) != "ab" || a.SessionLifetimeMs != 9 {
		t.Fatalf("decoded %+v", a)
	}
	if &a.AuthBytes[0] != &golden[4] {
		t.Fatal("AuthBytes does not alias the input")
	}
	if got := a.AppendTo(nil, 2); !bytes.Equal(got, golden) {
		t.Fatalf("SaslAuthenticate response v2 = %x, want %x", got, golden)
	}
}

func TestSaslForgedCounts(t *testing.T) {
	for v := APIs[KeySaslHandshake].Min; v <= APIs[KeySaslHandshake].Max; v++ {
		checkInvalidLength(t, new(SaslHandshakeResponse), v, append(forgedCount(AppendInt16(nil, 0), false), make([]byte, 64)...))
	}
	// A byte length beyond the input is truncation, not a large allocation.
	for v := APIs[KeySaslAuthenticate].Min; v <= APIs[KeySaslAuthenticate].Max; v++ {
		src := AppendInt32(nil, 1<<31-1)
		if IsFlexible(KeySaslAuthenticate, v) {
			src = AppendUvarint(nil, 1<<31)
		}
		var m SaslAuthenticateRequest
		if err := m.DecodeFrom(append(src, make([]byte, 16)...), v); err == nil {
			t.Fatalf("v%d: forged AuthBytes length decoded without error", v)
		}
	}
}
