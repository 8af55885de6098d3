package wire

// Message is implemented by every request and response body type. Bodies
// exclude the frame size and the request or response header.
//
// AppendTo appends the body encoded for version and returns the extended
// slice; it allocates only when cap(dst) is too small.
//
// DecodeFrom decodes src as the body of version into the receiver, reusing
// the capacity of its slices. Byte-slice fields of the result alias src and
// are valid only as long as src is; strings are copied, except that a string
// field already holding the same text is kept as it is.
type Message interface {
	Key() int16
	AppendTo(dst []byte, version int16) []byte
	DecodeFrom(src []byte, version int16) error
}

var (
	requestTypes  [maxKey + 1]func() Message
	responseTypes [maxKey + 1]func() Message
)

// registerAPI records the constructors of an API's request and response; each
// API family file calls it from init.
func registerAPI(key int16, req, resp func() Message) {
	requestTypes[key] = req
	responseTypes[key] = resp
}

// NewRequest returns a new, empty request body for the API key, or nil if
// the client does not implement it.
func NewRequest(key int16) Message {
	if key < 0 || int(key) >= len(requestTypes) || requestTypes[key] == nil {
		return nil
	}
	return requestTypes[key]()
}

// NewResponse returns a new, empty response body for the API key, or nil if
// the client does not implement it.
func NewResponse(key int16) Message {
	if key < 0 || int(key) >= len(responseTypes) || responseTypes[key] == nil {
		return nil
	}
	return responseTypes[key]()
}

// ResponseHeaderFlexible reports whether the response of version of key uses
// response header v1. ApiVersions responses always use header v0 so that a
// client can read them whatever version it asked for.
func ResponseHeaderFlexible(key, version int16) bool {
	return key != KeyApiVersions && IsFlexible(key, version)
}
