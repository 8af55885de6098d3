//go:build !race

package kafka

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestAllocsReaderReadIntoCodecs: reading a compressed topic allocates
// nothing per message, even when a fetch brings tens of thousands of
// decompressed records that no earlier fetch had room for. The count is
// process-wide and covers the Reader's whole life, dialing and its first
// fetches included: the documented figure is under 0.01 allocations per
// message over 50,000 (a per-message allocation would show as 1 or more).
func TestAllocsReaderReadIntoCodecs(t *testing.T) {
	for _, c := range []Compression{0, Lz4, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			topic := createTopic(t, 1)
			w := newTestWriter(t, topic)
			w.Compression = c
			msgs := allocMessages(1000, 100)
			const n = 50000
			for range n / 1000 {
				if err := w.WriteMessages(context.Background(), msgs...); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var m Message
			m.Key, m.Value, m.Headers = make([]byte, 0, 64), make([]byte, 0, 256), make([]Header, 0, 4)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r := newTestReader(t, topic, ReaderConfig{MaxBytes: 8 << 20})
			for range n {
				if err := r.ReadInto(ctx, &m); err != nil {
					t.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			if per := float64(after.Mallocs-before.Mallocs) / n; per >= 0.01 {
				t.Fatalf("%.3f allocations per message (%d over %d)", per, after.Mallocs-before.Mallocs, n)
			}
		})
	}
}
