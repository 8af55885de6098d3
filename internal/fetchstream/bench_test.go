package fetchstream

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/zeroalloc/kafka/pool"
	"github.com/zeroalloc/kafka/wire"
)

// BenchmarkStream1000x100B reads a Fetch response of 1000 records of 100
// bytes (ten batches) per op, values copied into a caller's slice.
func BenchmarkStream1000x100B(b *testing.B) {
	for _, c := range []struct {
		name   string
		codec  wire.Codec
		append bool
	}{{"none/ReadValue", wire.CodecNone, false}, {"none/AppendValue", wire.CodecNone, true}, {"lz4/ReadValue", wire.CodecLZ4, false}} {
		b.Run(c.name, func(b *testing.B) {
			body := streamBody(b, 17, c.codec)
			r := Reader{Buffers: pool.NewBuffers(1 << 20)}
			src := bytes.NewReader(body)
			br := bufio.NewReaderSize(src, 64<<10)
			dst, msg := make([]byte, 128), make([]byte, 0, 128)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				fetchOnce(b, &r, br, src, body, 17, c.append, dst, msg)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/record")
		})
	}
}
