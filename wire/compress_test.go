package wire

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

var allCodecs = []Codec{CodecNone, CodecGzip, CodecSnappy, CodecLZ4, CodecZstd}

// testPayload is half random, half repetitive, so codecs both compress and
// have to carry literals.
func testPayload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		if (i/64)%2 == 0 {
			b[i] = byte(r.Uint32())
		} else {
			b[i] = byte(i % 7)
		}
	}
	return b
}

func TestCompressRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 100, 32<<10 + 1, 300 << 10}
	for _, c := range allCodecs {
		for _, n := range sizes {
			src := testPayload(n, uint64(n))
			prefix := []byte("prefix")
			comp, err := CompressAppend(append([]byte(nil), prefix...), src, c, LevelDefault)
			if err != nil {
				t.Fatalf("%v/%d: compress: %v", c, n, err)
			}
			if !bytes.Equal(comp[:len(prefix)], prefix) {
				t.Fatalf("%v/%d: compress overwrote dst", c, n)
			}
			out, err := DecompressAppend([]byte("x"), comp[len(prefix):], c, n)
			if err != nil {
				t.Fatalf("%v/%d: decompress: %v", c, n, err)
			}
			if out[0] != 'x' || !bytes.Equal(out[1:], src) {
				t.Fatalf("%v/%d: round trip differs", c, n)
			}
			if n > 0 {
				out, err = DecompressAppend([]byte("x"), comp[len(prefix):], c, n-1)
				if !errors.Is(err, ErrDecompressLimit) || string(out) != "x" {
					t.Fatalf("%v/%d: limit n-1: err %v, len %d", c, n, err, len(out))
				}
			}
		}
	}
}

func TestCompressLevels(t *testing.T) {
	src := testPayload(50<<10, 3)
	levels := map[Codec][]int{
		CodecGzip: {-2, -1, 1, 9},
		CodecLZ4:  {1, 5, 9, 17},
		CodecZstd: {1, 3, 7, 19},
	}
	for c, ls := range levels {
		for _, l := range ls {
			comp, err := CompressAppend(nil, src, c, l)
			if err != nil {
				t.Fatalf("%v level %d: %v", c, l, err)
			}
			out, err := DecompressAppend(nil, comp, c, len(src))
			if err != nil || !bytes.Equal(out, src) {
				t.Fatalf("%v level %d: round trip: %v", c, l, err)
			}
		}
	}
	if _, err := CompressAppend(nil, src, CodecGzip, 42); err == nil {
		t.Fatal("gzip level 42 accepted")
	}
	if _, err := CompressAppend(nil, src, Codec(5), 0); !errors.Is(err, ErrUnknownCodec) {
		t.Fatalf("codec 5: %v", err)
	}
	if _, err := DecompressAppend(nil, src, Codec(7), 10); !errors.Is(err, ErrUnknownCodec) {
		t.Fatalf("codec 7: %v", err)
	}
}

func TestSnappyXerialFraming(t *testing.T) {
	src := testPayload(70<<10, 9) // three 32 KiB blocks
	comp, err := CompressAppend(nil, src, CodecSnappy, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(comp[:16], xerialHeader[:]) {
		t.Fatalf("header % x", comp[:16])
	}
	// Walk the blocks as a Java reader would.
	p, blocks, total := comp[16:], 0, 0
	for len(p) > 0 {
		n := int(uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3]))
		d, err := snappy.Decode(nil, p[4:4+n])
		if err != nil {
			t.Fatal(err)
		}
		if len(d) > xerialBlockSize {
			t.Fatalf("block of %d bytes", len(d))
		}
		total += len(d)
		blocks++
		p = p[4+n:]
	}
	if blocks != 3 || total != len(src) {
		t.Fatalf("%d blocks, %d bytes", blocks, total)
	}
	// Raw snappy (librdkafka's output) reads too.
	out, err := DecompressAppend(nil, snappy.Encode(nil, src), CodecSnappy, len(src))
	if err != nil || !bytes.Equal(out, src) {
		t.Fatalf("raw snappy: %v", err)
	}
	// Two xerial streams back to back read as one.
	two := append(append([]byte(nil), comp...), comp...)
	out, err = DecompressAppend(nil, two, CodecSnappy, 2*len(src))
	if err != nil || !bytes.Equal(out, append(append([]byte(nil), src...), src...)) {
		t.Fatalf("concatenated xerial: %v", err)
	}
	// A block length past the end is corrupt.
	if _, err := DecompressAppend(nil, comp[:len(comp)-1], CodecSnappy, len(src)); !errors.Is(err, ErrCorruptCompressed) {
		t.Fatalf("truncated xerial: %v", err)
	}
}

// TestZstdStreamedFrame covers frames without a content size, as the Java
// client's streaming encoder writes them.
func TestZstdStreamedFrame(t *testing.T) {
	src := testPayload(200<<10, 4)
	var buf bytes.Buffer
	w, _ := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1))
	w.Write(src)
	w.Close()
	var h zstd.Header
	if err := h.Decode(buf.Bytes()); err != nil || h.HasFCS {
		t.Fatalf("test frame has a content size (%v)", err)
	}
	out, err := DecompressAppend(nil, buf.Bytes(), CodecZstd, len(src))
	if err != nil || !bytes.Equal(out, src) {
		t.Fatalf("streamed frame: %v", err)
	}
	if _, err := DecompressAppend(nil, buf.Bytes(), CodecZstd, len(src)-1); !errors.Is(err, ErrDecompressLimit) {
		t.Fatalf("streamed frame over limit: %v", err)
	}
}

