package wire

// AppendRequestHeader starts a request frame: it reserves the int32 frame
// size (backfilled by FinishFrame) and appends request header v1 (v2 with an
// empty tagged-field section when flexible is set). It returns the extended
// slice and the offset of the size slot.
func AppendRequestHeader(dst []byte, key, version int16, correlationID int32, clientID NullString, flexible bool) ([]byte, int) {
	start := len(dst)
	dst = AppendInt32(dst, 0)
	dst = AppendInt16(dst, key)
	dst = AppendInt16(dst, version)
	dst = AppendInt32(dst, correlationID)
	// The client id stays a classic nullable string even in header v2.
	dst = AppendNullableString(dst, clientID)
	dst = AppendEmptyTags(dst, flexible)
	return dst, start
}

// FinishFrame backfills the size slot reserved at start with the number of
// bytes that follow it.
func FinishFrame(dst []byte, start int) {
	PutInt32(dst[start:], int32(len(dst)-start-4))
}

// RequestHeader is a decoded request header (used by tests and tools that
// read requests, such as the fault-injection proxy).
type RequestHeader struct {
	APIKey        int16
	APIVersion    int16
	CorrelationID int32
	ClientID      NullString
}

// ReadRequestHeader reads a request header (without the frame size) and, for
// flexible versions, its tagged fields.
func (r *Reader) ReadRequestHeader(h *RequestHeader, flexible func(key, version int16) bool) {
	h.APIKey = r.Int16()
	h.APIVersion = r.Int16()
	h.CorrelationID = r.Int32()
	h.ClientID = r.NullableString(h.ClientID)
	if flexible != nil && flexible(h.APIKey, h.APIVersion) {
		r.SkipTags(true)
	}
}

// AppendResponseHeader starts a response frame: it reserves the frame size and
// appends response header v0 (v1 with an empty tagged-field section when
// flexible is set). It returns the extended slice and the size slot's offset.
func AppendResponseHeader(dst []byte, correlationID int32, flexible bool) ([]byte, int) {
	start := len(dst)
	dst = AppendInt32(dst, 0)
	dst = AppendInt32(dst, correlationID)
	dst = AppendEmptyTags(dst, flexible)
	return dst, start
}

// ReadResponseHeader reads a response header (without the frame size): the
// correlation id and, for header v1, the tagged fields.
func (r *Reader) ReadResponseHeader(flexible bool) (correlationID int32) {
	correlationID = r.Int32()
	r.SkipTags(flexible)
	return correlationID
}
