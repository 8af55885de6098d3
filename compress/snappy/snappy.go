// Package snappy is kafka-go's snappy codec (compress.Codec) over
// github.com/klauspost/compress/snappy and s2, writing the xerial framing
// that the Java client writes (or single raw blocks, Unframed).
package snappy

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"slices"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
	"github.com/zeroalloc/kafka/wire"
)

// Framing chooses between the xerial framing and one raw snappy block.
type Framing int

// The framings.
const (
	Framed Framing = iota
	Unframed
)

// Compression is the snappy encoder's effort.
type Compression int

// The efforts; each output is standard snappy that any reader decodes.
const (
	DefaultCompression Compression = iota
	FasterCompression
	BetterCompression
	BestCompression
)

// Codec is the snappy codec; its zero value writes xerial frames at the
// default effort. The client compresses batches with wire.CompressAppend
// (xerial framing, default effort) whatever the fields say; NewReader and
// NewWriter serve programs that use the codec on streams and honour them.
type Codec struct {
	// Framing defaults to Framed.
	Framing Framing
	// Compression defaults to DefaultCompression.
	Compression Compression
}

// Code returns 2.
func (c *Codec) Code() int8 { return 2 }

// Name returns "snappy".
func (c *Codec) Name() string { return "snappy" }

// NewReader returns a reader of the snappy data in r, xerial-framed or one
// raw block. It reads r whole on the first Read (snappy blocks are not
// streamable) and decodes it at once, up to 2 GiB.
func (c *Codec) NewReader(r io.Reader) io.ReadCloser { return &reader{src: r} }

// NewWriter returns a writer compressing into w. Framed, it writes a block
// for every 32 KiB of input and the rest at Close; Unframed, it writes one
// block at Close.
func (c *Codec) NewWriter(w io.Writer) io.WriteCloser {
	enc := snappy.Encode
	switch c.Compression {
	case FasterCompression:
		enc = s2.EncodeSnappy
	case BetterCompression:
		enc = s2.EncodeSnappyBetter
	case BestCompression:
		enc = s2.EncodeSnappyBest
	}
	return &writer{dst: w, framed: c.Framing != Unframed, encode: enc}
}

type reader struct {
	src  io.Reader
	out  *bytes.Reader
	err  error
	done bool
}

func (r *reader) Read(p []byte) (int, error) {
	if !r.done {
		r.done = true
		var in []byte
		if in, r.err = io.ReadAll(r.src); r.err == nil {
			var out []byte
			out, r.err = wire.DecompressAppend(nil, in, wire.CodecSnappy, math.MaxInt32)
			r.out = bytes.NewReader(out)
		}
	}
	if r.err != nil {
		return 0, r.err
	}
	return r.out.Read(p)
}

func (r *reader) Close() error { return nil }

// xerialHeader is the xerial magic and its two versions (1, 1).
var xerialHeader = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}

const blockSize = 32 << 10

type writer struct {
	dst     io.Writer
	framed  bool
	encode  func(dst, src []byte) []byte
	buf     []byte // input not yet compressed
	out     []byte // scratch for one compressed block
	started bool
	closed  bool
	err     error
}

func (w *writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	w.buf = append(w.buf, p...)
	if w.framed {
		for len(w.buf) >= blockSize && w.err == nil {
			w.flushBlock(w.buf[:blockSize])
			w.buf = w.buf[:copy(w.buf, w.buf[blockSize:])]
		}
	}
	return len(p), w.err
}

func (w *writer) flushBlock(block []byte) {
	out := w.out[:0]
	if w.framed && !w.started {
		w.started = true
		out = append(out, xerialHeader...)
	}
	at := len(out)
	if w.framed {
		out = append(out, 0, 0, 0, 0)
	}
	m := s2.MaxEncodedLen(len(block))
	out = slices.Grow(out, m)
	// The encoders use the space given when it is large enough; the copy
	// is then a no-op, and only matters if one ever allocates instead.
	n := copy(out[len(out):len(out)+m], w.encode(out[len(out):len(out)+m], block))
	if w.framed {
		binary.BigEndian.PutUint32(out[at:], uint32(n))
	}
	w.out = out[:len(out)+n]
	_, w.err = w.dst.Write(w.out)
}

func (w *writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err == nil && (len(w.buf) > 0 || !w.started) {
		w.flushBlock(w.buf)
	}
	w.buf = w.buf[:0]
	err := w.err
	if err == nil {
		w.err = io.ErrClosedPipe // writes after Close fail
	}
	return err
}
