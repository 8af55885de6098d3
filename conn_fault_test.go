package kafka

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/proxy"
	"github.com/zeroalloc/kafka/wire"
)

// A Fetch answer damaged on the way (one byte of a record value flipped by
// a proxy between client and broker) fails the CRC check: the batch ends
// with an error matching wire.ErrCorruptRecord, never a panic, and the Conn
// closes itself since the path to the broker is not to be trusted.
func TestCorruptFetchClosesConn(t *testing.T) {
	topic := createTopic(t, 1)
	w := dialLeader(t, topic)
	w.SetDeadline(time.Now().Add(20 * time.Second))
	msgs := make([]Message, 10)
	for i := range msgs {
		msgs[i] = Message{Value: make([]byte, 100)}
	}
	if _, err := w.WriteMessages(msgs...); err != nil {
		t.Fatal(err)
	}

	p, err := proxy.New(kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	nc, err := (&net.Dialer{}).DialContext(ctx, "tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(nc, topic, 0)
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.Seek(0, SeekAbsolute); err != nil { // negotiates versions too
		t.Fatal(err)
	}
	// The records (1 KB of zero values) may come in a write of their own
	// after the response header: flip one byte well inside the values of
	// the chunk that holds them.
	p.CorruptNext(func(b []byte) bool {
		if len(b) < 500 {
			return false
		}
		b[len(b)-50] ^= 0x55
		return true
	})
	b := c.ReadBatch(1, 1e6)
	var readErr error
	for readErr == nil {
		_, readErr = b.ReadMessage()
	}
	if !errors.Is(readErr, wire.ErrCorruptRecord) {
		t.Fatalf("reading the damaged batch: %v, want a corrupt-record error", readErr)
	}
	if err := b.Close(); !errors.Is(err, wire.ErrCorruptRecord) {
		t.Fatalf("Close: %v", err)
	}
	if _, err := c.ReadLastOffset(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("the Conn still answers after corrupt data: %v", err)
	}
	// The broker's copy is intact.
	if _, err := w.Seek(0, SeekAbsolute); err != nil {
		t.Fatal(err)
	}
	batch := w.ReadBatch(1, 1e6)
	n := 0
	for {
		if _, err := batch.ReadMessage(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
		n++
	}
	if err := batch.Close(); err != nil || n != 10 {
		t.Fatalf("direct read: %d messages, %v", n, err)
	}
}
