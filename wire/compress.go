package wire

import (
	"errors"
	"io"
	"runtime"
	"slices"
	"strconv"
)

// Codec is a compression codec, numbered as in bits 0-2 of a record batch's
// (or a legacy message's) attributes.
type Codec int8

// The codecs Kafka defines.
const (
	CodecNone   Codec = 0
	CodecGzip   Codec = 1
	CodecSnappy Codec = 2
	CodecLZ4    Codec = 3
	CodecZstd   Codec = 4
)

// String returns the codec's name as Kafka's compression.type config spells it.
func (c Codec) String() string {
	switch c {
	case CodecNone:
		return "none"
	case CodecGzip:
		return "gzip"
	case CodecSnappy:
		return "snappy"
	case CodecLZ4:
		return "lz4"
	case CodecZstd:
		return "zstd"
	}
	return "codec(" + strconv.Itoa(int(c)) + ")"
}

// LevelDefault asks CompressAppend for the codec's default level.
const LevelDefault = 0

// Compression errors.
var (
	// ErrUnknownCodec means a codec number outside 0-4.
	ErrUnknownCodec = errors.New("kafka/wire: unknown compression codec")
	// ErrDecompressLimit means the decompressed data would exceed the limit
	// given to DecompressAppend (or the record iterator's DecompressLimit).
	ErrDecompressLimit = errors.New("kafka/wire: decompressed data exceeds limit")
	// ErrCorruptCompressed means compressed data could not be decoded; the
	// codec library's own error is wrapped too.
	ErrCorruptCompressed = errors.New("kafka/wire: corrupt compressed data")
)

// codecError wraps a codec library's decoding error so that it matches both
// ErrCorruptCompressed and the library's error.
type codecError struct {
	codec Codec
	err   error
}

func (e *codecError) Error() string {
	return "kafka/wire: corrupt " + e.codec.String() + " data: " + e.err.Error()
}

func (e *codecError) Unwrap() []error { return []error{ErrCorruptCompressed, e.err} }

func corrupt(c Codec, err error) error {
	if err == ErrDecompressLimit {
		return err
	}
	return &codecError{codec: c, err: err}
}

// codecPoolSize bounds how many idle encoders or decoders each codec keeps.
var codecPoolSize = max(4, runtime.GOMAXPROCS(0))

// CompressAppend appends src compressed with codec to dst and returns the
// extended slice; it allocates only when cap(dst) is too small (warm codec
// state comes from bounded pools). src is only read; the result never
// aliases it. On error dst is returned unchanged.
//
// level is Kafka's compression.<codec>.level: LevelDefault (0) picks the
// codec's default. gzip takes -2 (Huffman only) to 9, with -1 the library
// default; zstd takes zstd levels (1-2 fastest, 3-5 default, 6-9 better,
// 10+ best); lz4 takes 1-9 (higher clamps to 9) and 0 for the fast
// compressor; snappy has no levels. Snappy output uses the xerial framing
// that the Java client writes; see compress_snappy.go.
func CompressAppend(dst, src []byte, codec Codec, level int) ([]byte, error) {
	switch codec {
	case CodecNone:
		return append(dst, src...), nil
	case CodecGzip:
		return gzipCompress(dst, src, level)
	case CodecSnappy:
		return snappyCompress(dst, src), nil
	case CodecLZ4:
		return lz4Compress(dst, src, level)
	case CodecZstd:
		return zstdCompress(dst, src, level)
	}
	return dst, ErrUnknownCodec
}

// DecompressAppend appends the decompression of src to dst and returns the
// extended slice. It stops as soon as the output would exceed limit bytes and
// returns ErrDecompressLimit; whatever src claims, it allocates no more than
// about twice the limit (growing dst geometrically), plus the codec's
// bounded internal state. Corrupt input gives an error matching
// ErrCorruptCompressed. On any error dst is returned with its original
// length. src is only read; the result never aliases it. Warm codec state
// comes from bounded pools, so no allocation happens when cap(dst) suffices.
func DecompressAppend(dst, src []byte, codec Codec, limit int) ([]byte, error) {
	if limit < 0 {
		limit = 0
	}
	switch codec {
	case CodecNone:
		if len(src) > limit {
			return dst, ErrDecompressLimit
		}
		return append(dst, src...), nil
	case CodecGzip:
		return gzipDecompress(dst, src, limit)
	case CodecSnappy:
		return snappyDecompress(dst, src, limit)
	case CodecLZ4:
		return lz4Decompress(dst, src, limit)
	case CodecZstd:
		return zstdDecompress(dst, src, limit)
	}
	return dst, ErrUnknownCodec
}

// appendWriter is an io.Writer appending to b; streaming encoders write
// into the caller's dst through it.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// readLimited appends everything r yields to dst, failing with
// ErrDecompressLimit once more than limit bytes have come. It reads at most
// limit+1 bytes, and grows dst geometrically from hint, never beyond that.
func readLimited(dst []byte, r io.Reader, limit, hint int) ([]byte, error) {
	start := len(dst)
	end := start + limit + 1 // one byte past the limit detects overflow
	for {
		if len(dst) == cap(dst) {
			want := max(cap(dst)-start, hint, 4096)
			want = min(want, end-len(dst))
			dst = slices.Grow(dst, want)
		}
		n, err := r.Read(dst[len(dst):min(cap(dst), end)])
		dst = dst[:len(dst)+n]
		if len(dst)-start > limit {
			return dst[:start], ErrDecompressLimit
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst[:start], err
		}
	}
}
