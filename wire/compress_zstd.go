package wire

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/klauspost/compress/zstd"
	"github.com/zeroalloc/kafka/pool"
)

// zstd encoders and decoders are heavy (window buffers, tables) and must be
// closed, so they live in bounded pools that close what they drop. All are
// built with concurrency 1, so EncodeAll and DecodeAll run on the caller's
// goroutine. Only DecodeAll is used: the stream decoder would hold the
// single block decoder between calls.

// zstdMaxWindow is the largest window a frame may ask for: zstd level 22
// uses 2^27 bytes, which is the most a Kafka producer writes.
const zstdMaxWindow = 1 << 27

type zstdEncoder struct {
	e     *zstd.Encoder
	level zstd.EncoderLevel
}

type zstdDecoder struct {
	d *zstd.Decoder
}

var (
	zstdEncoders = pool.NewBounded(codecPoolSize, func() *zstdEncoder { return new(zstdEncoder) },
		func(e *zstdEncoder) {
			if e.e != nil {
				e.e.Close()
			}
		})
	zstdDecoders = pool.NewBounded(codecPoolSize, newZstdDecoder, func(d *zstdDecoder) {
		if d.d != nil {
			d.d.Close()
		}
	})
)

func newZstdDecoder() *zstdDecoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecodeAllCapLimit(true),
		zstd.WithDecoderMaxWindow(zstdMaxWindow))
	if err != nil {
		// The options are constant and valid; only a library change gets here.
		panic("kafka/wire: zstd decoder options: " + err.Error())
	}
	return &zstdDecoder{d: d}
}

func zstdCompress(dst, src []byte, level int) ([]byte, error) {
	if level == LevelDefault {
		level = 3
	}
	lv := zstd.EncoderLevelFromZstd(level)
	e := zstdEncoders.Get()
	if e.e == nil || e.level != lv {
		if e.e != nil {
			e.e.Close()
		}
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(lv), zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderCRC(false), zstd.WithZeroFrames(true))
		if err != nil {
			e.e = nil
			zstdEncoders.Put(e)
			return dst, err
		}
		e.e, e.level = enc, lv
	}
	dst = e.e.EncodeAll(src, dst)
	zstdEncoders.Put(e)
	return dst, nil
}

// zstdDecompress bounds the output before decoding: zstdBound walks the
// frame and block headers (a frame states its content size, or else every
// block's output is bounded by its header: raw and RLE blocks state their
// size, a compressed block yields at most 128 KiB). dst gets room for
// min(bound, limit) and DecodeAll, capped to that room, decodes straight
// into it: one pass, no stream buffers, and never more than the room.
// (The library's stream decoder would also bound the output, but would copy
// it once more.)
func zstdDecompress(dst, src []byte, limit int) ([]byte, error) {
	start := len(dst)
	bound, err := zstdBound(src)
	if err != nil {
		return dst, corrupt(CodecZstd, err)
	}
	room := limit
	if bound <= uint64(limit) {
		room = int(bound)
	}
	dst = slices.Grow(dst, room)
	d := zstdDecoders.Get()
	out, err := d.d.DecodeAll(src, dst[:start:start+room])
	zstdDecoders.Put(d)
	if err != nil {
		// Capped at the limit, the library fails either with
		// ErrDecoderSizeExceeded or inside the block that crosses the cap;
		// output within one block of the limit tells the second case.
		if room == limit && (errors.Is(err, zstd.ErrDecoderSizeExceeded) || len(out)-start > limit-zstdMaxBlockOut) {
			return dst[:start], ErrDecompressLimit
		}
		return dst[:start], corrupt(CodecZstd, err)
	}
	return out, nil
}

const (
	zstdMagic         = 0xFD2FB528
	zstdSkippableMask = 0xFFFFFFF0
	zstdSkippable     = 0x184D2A50
	zstdMaxBlockOut   = 128 << 10
)

var errZstdFrame = errors.New("malformed zstd frame")

// zstdBound returns an upper bound of what src decodes to, from its frame
// and block headers alone (RFC 8878 section 3.1).
func zstdBound(src []byte) (uint64, error) {
	var total uint64
	for len(src) > 0 {
		if len(src) < 8 {
			return 0, errZstdFrame
		}
		magic := binary.LittleEndian.Uint32(src)
		if magic&zstdSkippableMask == zstdSkippable {
			n := uint64(binary.LittleEndian.Uint32(src[4:]))
			if n > uint64(len(src)-8) {
				return 0, errZstdFrame
			}
			src = src[8+n:]
			continue
		}
		if magic != zstdMagic {
			return 0, errZstdFrame
		}
		fhd := src[4]
		single := fhd&0x20 != 0
		fcsLen := [4]int{0, 2, 4, 8}[fhd>>6]
		if fcsLen == 0 && single {
			fcsLen = 1
		}
		p := 5
		if !single {
			p++ // window descriptor
		}
		p += [4]int{0, 1, 2, 4}[fhd&3]
		if p+fcsLen > len(src) {
			return 0, errZstdFrame
		}
		var fcs uint64
		for i := fcsLen - 1; i >= 0; i-- {
			fcs = fcs<<8 | uint64(src[p+i])
		}
		if fcsLen == 2 {
			fcs += 256
		}
		p += fcsLen
		var blocks uint64
		for last := false; !last; {
			if p+3 > len(src) {
				return 0, errZstdFrame
			}
			h := uint32(src[p]) | uint32(src[p+1])<<8 | uint32(src[p+2])<<16
			p += 3
			last = h&1 != 0
			size := int(h >> 3)
			switch (h >> 1) & 3 {
			case 0: // raw
				blocks += uint64(size)
			case 1: // RLE: one byte repeated size times
				blocks += uint64(size)
				size = 1
			case 2:
				blocks += zstdMaxBlockOut
			default:
				return 0, errZstdFrame
			}
			if size > len(src)-p {
				return 0, errZstdFrame
			}
			p += size
		}
		if fhd&4 != 0 {
			p += 4 // content checksum
		}
		if p > len(src) {
			return 0, errZstdFrame
		}
		if fcsLen > 0 {
			blocks = min(blocks, fcs)
		}
		total += blocks
		src = src[p:]
	}
	return total, nil
}
