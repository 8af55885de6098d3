package compress_test

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"testing"

	"github.com/zeroalloc/kafka/compress"
	"github.com/zeroalloc/kafka/compress/gzip"
	"github.com/zeroalloc/kafka/compress/snappy"
	"github.com/zeroalloc/kafka/compress/zstd"
	"github.com/zeroalloc/kafka/wire"
)

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghij klmnop"[(i*7+i/13)%17]
	}
	return b
}

// codecs lists every codec with non-default settings too.
func codecs() []compress.Codec {
	return []compress.Codec{
		&compress.GzipCodec, &gzip.Codec{Level: 1}, &gzip.Codec{Level: 9},
		&compress.SnappyCodec, &snappy.Codec{Framing: snappy.Unframed},
		&snappy.Codec{Compression: snappy.FasterCompression}, &snappy.Codec{Compression: snappy.BestCompression},
		&compress.Lz4Codec,
		&compress.ZstdCodec, &zstd.Codec{Level: 1}, &zstd.Codec{Level: 19},
	}
}

func compressStream(t *testing.T, c compress.Codec, src []byte, chunk int) []byte {
	t.Helper()
	var out bytes.Buffer
	w := c.NewWriter(&out)
	for len(src) > 0 {
		n := min(chunk, len(src))
		if k, err := w.Write(src[:n]); err != nil || k != n {
			t.Fatalf("%s write: %d %v", c.Name(), k, err)
		}
		src = src[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatalf("%s close: %v", c.Name(), err)
	}
	return out.Bytes()
}

// TestCodecStreams checks, for every codec and several sizes (0, one
// byte, across snappy's 32 KiB blocks), that NewWriter's output decodes
// with wire.DecompressAppend (what the client's reads use), that
// wire.CompressAppend's output (what the client's writes use) reads back
// through NewReader, and that NewWriter and NewReader agree.
func TestCodecStreams(t *testing.T) {
	for _, c := range codecs() {
		for _, n := range []int{0, 1, 1000, 32 << 10, 100<<10 + 3} {
			t.Run(c.Name()+"/"+strconv.Itoa(n), func(t *testing.T) {
				src := payload(n)
				z := compressStream(t, c, src, 7000)
				got, err := wire.DecompressAppend(nil, z, wire.Codec(c.Code()), math.MaxInt32)
				if err != nil || !bytes.Equal(got, src) {
					t.Fatalf("NewWriter -> wire: %d bytes, %v", len(got), err)
				}
				r := c.NewReader(bytes.NewReader(z))
				got, err = io.ReadAll(r)
				if err != nil || !bytes.Equal(got, src) || r.Close() != nil {
					t.Fatalf("NewWriter -> NewReader: %d bytes, %v", len(got), err)
				}
				z, err = wire.CompressAppend(nil, src, wire.Codec(c.Code()), 0)
				if err != nil {
					t.Fatal(err)
				}
				got, err = io.ReadAll(c.NewReader(bytes.NewReader(z)))
				if err != nil || !bytes.Equal(got, src) {
					t.Fatalf("wire -> NewReader: %d bytes, %v", len(got), err)
				}
			})
		}
	}
}

func TestCodecCorruptInput(t *testing.T) {
	for _, c := range codecs() {
		if _, err := io.ReadAll(c.NewReader(bytes.NewReader([]byte("definitely not compressed data")))); err == nil {
			t.Errorf("%s: garbage read without error", c.Name())
		}
	}
}

func TestSnappyWriterFraming(t *testing.T) {
	src := payload(70 << 10)
	framed := compressStream(t, &snappy.Codec{}, src, 1<<20)
	if !bytes.HasPrefix(framed, []byte("\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01")) {
		t.Fatalf("framed output starts %x", framed[:16])
	}
	raw := compressStream(t, &snappy.Codec{Framing: snappy.Unframed}, src, 1<<20)
	if bytes.HasPrefix(raw, []byte("\x82SNAPPY")) {
		t.Fatal("unframed output is framed")
	}
	w := (&snappy.Codec{}).NewWriter(io.Discard)
	w.Close()
	if _, err := w.Write([]byte("x")); err == nil {
		t.Fatal("write after close accepted")
	}
}

func TestCompressionNamesAndCodes(t *testing.T) {
	want := map[compress.Compression]string{compress.Gzip: "gzip", compress.Snappy: "snappy", compress.Lz4: "lz4", compress.Zstd: "zstd"}
	for c, name := range want {
		codec := c.Codec()
		if codec == nil || codec.Name() != name || codec.Code() != int8(c) || c.String() != name || wire.Codec(c).String() != name {
			t.Errorf("%d: codec %v, string %q", c, codec, c.String())
		}
		text, _ := c.MarshalText()
		var back compress.Compression
		if err := back.UnmarshalText(text); err != nil || back != c {
			t.Errorf("%s: unmarshal %v %v", text, back, err)
		}
		if err := back.UnmarshalText([]byte(strconv.Itoa(int(c)))); err != nil || back != c {
			t.Errorf("%d by number: %v %v", c, back, err)
		}
	}
	if compress.None.Codec() != nil || compress.None.String() != "uncompressed" || compress.Compression(9).Codec() != nil {
		t.Error("None or unknown has a codec")
	}
	var c compress.Compression = compress.Gzip
	if c.UnmarshalText([]byte("none")) != nil || c != compress.None {
		t.Error("none")
	}
	if c.UnmarshalText([]byte("brotli")) == nil || c.UnmarshalText([]byte("7")) == nil {
		t.Error("unknown names accepted")
	}
	if compress.Level(&gzip.Codec{Level: 4}) != 4 || compress.Level(&zstd.Codec{Level: 6}) != 6 || compress.Level(&compress.Lz4Codec) != 0 {
		t.Error("Level")
	}
}
