//go:build !race

package fetchstream

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/zeroalloc/kafka/pool"
	"github.com/zeroalloc/kafka/wire"
)

// TestAllocsStream asserts that a reused Reader reads a whole fetch of
// 1000 records, streamed or from compressed batches, without allocating.
func TestAllocsStream(t *testing.T) {
	buffers := pool.NewBuffers(1 << 20)
	for _, codec := range []wire.Codec{wire.CodecNone, wire.CodecLZ4, wire.CodecZstd} {
		for _, v := range []int16{4, 17} {
			for _, appendPath := range []bool{false, true} {
				body := streamBody(t, v, codec)
				r := Reader{Buffers: buffers}
				src := bytes.NewReader(body)
				br := bufio.NewReaderSize(src, 64<<10)
				dst, msg := make([]byte, 128), make([]byte, 0, 128)
				if n := fetchOnce(t, &r, br, src, body, v, appendPath, dst, msg); n != 1000 {
					t.Fatalf("%d records", n)
				}
				allocs := testing.AllocsPerRun(20, func() {
					fetchOnce(t, &r, br, src, body, v, appendPath, dst, msg)
				})
				if allocs != 0 {
					t.Errorf("%v v%d append=%v: %v allocations per fetch of 1000 records", codec, v, appendPath, allocs)
				}
			}
		}
	}
}
