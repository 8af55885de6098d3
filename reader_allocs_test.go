//go:build !race

package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/allocstest"
)

// TestAllocsReaderReadInto asserts that ReadInto into a reused Message
// allocates nothing once warm: not one object over 1,900 reads and the
// fetches that bring them. The count is exact and process-wide, so it
// includes the fetch goroutine's work (allocstest.Count).
func TestAllocsReaderReadInto(t *testing.T) {
	topic := createTopic(t, 1)
	const n = 6000
	for i := 0; i < n; i += 1000 {
		writeValues(t, topic, i, 1000)
	}
	r := newTestReader(t, topic, ReaderConfig{MaxBytes: 1 << 20})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var m Message
	for i := 0; i < 100; i++ {
		if err := r.ReadInto(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	// Up to three measurements (allocstest.Count) of 1,902 reads each.
	allocs := allocstest.Count(t, n/3-100, 0, func() {
		if err := r.ReadInto(ctx, &m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%d allocations over %d ReadInto calls, want 0", allocs, n/3-100)
	}
}
