package bench

import (
	"context"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// BenchmarkConnWrite1000x100B compares Conn.WriteMessages of this client and
// kafka-go: 1,000 messages of 100-byte values (a 8-byte key and one header
// each) per call, acks=all, uncompressed, on a warm connection to the
// leader, each client writing to its own one-partition topic of the same
// broker. Reported per message: client CPU (user+sys), wall time,
// allocations (allocs/op / 1,000).
//
//	cd bench && go test -run '^$' -bench ConnWrite -benchtime 200x
func BenchmarkConnWrite1000x100B(b *testing.B) {
	addr := kafkatest.Brokers(b)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	zmsgs := make([]kafka.Message, 1000)
	kmsgs := make([]kafkago.Message, 1000)
	for i := range zmsgs {
		zmsgs[i] = kafka.Message{Key: []byte("key-0000"), Value: make([]byte, 100), Headers: []kafka.Header{{Key: "trace", Value: []byte("0123456789abcdef")}}}
		kmsgs[i] = kafkago.Message{Key: []byte("key-0000"), Value: make([]byte, 100), Headers: []kafkago.Header{{Key: "trace", Value: []byte("0123456789abcdef")}}}
	}
	b.Run("zeroalloc", func(b *testing.B) {
		c, err := kafka.DialLeader(ctx, "tcp", addr, newTopic(b, addr), 0)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if _, err := c.WriteMessages(zmsgs...); err != nil {
			b.Fatal(err)
		}
		measure(b, len(zmsgs), func() {
			if _, err := c.WriteMessages(zmsgs...); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("kafka-go", func(b *testing.B) {
		c, err := kafkago.DialLeader(ctx, "tcp", addr, newTopic(b, addr), 0)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if _, err := c.WriteMessages(kmsgs...); err != nil {
			b.Fatal(err)
		}
		measure(b, len(kmsgs), func() {
			if _, err := c.WriteMessages(kmsgs...); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// newTopic creates a one-partition topic and waits until its leader serves
// it.
func newTopic(b *testing.B, addr string) string {
	topic := kafkatest.Topic(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := kafka.DialContext(ctx, "tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if err := admin.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 1, ReplicationFactor: 1}); err != nil {
		b.Fatal(err)
	}
	for {
		c, err := kafka.DialLeader(ctx, "tcp", addr, topic, 0)
		if err == nil {
			_, err = c.ReadLastOffset()
			c.Close()
		}
		if err == nil {
			return topic
		}
		if ctx.Err() != nil {
			b.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // the broker offers nothing to wait on
	}
}
