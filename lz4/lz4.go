// Package lz4 keeps kafka-go's older lz4 package so that programs which
// import it compile; the codec itself is compress/lz4 and is always
// available.
package lz4

import "github.com/zeroalloc/kafka/compress/lz4"

// Code is lz4's codec number.
const Code = 3

// CompressionCodec is compress/lz4's Codec.
type CompressionCodec = lz4.Codec

// NewCompressionCodec returns an lz4 codec.
func NewCompressionCodec() *CompressionCodec { return &CompressionCodec{} }
