package produce

import (
	"testing"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// benchMessages returns n messages with 100-byte values (text-like, so that
// the codecs have something to do), a key and a header each.
func benchMessages(n int) []tmsg {
	msgs := make([]tmsg, n)
	t0 := time.UnixMilli(1_700_000_000_000)
	for i := range msgs {
		v := make([]byte, 100)
		for j := range v {
			v[j] = "the quick brown fox jumps over the lazy dog "[(i+j)%44]
		}
		msgs[i] = tmsg{key: []byte{byte(i), byte(i >> 8)}, value: v, t: t0.Add(time.Duration(i) * time.Millisecond),
			hdrs: []thdr{{"trace-id", []byte("0123456789abcdef")}}}
	}
	return msgs
}

func BenchmarkAppendProduceRequest1000x100B(b *testing.B) {
	msgs := benchMessages(1000)
	for _, c := range codecs {
		b.Run(c.String(), func(b *testing.B) {
			opts := wire.ProducerBatchOptions()
			opts.Codec = c
			var e Encoder
			buf, err := AppendRequest[tmsg, tview](&e, nil, 11, wire.NullString{}, -1, 5000, "bench", 0, opts, msgs)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(msgs) * 100))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if buf, err = AppendRequest[tmsg, tview](&e, buf[:0], 11, wire.NullString{}, -1, 5000, "bench", 0, opts, msgs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(buf)), "req-bytes")
		})
	}
}
