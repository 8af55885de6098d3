// Package lz4 is kafka-go's lz4 codec (compress.Codec) over
// github.com/pierrec/lz4/v4, writing the LZ4 frame format Kafka uses.
package lz4

import (
	"io"

	"github.com/pierrec/lz4/v4"
)

// Codec is the lz4 codec; it has no settings. The client compresses batches
// with wire.CompressAppend; NewReader and NewWriter serve programs that use
// the codec on streams.
type Codec struct{}

// Code returns 3.
func (c *Codec) Code() int8 { return 3 }

// Name returns "lz4".
func (c *Codec) Name() string { return "lz4" }

// NewReader returns a reader of the LZ4 frames in r.
func (c *Codec) NewReader(r io.Reader) io.ReadCloser { return reader{lz4.NewReader(r)} }

// NewWriter returns a writer compressing into w; Close writes the frame's
// end.
func (c *Codec) NewWriter(w io.Writer) io.WriteCloser { return lz4.NewWriter(w) }

type reader struct{ *lz4.Reader }

func (reader) Close() error { return nil }
