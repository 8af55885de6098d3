//go:build !race

package kafka

import (
	"context"
	"testing"
	"time"
)

// TestAllocsReaderReadInto asserts that ReadInto into a reused Message
// allocates nothing per message once warm. The count is process-wide, so
// it includes the fetch goroutine's work: the few objects each Fetch makes
// (its Batch) are shared by the hundreds of messages it brings, and
// AllocsPerRun's per-call average rounds them to zero; a per-message
// allocation anywhere would show as at least 1.
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
	// Up to three measurements (steadyAllocs) of 1,900 reads each.
	allocs := steadyAllocs(t, n/3-100, 0, func() {
		if err := r.ReadInto(ctx, &m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per ReadInto", allocs)
	}
}
