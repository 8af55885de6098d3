//go:build !race

package kafka

import (
	"testing"

	"github.com/zeroalloc/kafka/internal/allocstest"
)

// TestAllocsConnOffsets checks that offset lookups on a warm connection
// allocate nothing: the request and response bodies, the request buffer and
// the frame buffer are all reused.
func TestAllocsConnOffsets(t *testing.T) {
	c := dialLeader(t, createTopic(t, 1))
	if _, _, err := c.ReadOffsets(); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"ReadOffsets": func() {
			if _, _, err := c.ReadOffsets(); err != nil {
				t.Fatal(err)
			}
		},
		"ReadLastOffset": func() {
			if _, err := c.ReadLastOffset(); err != nil {
				t.Fatal(err)
			}
		},
		"Offset": func() { c.Offset() },
	} {
		if n := allocstest.Count(t, 100, 0, f); n != 0 {
			t.Errorf("%s: %d allocations over 100 calls, want 0", name, n)
		}
	}
}

// TestAllocsConnWriteMessages checks that writing 1,000 messages on a warm
// connection allocates nothing at all: each record is encoded once into the
// Conn's request buffer and the answer is decoded into a reused response.
func TestAllocsConnWriteMessages(t *testing.T) {
	c := dialLeader(t, createTopic(t, 1))
	msgs := benchMessages(1000, 100)
	for _, codec := range []CompressionCodec{nil, Lz4.Codec(), Zstd.Codec()} {
		write := func() {
			if _, err := c.WriteCompressedMessages(codec, msgs...); err != nil {
				t.Fatal(err)
			}
		}
		write()
		if n := allocstest.Count(t, 20, 0, write); n != 0 {
			t.Errorf("codec %v: %d allocations over 20 WriteMessages of 1,000 messages, want 0", codec, n)
		}
	}
}
