package kafka

import (
	"errors"

	"github.com/zeroalloc/kafka/compress"
	"github.com/zeroalloc/kafka/wire"
)

// Compression names the compression codec of a record batch, as kafka-go's
// Compression does (Writer.Compression).
type Compression = compress.Compression

// The compression codecs Kafka defines.
const (
	Gzip   Compression = compress.Gzip
	Snappy Compression = compress.Snappy
	Lz4    Compression = compress.Lz4
	Zstd   Compression = compress.Zstd
)

// CompressionCodec is kafka-go's codec interface (Conn.WriteCompressedMessages,
// WriterConfig.CompressionCodec).
//
// The client uses only its Code (and, for the codecs of this module's
// compress packages, their level): it compresses each record batch once, in
// place in the request buffer, with wire.CompressAppend, and never goes
// through the io.Reader and io.Writer that NewReader and NewWriter make.
// Those still work for programs that call them.
type CompressionCodec = compress.Codec

// errUnknownCodec means a codec whose Code is not one of Kafka's.
var errUnknownCodec = errors.New("kafka: the compression code is invalid")

// wireCodec maps a codec to the wire codec and level that encode its batches
// (nil is no compression).
func wireCodec(c CompressionCodec) (wire.Codec, int, error) {
	if c == nil {
		return wire.CodecNone, wire.LevelDefault, nil
	}
	code := c.Code()
	if code < 0 || code > int8(wire.CodecZstd) {
		return wire.CodecNone, 0, errUnknownCodec
	}
	return wire.Codec(code), compress.Level(c), nil
}
