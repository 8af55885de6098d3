// ApiVersions (API key 18), versions 0–4, written from
// testdata/kafka-protocol/messages/ApiVersions{Request,Response}.json.

package wire

// ApiVersionsRequest is the body of an ApiVersions request.
type ApiVersionsRequest struct {
	// ClientSoftwareName (v3+) names the client library.
	ClientSoftwareName string
	// ClientSoftwareVersion (v3+) is the client library's version.
	ClientSoftwareVersion string
}

// Key returns KeyApiVersions.
func (m *ApiVersionsRequest) Key() int16 { return KeyApiVersions }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *ApiVersionsRequest) AppendTo(dst []byte, version int16) []byte {
	if version >= 3 {
		dst = AppendCompactString(dst, m.ClientSoftwareName)
		dst = AppendCompactString(dst, m.ClientSoftwareVersion)
	}
	return AppendEmptyTags(dst, version >= 3)
}

// DecodeFrom decodes src as a request body of version into m.
func (m *ApiVersionsRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyApiVersions]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	r := NewReader(src)
	m.ClientSoftwareName, m.ClientSoftwareVersion = "", ""
	if version >= 3 {
		m.ClientSoftwareName = r.CompactString(m.ClientSoftwareName)
		m.ClientSoftwareVersion = r.CompactString(m.ClientSoftwareVersion)
		r.SkipTags(true)
	}
	return r.Complete()
}

// ApiVersionsResponse is the body of an ApiVersions response.
//
// A broker that does not support the requested version answers with a v0
// body carrying UNSUPPORTED_VERSION and the versions it does support, so that
// the client can retry with one of them. DecodeFrom recognises that answer at
// any version: it then decodes the body as v0 and sets DecodedVersion to 0.
type ApiVersionsResponse struct {
	// ErrorCode is the top-level error code.
	ErrorCode int16
	// ApiKeys lists the APIs the broker supports, with their version ranges.
	ApiKeys []ApiVersionsResponseKey
	// ThrottleTimeMs (v1+) is the time the request was throttled.
	ThrottleTimeMs int32
	// SupportedFeatures (v3+, tag 0) lists the features the broker supports.
	SupportedFeatures []ApiVersionsResponseFeature
	// FinalizedFeaturesEpoch (v3+, tag 1, default -1) versions
	// FinalizedFeatures.
	FinalizedFeaturesEpoch int64
	// FinalizedFeatures (v3+, tag 2) lists the cluster-wide feature levels
	// (JSON FinalizedFeatureKey; MinVersion and MaxVersion hold
	// MinVersionLevel and MaxVersionLevel).
	FinalizedFeatures []ApiVersionsResponseFeature
	// ZkMigrationReady (v3+, tag 3) is set by KRaft controllers.
	ZkMigrationReady bool
	// DecodedVersion is the version the body was decoded as: the requested
	// one, or 0 for an UNSUPPORTED_VERSION answer. It is not encoded.
	DecodedVersion int16
}

// ApiVersionsResponseKey is one API of an ApiVersionsResponse (JSON
// ApiVersion).
type ApiVersionsResponseKey struct {
	ApiKey     int16
	MinVersion int16
	MaxVersion int16
}

// ApiVersionsResponseFeature is a supported or finalized feature (JSON
// SupportedFeatureKey and FinalizedFeatureKey; the finalized one stores
// MaxVersionLevel before MinVersionLevel on the wire).
type ApiVersionsResponseFeature struct {
	Name       string
	MinVersion int16
	MaxVersion int16
}

