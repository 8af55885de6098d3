package wire

import (
	"bytes"

	"github.com/klauspost/compress/gzip"
	"github.com/zeroalloc/kafka/pool"
)

// gzipEncoder is pooled gzip writer state. A writer is built for one level;
// one of another level is rebuilt (a producer uses one level, so this is
// rare).
type gzipEncoder struct {
	w     *gzip.Writer
	out   appendWriter
	level int
}

// gzipDecoder is pooled gzip reader state.
type gzipDecoder struct {
	r  *gzip.Reader
	in bytes.Reader
}

var (
	gzipEncoders = pool.NewBounded(codecPoolSize, func() *gzipEncoder { return new(gzipEncoder) }, nil)
	gzipDecoders = pool.NewBounded(codecPoolSize, func() *gzipDecoder { return new(gzipDecoder) }, nil)
)

func gzipCompress(dst, src []byte, level int) ([]byte, error) {
	if level == LevelDefault {
		level = gzip.DefaultCompression
	}
	e := gzipEncoders.Get()
	e.out.b = dst
	if e.w == nil || e.level != level {
		w, err := gzip.NewWriterLevel(&e.out, level)
		if err != nil {
			e.out.b = nil
			gzipEncoders.Put(e)
			return dst, err
		}
		e.w, e.level = w, level
	} else {
		e.w.Reset(&e.out)
	}
	_, err := e.w.Write(src)
	if err == nil {
		err = e.w.Close()
	}
	out := e.out.b
	e.out.b = nil
	gzipEncoders.Put(e)
	if err != nil {
		return dst, err
	}
	return out, nil
}

func gzipDecompress(dst, src []byte, limit int) ([]byte, error) {
	d := gzipDecoders.Get()
	d.in.Reset(src)
	var err error
	if d.r == nil {
		d.r, err = gzip.NewReader(&d.in)
	} else {
		err = d.r.Reset(&d.in)
	}
	if err == nil {
		dst, err = readLimited(dst, d.r, limit, 4*len(src))
	}
	d.in.Reset(nil)
	if err != nil {
		// A reader that failed mid-stream is rebuilt rather than trusted.
		d.r = nil
	}
	gzipDecoders.Put(d)
	if err != nil {
		return dst, corrupt(CodecGzip, err)
	}
	return dst, nil
}
