// Package gzip keeps kafka-go's older gzip package so that programs which
// import it compile; the codec itself is compress/gzip and is always
// available.
package gzip

import (
	gz "github.com/klauspost/compress/gzip"
	"github.com/zeroalloc/kafka/compress/gzip"
)

// Code is gzip's codec number; DefaultCompressionLevel is the library's
// default level.
const (
	Code                    = 1
	DefaultCompressionLevel = gz.DefaultCompression
)

// CompressionCodec is compress/gzip's Codec.
type CompressionCodec = gzip.Codec

// NewCompressionCodec returns a gzip codec at the default level.
func NewCompressionCodec() *CompressionCodec {
	return NewCompressionCodecLevel(DefaultCompressionLevel)
}

// NewCompressionCodecLevel returns a gzip codec at level.
func NewCompressionCodecLevel(level int) *CompressionCodec { return &CompressionCodec{Level: level} }
