// Package compress names Kafka's compression codecs and implements
// kafka-go's codec interface over them, so that programs written against
// github.com/segmentio/kafka-go/compress compile unchanged.
//
// The client itself never compresses through the io.Reader and io.Writer
// these codecs make: it maps Code to a wire.Codec and compresses each record
// batch once with wire.CompressAppend, straight into the request buffer, and
// decompresses with wire.DecompressAppend into pooled buffers.
package compress

import (
	"encoding"
	"errors"
	"io"
	"strconv"

	"github.com/zeroalloc/kafka/compress/gzip"
	"github.com/zeroalloc/kafka/compress/lz4"
	"github.com/zeroalloc/kafka/compress/snappy"
	"github.com/zeroalloc/kafka/compress/zstd"
)

// Compression is the compression of a record batch, numbered as in the
// batch's attributes.
type Compression int8

// The codecs Kafka defines.
const (
	None   Compression = 0
	Gzip   Compression = 1
	Snappy Compression = 2
	Lz4    Compression = 3
	Zstd   Compression = 4
)

// Codec returns the codec installed in Codecs for c, or nil for None and
// unknown values.
func (c Compression) Codec() Codec {
	if i := int(c); i >= 0 && i < len(Codecs) {
		return Codecs[i]
	}
	return nil
}

// String returns the codec's name, or "uncompressed".
func (c Compression) String() string {
	if codec := c.Codec(); codec != nil {
		return codec.Name()
	}
	return "uncompressed"
}

// MarshalText returns String's text.
func (c Compression) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText accepts "none", "uncompressed", a codec name or a codec
// number. b is only read.
func (c *Compression) UnmarshalText(b []byte) error {
	switch s := string(b); s {
	case "none", "uncompressed":
		*c = None
		return nil
	default:
		for _, codec := range Codecs[None+1:] {
			if codec.Name() == s {
				*c = Compression(codec.Code())
				return nil
			}
		}
		if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(Codecs) {
			*c = Compression(i)
			return nil
		}
		return errors.New("compression format must be one of none, uncompressed, gzip, snappy, lz4, or zstd, not " + strconv.Quote(s))
	}
}

var (
	_ encoding.TextMarshaler   = Compression(0)
	_ encoding.TextUnmarshaler = (*Compression)(nil)
)

// Codec is a compression codec, kafka-go's interface. Implementations must
// be safe for concurrent use. The client reads only Code (see the package
// comment); NewReader and NewWriter serve programs that compress or
// decompress streams themselves.
type Codec interface {
	// Code returns the codec's number (Compression).
	Code() int8
	// Name returns the codec's name as Kafka's compression.type spells it.
	Name() string
	// NewReader returns a reader of the decompression of r; Close releases
	// it (and does not close r).
	NewReader(r io.Reader) io.ReadCloser
	// NewWriter returns a writer that compresses into w; Close flushes the
	// compressed stream's end to w (and does not close w).
	NewWriter(w io.Writer) io.WriteCloser
}

var (
	// GzipCodec is the gzip codec installed in Codecs.
	GzipCodec gzip.Codec
	// SnappyCodec is the snappy codec installed in Codecs.
	SnappyCodec snappy.Codec
	// Lz4Codec is the lz4 codec installed in Codecs.
	Lz4Codec lz4.Codec
	// ZstdCodec is the zstd codec installed in Codecs.
	ZstdCodec zstd.Codec

	// Codecs is the table of codecs by Compression (None is nil).
	Codecs = [...]Codec{
		None:   nil,
		Gzip:   &GzipCodec,
		Snappy: &SnappyCodec,
		Lz4:    &Lz4Codec,
		Zstd:   &ZstdCodec,
	}
)

// Level returns the compression level that codec asks for, as
// wire.CompressAppend takes it: the Level field of this module's gzip and
// zstd codecs, and 0 (the codec's default) for every other codec.
func Level(codec Codec) int {
	switch c := codec.(type) {
	case *gzip.Codec:
		return c.Level
	case *zstd.Codec:
		return c.Level
	}
	return 0
}
