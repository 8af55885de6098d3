// Package snappy keeps kafka-go's older snappy package so that programs
// which import it compile; the codec itself is compress/snappy and is always
// available.
package snappy

import "github.com/zeroalloc/kafka/compress/snappy"

// CompressionCodec is compress/snappy's Codec.
type CompressionCodec = snappy.Codec

// Framing is compress/snappy's Framing.
type Framing = snappy.Framing

// Code is snappy's codec number; Framed and Unframed are the framings.
const (
	Code     = 2
	Framed   = snappy.Framed
	Unframed = snappy.Unframed
)

// NewCompressionCodec returns a snappy codec writing xerial frames.
func NewCompressionCodec() *CompressionCodec { return NewCompressionCodecFraming(Framed) }

// NewCompressionCodecFraming returns a snappy codec with framing.
func NewCompressionCodecFraming(framing Framing) *CompressionCodec {
	return &CompressionCodec{Framing: framing}
}
