//go:build !race

package kafka

import (
	"testing"

	"github.com/zeroalloc/kafka/internal/produce"
	"github.com/zeroalloc/kafka/wire"
)

// TestAllocsAppendProduceRequestMessages: a []Message of 1,000 messages
// (100-byte values, a header each, zero Time) encodes into a warm buffer
// without allocating.
func TestAllocsAppendProduceRequestMessages(t *testing.T) {
	msgs := make([]Message, 1000)
	for i := range msgs {
		msgs[i] = Message{Key: []byte{byte(i)}, Value: make([]byte, 100), Headers: []Header{{Key: "trace-id", Value: []byte("0123456789abcdef")}}}
	}
	opts := wire.ProducerBatchOptions()
	opts.Codec = wire.CodecLZ4
	var e produce.Encoder
	buf, err := appendProduceRequest(&e, nil, 11, wire.NullString{}, -1, 1000, "t", 0, opts, msgs)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() {
		buf, err = appendProduceRequest(&e, buf[:0], 11, wire.NullString{}, -1, 1000, "t", 0, opts, msgs)
	}); n != 0 || err != nil {
		t.Fatalf("%v allocations per request, %v", n, err)
	}
}
