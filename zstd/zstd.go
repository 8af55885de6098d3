// Package zstd keeps kafka-go's older zstd package so that programs which
// import it compile; the codec itself is compress/zstd and is always
// available.
package zstd

import "github.com/zeroalloc/kafka/compress/zstd"

// Code is zstd's codec number; DefaultCompressionLevel is the default level.
const (
	Code                    = 4
	DefaultCompressionLevel = 3
)

// CompressionCodec is compress/zstd's Codec.
type CompressionCodec = zstd.Codec

// NewCompressionCodec returns a zstd codec at the default level.
func NewCompressionCodec() *CompressionCodec { return NewCompressionCodecWith(DefaultCompressionLevel) }

// NewCompressionCodecWith returns a zstd codec at level.
func NewCompressionCodecWith(level int) *CompressionCodec { return &CompressionCodec{Level: level} }
