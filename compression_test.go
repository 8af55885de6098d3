package kafka

import (
	"io"

	"github.com/zeroalloc/kafka/compress/gzip"
	"github.com/zeroalloc/kafka/compress/lz4"
	"github.com/zeroalloc/kafka/compress/snappy"
	"github.com/zeroalloc/kafka/compress/zstd"
)

var (
	gzipCodec   gzip.Codec
	gzipCodec9  = gzip.Codec{Level: 9}
	snappyCodec snappy.Codec
	lz4Codec    lz4.Codec
	zstdCodec   zstd.Codec
	zstdCodec7  = zstd.Codec{Level: 7}
)

// badCodec is a user codec with a code Kafka does not define.
type badCodec struct{}

func (badCodec) Code() int8                           { return 9 }
func (badCodec) Name() string                         { return "bad" }
func (badCodec) NewReader(r io.Reader) io.ReadCloser  { return io.NopCloser(r) }
func (badCodec) NewWriter(w io.Writer) io.WriteCloser { return nil }
