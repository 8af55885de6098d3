package kafkatest

// Hand-built Kafka requests for the tests of this package, which must not
// depend on the client's own wire package.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

const (
	apiKeyProduce     = 0
	apiKeyFetch       = 1
	apiKeyMetadata    = 3
	apiKeyApiVersions = 18
	maxResponseSize   = 1 << 20
	probeTimeout      = 5 * time.Second
	probeClientID     = "kafkatest"
)

// roundTrip sends one request and returns the response body after the
// correlation id. flexible selects request header v2 (with an empty tagged
// field section) over v1. Response headers are v0 for every call made here
// (ApiVersions always answers with header v0).
func roundTrip(addr string, apiKey, version int16, flexible bool, body []byte) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, probeTimeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(probeTimeout)); err != nil {
		return nil, err
	}
	const correlationID = 0x2a2a
	req := make([]byte, 4, 64+len(body))
	req = binary.BigEndian.AppendUint16(req, uint16(apiKey))
	req = binary.BigEndian.AppendUint16(req, uint16(version))
	req = binary.BigEndian.AppendUint32(req, correlationID)
	req = binary.BigEndian.AppendUint16(req, uint16(len(probeClientID)))
	req = append(req, probeClientID...)
	if flexible {
		req = append(req, 0) // no tagged fields
	}
	req = append(req, body...)
	binary.BigEndian.PutUint32(req, uint32(len(req)-4))
	if _, err := conn.Write(req); err != nil {
		return nil, err
	}
	var hdr [8]byte
	if _, err := io.ReadFull(conn, hdr[:4]); err != nil {
		return nil, fmt.Errorf("reading response size: %w", err)
	}
	size := int32(binary.BigEndian.Uint32(hdr[:4]))
	if size < 4 || size > maxResponseSize {
		return nil, fmt.Errorf("response size %d out of range", size)
	}
	resp := make([]byte, size)
	if _, err := io.ReadFull(conn, resp); err != nil {
		return nil, fmt.Errorf("reading %d-byte response: %w", size, err)
	}
	if got := binary.BigEndian.Uint32(resp); got != correlationID {
		return nil, fmt.Errorf("correlation id %#x, want %#x", got, correlationID)
	}
	return resp[4:], nil
}

// reader decodes big-endian fields from a response with a sticky error: after
// the first short read every call returns zero values.
type reader struct {
	b   []byte
	err error
}

var errShort = errors.New("response truncated")

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("%w: want %d bytes, have %d", errShort, n, len(r.b))
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) int16() int16 {
	if p := r.take(2); p != nil {
		return int16(binary.BigEndian.Uint16(p))
	}
	return 0
}

func (r *reader) int32() int32 {
	if p := r.take(4); p != nil {
		return int32(binary.BigEndian.Uint32(p))
	}
	return 0
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: bad unsigned varint", errShort)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads an array length (int32, or compact uvarint N+1) and checks it
// against the bytes left, given the smallest possible element size.
func (r *reader) count(compact bool, minElem int) int {
	var n int64
	if compact {
		n = int64(r.uvarint()) - 1
	} else {
		n = int64(r.int32())
	}
	if r.err != nil {
		return 0
	}
	if n < 0 {
		return 0 // null array
	}
	if n*int64(minElem) > int64(len(r.b)) {
		r.err = fmt.Errorf("%w: %d elements of at least %d bytes in %d bytes", errShort, n, minElem, len(r.b))
		return 0
	}
	return int(n)
}

func (r *reader) string() string {
	n := r.int16()
	if n < 0 {
		return ""
	}
	return string(r.take(int(n)))
}

// skipTags skips a tagged field section.
func (r *reader) skipTags() {
	for n := r.uvarint(); n > 0 && r.err == nil; n-- {
		r.uvarint() // tag
		r.take(int(r.uvarint()))
	}
}

type versionRange struct{ min, max int16 }

// apiVersions sends ApiVersions v0 or v3 and returns the error code and the
// supported version range per API key.
func apiVersions(addr string, version int16) (int16, map[int16]versionRange, error) {
	var body []byte
	flexible := version >= 3
	if flexible {
		// client_software_name, client_software_version (compact strings), no tags
		body = append(body, byte(len(probeClientID)+1))
		body = append(body, probeClientID...)
		body = append(body, 2, '1', 0)
	}
	resp, err := roundTrip(addr, apiKeyApiVersions, version, flexible, body)
	if err != nil {
		return 0, nil, err
	}
	r := &reader{b: resp}
	code := r.int16()
	elem := 6
	if flexible {
		elem = 7
	}
	n := r.count(flexible, elem)
	apis := make(map[int16]versionRange, n)
	for range n {
		key := r.int16()
		apis[key] = versionRange{min: r.int16(), max: r.int16()}
		if flexible {
			r.skipTags()
		}
	}
	if version >= 1 {
		r.int32() // throttle_time_ms
	}
	if flexible {
		r.skipTags()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d bytes left after the ApiVersions v%d response", len(r.b), version)
	}
	return code, apis, r.err
}

type brokerInfo struct {
	id   int32
	host string
	port int32
}

// metadataBrokers sends Metadata v4 for no topics and returns the brokers.
func metadataBrokers(addr string) ([]brokerInfo, error) {
	// topics: empty array (not null, which would mean all topics);
	// allow_auto_topic_creation: false.
	body := []byte{0, 0, 0, 0, 0}
	resp, err := roundTrip(addr, apiKeyMetadata, 4, false, body)
	if err != nil {
		return nil, err
	}
	r := &reader{b: resp}
	r.int32() // throttle_time_ms
	n := r.count(false, 12)
	brokers := make([]brokerInfo, 0, n)
	for range n {
		b := brokerInfo{id: r.int32(), host: r.string(), port: r.int32()}
		r.string() // rack
		brokers = append(brokers, b)
	}
	return brokers, r.err
}
