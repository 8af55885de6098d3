// SaslHandshake (API key 17, versions 0–1) and SaslAuthenticate (API key
// 36, versions 0–2), written from testdata/kafka-protocol/messages/
// SaslHandshake{Request,Response}.json and SaslAuthenticate{Request,Response}.json.

package wire

// SaslHandshakeRequest is the body of a SaslHandshake request.
type SaslHandshakeRequest struct {
	// Mechanism is the SASL mechanism the client chose (PLAIN,
	// SCRAM-SHA-256, ...).
	Mechanism string
}

// Key returns KeySaslHandshake.
func (m *SaslHandshakeRequest) Key() int16 { return KeySaslHandshake }

// AppendTo appends the request body to dst and returns the extended slice;
// it allocates only when cap(dst) is too small. Both versions encode alike.
func (m *SaslHandshakeRequest) AppendTo(dst []byte, version int16) []byte {
	return AppendString(dst, m.Mechanism)
}

// DecodeFrom decodes src as a request body of version into m.
func (m *SaslHandshakeRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeySaslHandshake]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	r := NewReader(src)
	m.Mechanism = r.String(m.Mechanism)
	return r.Complete()
}

// SaslHandshakeResponse is the body of a SaslHandshake response.
type SaslHandshakeResponse struct {
	// ErrorCode is the handshake's error, or 0.
	ErrorCode int16
	// Mechanisms lists the mechanisms the broker enables.
	Mechanisms []string
}

// Key returns KeySaslHandshake.
func (m *SaslHandshakeResponse) Key() int16 { return KeySaslHandshake }

// AppendTo appends the response body to dst and returns the extended slice;
// it allocates only when cap(dst) is too small.
func (m *SaslHandshakeResponse) AppendTo(dst []byte, version int16) []byte {
	dst = AppendInt16(dst, m.ErrorCode)
	return AppendStringArray(dst, m.Mechanisms, false)
}

// DecodeFrom decodes src as a response body of version into m, reusing
// Mechanisms and its unchanged strings.
func (m *SaslHandshakeResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeySaslHandshake]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	r := NewReader(src)
	m.ErrorCode = r.Int16()
	m.Mechanisms = r.StringArray(m.Mechanisms, false)
	return r.Complete()
}

// SaslAuthenticateRequest is the body of a SaslAuthenticate request.
type SaslAuthenticateRequest struct {
	// AuthBytes is the client's SASL token. AppendTo copies it; after
	// DecodeFrom it aliases the decoded input and is valid as long as that
	// input is.
	AuthBytes []byte
}

// Key returns KeySaslAuthenticate.
func (m *SaslAuthenticateRequest) Key() int16 { return KeySaslAuthenticate }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *SaslAuthenticateRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeySaslAuthenticate, version)
	dst = AppendBytesFlex(dst, m.AuthBytes, flex)
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m. AuthBytes
// aliases src.
func (m *SaslAuthenticateRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeySaslAuthenticate]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeySaslAuthenticate, version)
	r := NewReader(src)
	m.AuthBytes = r.BytesFlex(flex)
	r.SkipTags(flex)
	return r.Complete()
}

// SaslAuthenticateResponse is the body of a SaslAuthenticate response.
type SaslAuthenticateResponse struct {
	// ErrorCode is the authentication's error, or 0.
	ErrorCode int16
	// ErrorMessage is the error message, or null.
	ErrorMessage NullString
	// AuthBytes is the broker's SASL token. After DecodeFrom it aliases the
	// decoded input and is valid as long as that input is; copy it to keep
	// it longer.
	AuthBytes []byte
	// SessionLifetimeMs (v1+) is how long the session lasts before the
	// client must re-authenticate, or 0 for no limit.
	SessionLifetimeMs int64
}

// Key returns KeySaslAuthenticate.
func (m *SaslAuthenticateResponse) Key() int16 { return KeySaslAuthenticate }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *SaslAuthenticateResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeySaslAuthenticate, version)
	dst = AppendInt16(dst, m.ErrorCode)
	dst = AppendNullableStringFlex(dst, m.ErrorMessage, flex)
	dst = AppendBytesFlex(dst, m.AuthBytes, flex)
	if version >= 1 {
		dst = AppendInt64(dst, m.SessionLifetimeMs)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m. AuthBytes
// aliases src.
func (m *SaslAuthenticateResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeySaslAuthenticate]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeySaslAuthenticate, version)
	r := NewReader(src)
	m.ErrorCode = r.Int16()
	m.ErrorMessage = r.NullableStringFlex(m.ErrorMessage, flex)
	m.AuthBytes = r.BytesFlex(flex)
	m.SessionLifetimeMs = 0
	if version >= 1 {
		m.SessionLifetimeMs = r.Int64()
	}
	r.SkipTags(flex)
	return r.Complete()
}

func init() {
	registerAPI(KeySaslHandshake, func() Message { return new(SaslHandshakeRequest) }, func() Message { return new(SaslHandshakeResponse) })
	registerAPI(KeySaslAuthenticate, func() Message { return new(SaslAuthenticateRequest) }, func() Message { return new(SaslAuthenticateResponse) })
}
