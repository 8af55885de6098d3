package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"

	"github.com/klauspost/compress/snappy"
)

// Snappy in Kafka comes in two shapes. The Java client writes through
// snappy-java's SnappyOutputStream, the "xerial" framing: the magic
// "\x82SNAPPY\x00", two big-endian int32 versions (1 and 1), then blocks of
// at most 32 KiB of input, each an int32 length and a raw snappy block.
// librdkafka and several Go clients write one raw snappy block instead.
// Every mainstream reader (the Java client and broker, librdkafka, the Go
// clients) reads the xerial framing, and all but some very old Java
// consumers also fall back to raw blocks. So we write xerial, block for
// block as Java does, and read both: input that starts with the magic is
// xerial (concatenated xerial streams included), anything else raw.

var xerialHeader = [16]byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}

const (
	xerialMagicLen  = 8
	xerialBlockSize = 32 << 10
)

var errXerialTruncated = errors.New("truncated xerial block")

func snappyCompress(dst, src []byte) []byte {
	dst = append(dst, xerialHeader[:]...)
	for len(src) > 0 {
		block := src[:min(len(src), xerialBlockSize)]
		src = src[len(block):]
		at := len(dst)
		m := snappy.MaxEncodedLen(len(block))
		dst = slices.Grow(dst, 4+m)
		enc := snappy.Encode(dst[at+4:at+4+m], block)
		binary.BigEndian.PutUint32(dst[at:at+4], uint32(len(enc)))
		dst = dst[:at+4+len(enc)]
	}
	return dst
}

func isXerial(src []byte) bool {
	return len(src) >= len(xerialHeader) && bytes.Equal(src[:xerialMagicLen], xerialHeader[:xerialMagicLen])
}

func snappyDecompress(dst, src []byte, limit int) ([]byte, error) {
	start := len(dst)
	if !isXerial(src) {
		out, err := snappyBlock(dst, src, limit)
		if err != nil {
			return dst, corrupt(CodecSnappy, err)
		}
		return out, nil
	}
	p := src[len(xerialHeader):]
	for len(p) > 0 {
		if isXerial(p) {
			p = p[len(xerialHeader):]
			continue
		}
		if len(p) < 4 || int64(binary.BigEndian.Uint32(p)) > int64(len(p)-4) {
			return dst[:start], corrupt(CodecSnappy, errXerialTruncated)
		}
		n := int(binary.BigEndian.Uint32(p))
		var err error
		dst, err = snappyBlock(dst, p[4:4+n], limit-(len(dst)-start))
		if err != nil {
			return dst[:start], corrupt(CodecSnappy, err)
		}
		p = p[4+n:]
	}
	return dst, nil
}

// snappyBlock appends one raw snappy block, checking its declared length
// against limit before making room for it.
func snappyBlock(dst, block []byte, limit int) ([]byte, error) {
	n, err := snappy.DecodedLen(block)
	if err != nil {
		return dst, err
	}
	if n > limit {
		return dst, ErrDecompressLimit
	}
	at := len(dst)
	dst = slices.Grow(dst, n)
	if _, err := snappy.Decode(dst[at:at+n], block); err != nil {
		return dst[:at], err
	}
	return dst[:at+n], nil
}