// Key returns KeyApiVersions.
func (m *ApiVersionsResponse) Key() int16 { return KeyApiVersions }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small. An
// UNSUPPORTED_VERSION answer is written as a v0 body whatever the version,
// as brokers write it (and as DecodeFrom reads it).
func (m *ApiVersionsResponse) AppendTo(dst []byte, version int16) []byte {
	if m.ErrorCode == int16(UnsupportedVersion) {
		version = 0
	}
	flex := version >= 3
	dst = AppendInt16(dst, m.ErrorCode)
	dst = AppendArrayLen(dst, len(m.ApiKeys), flex)
	for i := range m.ApiKeys {
		k := &m.ApiKeys[i]
		dst = AppendInt16(dst, k.ApiKey)
		dst = AppendInt16(dst, k.MinVersion)
		dst = AppendInt16(dst, k.MaxVersion)
		dst = AppendEmptyTags(dst, flex)
	}
	if version >= 1 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	if !flex {
		return dst
	}
	var n uint32
	if len(m.SupportedFeatures) > 0 {
		n++
	}
	if m.FinalizedFeaturesEpoch != -1 {
		n++
	}
	if len(m.FinalizedFeatures) > 0 {
		n++
	}
	if m.ZkMigrationReady {
		n++
	}
	dst = AppendUvarint(dst, n)
	if len(m.SupportedFeatures) > 0 {
		var start int
		dst, start = BeginTag(dst, 0)
		dst = appendFeatures(dst, m.SupportedFeatures, false)
		dst = EndTag(dst, start)
	}
	if m.FinalizedFeaturesEpoch != -1 {
		dst = AppendUvarint(dst, 1)
		dst = AppendUvarint(dst, 8)
		dst = AppendInt64(dst, m.FinalizedFeaturesEpoch)
	}
	if len(m.FinalizedFeatures) > 0 {
		var start int
		dst, start = BeginTag(dst, 2)
		dst = appendFeatures(dst, m.FinalizedFeatures, true)
		dst = EndTag(dst, start)
	}
	if m.ZkMigrationReady {
		dst = AppendUvarint(dst, 3)
		dst = AppendUvarint(dst, 1)
		dst = AppendBool(dst, true)
	}
	return dst
}

// appendFeatures appends a feature array; finalized features write the max
// level before the min level.
func appendFeatures(dst []byte, fs []ApiVersionsResponseFeature, finalized bool) []byte {
	dst = AppendArrayLen(dst, len(fs), true)
	for i := range fs {
		f := &fs[i]
		dst = AppendCompactString(dst, f.Name)
		if finalized {
			dst = AppendInt16(dst, f.MaxVersion)
			dst = AppendInt16(dst, f.MinVersion)
		} else {
			dst = AppendInt16(dst, f.MinVersion)
			dst = AppendInt16(dst, f.MaxVersion)
		}
		dst = AppendEmptyTags(dst, true)
	}
	return dst
}

// DecodeFrom decodes src as a response body of version into m, reusing its
// slices.
func (m *ApiVersionsResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyApiVersions]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	// UNSUPPORTED_VERSION answers come as v0 bodies whatever was asked.
	if version > 0 && len(src) >= 2 && int16(uint16(src[0])<<8|uint16(src[1])) == int16(UnsupportedVersion) {
		version = 0
	}
	m.DecodedVersion = version
	flex := version >= 3
	r := NewReader(src)
	m.ErrorCode = r.Int16()
	minKey := 6
	if flex {
		minKey = 7
	}
	n := r.ArrayLen(minKey, flex)
	if n < 0 {
		n = 0
	}
	m.ApiKeys = Grow(m.ApiKeys, n)
	for i := range m.ApiKeys {
		k := &m.ApiKeys[i]
		k.ApiKey = r.Int16()
		k.MinVersion = r.Int16()
		k.MaxVersion = r.Int16()
		r.SkipTags(flex)
	}
	m.ThrottleTimeMs = 0
	if version >= 1 {
		m.ThrottleTimeMs = r.Int32()
	}
	m.SupportedFeatures = m.SupportedFeatures[:0]
	m.FinalizedFeaturesEpoch = -1
	m.FinalizedFeatures = m.FinalizedFeatures[:0]
	m.ZkMigrationReady = false
	if flex {
		for k := r.Tags(); k > 0; k-- {
			tag, data := r.Tag()
			tr := NewReader(data)
			switch tag {
			case 0:
				m.SupportedFeatures = readFeatures(&tr, m.SupportedFeatures, false)
			case 1:
				m.FinalizedFeaturesEpoch = tr.Int64()
			case 2:
				m.FinalizedFeatures = readFeatures(&tr, m.FinalizedFeatures, true)
			case 3:
				m.ZkMigrationReady = tr.Bool()
			default:
				continue
			}
			if err := tr.Complete(); err != nil {
				r.Fail(err)
			}
		}
	}
	return r.Complete()
}

func readFeatures(r *Reader, fs []ApiVersionsResponseFeature, finalized bool) []ApiVersionsResponseFeature {
	// name (1) + two int16 + tags (1)
	n := r.ArrayLen(6, true)
	if n < 0 {
		n = 0
	}
	fs = Grow(fs, n)
	for i := range fs {
		f := &fs[i]
		f.Name = r.CompactString(f.Name)
		a, b := r.Int16(), r.Int16()
		if finalized {
			a, b = b, a
		}
		f.MinVersion, f.MaxVersion = a, b
		r.SkipTags(true)
	}
	return fs
}

func init() {
	registerAPI(KeyApiVersions, func() Message { return new(ApiVersionsRequest) }, func() Message { return new(ApiVersionsResponse) })
}
