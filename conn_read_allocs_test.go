//go:build !race

package kafka

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/allocstest"
)

// TestAllocsBatchRead checks that reading a batch of 1,000 messages with
// Batch.Read, ReadInto (a reused message) or ReadView allocates nothing per
// message: the whole batch, ReadBatch and Close included, costs the one
// Batch that ReadBatch returns.
func TestAllocsBatchRead(t *testing.T) {
	c := dialLeader(t, createTopic(t, 1))
	c.SetDeadline(time.Now().Add(time.Minute))
	msgs := benchMessages(1000, 100)
	for _, codec := range []CompressionCodec{nil, Lz4.Codec()} {
		if _, err := c.WriteCompressedMessages(codec, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 1000)
	var m Message
	for name, read := range map[string]func(*Batch) error{
		"Read":     func(b *Batch) error { _, err := b.Read(buf); return err },
		"ReadInto": func(b *Batch) error { return b.ReadInto(&m) },
		"ReadView": func(b *Batch) error { _, err := b.ReadView(); return err },
	} {
		for _, start := range []int64{0, 1000} { // uncompressed, then lz4
			all := func() {
				if _, err := c.Seek(start, SeekAbsolute|SeekDontCheck); err != nil {
					t.Fatal(err)
				}
				b := c.ReadBatch(1, 10<<20)
				n := 0
				for {
					err := read(b)
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					n++
				}
				if err := b.Close(); err != nil || n < 1000 {
					t.Fatalf("%s: read %d messages: %v", name, n, err)
				}
			}
			all()
			if n := allocstest.Count(t, 5, 5, all); n > 5 {
				t.Errorf("%s from offset %d: %d allocations over 5 batches of 1,000+ messages, want at most 5 (a Batch each)", name, start, n)
			}
		}
	}
}
