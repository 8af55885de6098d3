package wire

import (
	"bytes"

	"github.com/pierrec/lz4/v4"
	"github.com/zeroalloc/kafka/pool"
)

// Kafka (record batch v2 and message set v1) uses the standard LZ4 frame
// format. We write it as the Java client does: independent 64 KiB blocks and
// no content checksum (the batch CRC already covers the compressed bytes).
// Message set v0 used a broken frame header checksum (KIP-57); such frames
// are not readable here.

type lz4Encoder struct {
	w     *lz4.Writer
	out   appendWriter
	level int
}

type lz4Decoder struct {
	r  *lz4.Reader
	in bytes.Reader
}

var (
	lz4Encoders = pool.NewBounded(codecPoolSize, func() *lz4Encoder { return new(lz4Encoder) }, nil)
	lz4Decoders = pool.NewBounded(codecPoolSize, func() *lz4Decoder { return new(lz4Decoder) }, nil)
)

var lz4Levels = [...]lz4.CompressionLevel{lz4.Fast, lz4.Level1, lz4.Level2, lz4.Level3, lz4.Level4, lz4.Level5, lz4.Level6, lz4.Level7, lz4.Level8, lz4.Level9}

func lz4Compress(dst, src []byte, level int) ([]byte, error) {
	level = min(max(level, 0), len(lz4Levels)-1)
	e := lz4Encoders.Get()
	e.out.b = dst
	if e.w == nil || e.level != level {
		e.w = lz4.NewWriter(&e.out)
		err := e.w.Apply(lz4.BlockSizeOption(lz4.Block64Kb), lz4.ChecksumOption(false),
			lz4.ConcurrencyOption(1), lz4.CompressionLevelOption(lz4Levels[level]))
		if err != nil {
			e.w, e.out.b = nil, nil
			lz4Encoders.Put(e)
			return dst, err
		}
		e.level = level
	} else {
		e.w.Reset(&e.out)
	}
	_, err := e.w.Write(src)
	if err == nil {
		err = e.w.Close()
	}
	out := e.out.b
	e.out.b = nil
	if err != nil {
		e.w = nil
	}
	lz4Encoders.Put(e)
	if err != nil {
		return dst, err
	}
	return out, nil
}

func lz4Decompress(dst, src []byte, limit int) ([]byte, error) {
	d := lz4Decoders.Get()
	d.in.Reset(src)
	if d.r == nil {
		d.r = lz4.NewReader(&d.in)
	} else {
		d.r.Reset(&d.in)
	}
	dst, err := readLimited(dst, d.r, limit, 4*len(src))
	d.in.Reset(nil)
	d.r.Reset(nil)
	lz4Decoders.Put(d)
	if err != nil {
		return dst, corrupt(CodecLZ4, err)
	}
	return dst, nil
}
