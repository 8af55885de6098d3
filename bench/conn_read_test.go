package bench

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// BenchmarkConnRead1MB compares reading one 1 MB batch (about 7,500 records
// of 100-byte values with a key and a header) with Conn.ReadBatch and
// Batch.Read into one reused buffer, the README's loop, for this client and
// kafka-go, both from the same topic of the same broker. Reported per
// message: client CPU (user+sys), wall time, and allocs/op and B/op per
// batch.
//
//	cd bench && go test -run '^$' -bench ConnRead -benchtime 100x
func BenchmarkConnRead1MB(b *testing.B) {
	addr := kafkatest.Brokers(b)[0]
	topic := newTopic(b, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w, err := kafka.DialLeader(ctx, "tcp", addr, topic, 0)
	if err != nil {
		b.Fatal(err)
	}
	msgs := make([]kafka.Message, 1000)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte("key-0000"), Value: make([]byte, 100), Headers: []kafka.Header{{Key: "trace", Value: []byte("0123456789abcdef")}}}
	}
	for range 10 {
		if _, err := w.WriteMessages(msgs...); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
	buf := make([]byte, 1024)
	const maxBytes = 1 << 20

	b.Run("zeroalloc", func(b *testing.B) {
		c, err := kafka.DialLeader(ctx, "tcp", addr, topic, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		readAll := func() int {
			c.Seek(0, kafka.SeekAbsolute|kafka.SeekDontCheck)
			batch := c.ReadBatch(1, maxBytes)
			n := 0
			for {
				if _, err := batch.Read(buf); err != nil {
					if !errors.Is(err, io.EOF) {
						b.Fatal(err)
					}
					break
				}
				n++
			}
			if err := batch.Close(); err != nil {
				b.Fatal(err)
			}
			return n
		}
		measure(b, readAll(), func() { readAll() })
	})
	b.Run("kafka-go", func(b *testing.B) {
		c, err := kafkago.DialLeader(ctx, "tcp", addr, topic, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		readAll := func() int {
			c.Seek(0, kafkago.SeekAbsolute|kafkago.SeekDontCheck)
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			batch := c.ReadBatch(1, maxBytes)
			n := 0
			for {
				if _, err := batch.Read(buf); err != nil {
					break
				}
				n++
			}
			if err := batch.Close(); err != nil {
				b.Fatal(err)
			}
			return n
		}
		measure(b, readAll(), func() { readAll() })
	})
}
