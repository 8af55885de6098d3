// Package zstd is kafka-go's zstd codec (compress.Codec) over
// github.com/klauspost/compress/zstd.
package zstd

import (
	"io"

	"github.com/klauspost/compress/zstd"
)

// Codec is the zstd codec. Its zero value uses the default level (3). The
// client compresses batches with wire.CompressAppend at Level; NewReader and
// NewWriter serve programs that use the codec on streams, and make a fresh
// single-goroutine encoder or decoder each time (released by Close).
type Codec struct {
	// Level is the zstd level (1 fastest ... 22 best); 0 means 3.
	Level int
}

// Code returns 4.
func (c *Codec) Code() int8 { return 4 }

// Name returns "zstd".
func (c *Codec) Name() string { return "zstd" }

// NewReader returns a reader of the zstd stream r.
func (c *Codec) NewReader(r io.Reader) io.ReadCloser {
	d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return errReader{err}
	}
	return reader{d}
}

// NewWriter returns a writer compressing into w at c's level; Close writes
// the frame's end.
func (c *Codec) NewWriter(w io.Writer) io.WriteCloser {
	level := c.Level
	if level == 0 {
		level = 3
	}
	e, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)),
		zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true))
	if err != nil {
		return errWriter{err}
	}
	return e
}

type reader struct{ *zstd.Decoder }

func (r reader) Close() error {
	r.Decoder.Close()
	return nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
func (r errReader) Close() error             { return r.err }

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }
func (w errWriter) Close() error              { return w.err }