func TestDecompressCorrupt(t *testing.T) {
	src := testPayload(10<<10, 5)
	for _, c := range allCodecs[1:] {
		comp, err := CompressAppend(nil, src, c, 0)
		if err != nil {
			t.Fatal(err)
		}
		bad := append([]byte(nil), comp...)
		for i := len(bad) / 2; i < len(bad); i += 7 {
			bad[i] ^= 0x5a
		}
		if out, err := DecompressAppend(nil, bad, c, len(src)); err == nil && bytes.Equal(out, src) {
			t.Fatalf("%v: corrupted data decoded to the original", c)
		} else if err != nil && !errors.Is(err, ErrCorruptCompressed) && !errors.Is(err, ErrDecompressLimit) {
			t.Fatalf("%v: corrupt data gave %v", c, err)
		}
		for _, cut := range []int{0, 1, len(comp) / 2, len(comp) - 1} {
			_, err := DecompressAppend(nil, comp[:cut], c, len(src))
			if err == nil && cut > 0 {
				t.Fatalf("%v: %d of %d bytes decoded without error", c, cut, len(comp))
			}
		}
	}
}

// streamZeros writes n zero bytes through w in 1 MiB pieces.
func streamZeros(t *testing.T, w io.WriteCloser, n int) {
	zero := make([]byte, 1<<20)
	for ; n > 0; n -= len(zero) {
		if _, err := w.Write(zero[:min(n, len(zero))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestDecompressBomb feeds each codec a small input that inflates to 256 MiB
// and checks that decompression stops at the 1 MiB limit having allocated
// the limit's output buffer and no more (checkBomb), except for zstd's
// streamed frame, whose library grows the output once past the cap, and
// lz4's block buffer.
func TestDecompressBomb(t *testing.T) {
	const size, limit = 256 << 20, 1 << 20
	bombs := map[Codec]func(w io.Writer) io.WriteCloser{
		CodecGzip: func(w io.Writer) io.WriteCloser { z, _ := gzip.NewWriterLevel(w, gzip.BestSpeed); return z },
		CodecLZ4: func(w io.Writer) io.WriteCloser {
			z := lz4.NewWriter(w)
			z.Apply(lz4.ChecksumOption(false))
			return z
		},
		CodecZstd: func(w io.Writer) io.WriteCloser {
			z, _ := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
			return z
		},
	}
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("builds 256 MiB bombs") // never skipped in CI
	}
	for c, mk := range bombs {
		var buf bytes.Buffer
		streamZeros(t, mk(&buf), size)
		bomb := buf.Bytes()
		checkBomb(t, c, bomb, limit)
	}
	// A snappy block declares its length up front.
	big := snappy.Encode(nil, make([]byte, 8<<20))
	checkBomb(t, CodecSnappy, big, limit)
	// A zstd frame with a content size is refused from its header.
	z, _ := zstd.NewWriter(nil)
	fcs := z.EncodeAll(make([]byte, 8<<20), nil)
	z.Close()
	checkBomb(t, CodecZstd, fcs, limit)
}

// bombSlack is what a decompression may allocate beyond its output buffer
// of limit bytes: codec state growing by a few KiB at most, once warm.
const bombSlack = 64 << 10

func checkBomb(t *testing.T, c Codec, bomb []byte, limit int) {
	t.Helper()
	// Warm the codec state with an input of about the limit's size, so
	// that only what the bomb makes is measured.
	plain := testPayload(limit/2, 3)
	warm, err := CompressAppend(nil, plain, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := DecompressAppend(nil, warm, c, limit); err != nil || !bytes.Equal(out, plain) {
		t.Fatalf("%v warm-up: %v", c, err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := DecompressAppend(nil, bomb, c, limit)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrDecompressLimit) || len(out) != 0 {
		t.Fatalf("%v bomb of %d bytes: err %v, %d bytes out", c, len(bomb), err, len(out))
	}
	most := uint64(limit) + bombSlack
	switch {
	case c == CodecZstd && !zstdSizeKnown(bomb):
		// A streamed zstd frame states no size: the library decodes the
		// block that crosses the cap past it, growing the output (append:
		// about a quarter more than the limit and the block) before it
		// fails.
		most += uint64(limit+zstdMaxBlockOut)*5/4 + bombSlack
	case c == CodecLZ4:
		// The lz4 library reads a frame block by block into a buffer of
		// the frame's block size (up to 4 MiB; the bomb uses 4 MiB), kept
		// in its sync.Pool: made again when the pool has none, as after a
		// collection.
		most += 4 << 20
	}
	if raceEnabled {
		// The codecs' pooled state is dropped now and then (the zstd
		// decoder's block buffers: 3.5 MB for the zstd bomb): only the
		// bound this test had before applies.
		most = max(most, 4*uint64(limit)+8<<20)
	}
	got := after.TotalAlloc - before.TotalAlloc
	if got > most {
		t.Fatalf("%v bomb: allocated %d bytes for a %d-byte limit, want at most %d", c, got, limit, most)
	}
	t.Logf("%v bomb: %d compressed bytes, allocated %d bytes (at most %d)", c, len(bomb), got, most)
}

// zstdSizeKnown reports whether src's first frame states its content size.
func zstdSizeKnown(src []byte) bool { return len(src) > 4 && (src[4]>>6 != 0 || src[4]&0x20 != 0) }
