// Package gzip is kafka-go's gzip codec (compress.Codec) over
// github.com/klauspost/compress/gzip.
package gzip

import (
	"io"

	"github.com/klauspost/compress/gzip"
)

// Codec is the gzip codec. Its zero value uses the default level. The
// client compresses batches with wire.CompressAppend at Level; NewReader and
// NewWriter serve programs that use the codec on streams.
type Codec struct {
	// Level is the gzip level (-2 Huffman only, -1 default, 1 fastest to 9
	// best); 0 means the default.
	Level int
}

// Code returns 1.
func (c *Codec) Code() int8 { return 1 }

// Name returns "gzip".
func (c *Codec) Name() string { return "gzip" }

// NewReader returns a reader of the gzip stream r. An invalid header is
// reported by the first Read and by Close.
func (c *Codec) NewReader(r io.Reader) io.ReadCloser {
	z, err := gzip.NewReader(r)
	if err != nil {
		return errReader{err}
	}
	return z
}

// NewWriter returns a writer compressing into w at c's level; Close writes
// the stream's end. An invalid level is reported by Write and Close.
func (c *Codec) NewWriter(w io.Writer) io.WriteCloser {
	level := c.Level
	if level == 0 {
		level = gzip.DefaultCompression
	}
	z, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return errWriter{err}
	}
	return z
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
func (r errReader) Close() error             { return r.err }

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }
func (w errWriter) Close() error              { return w.err }
