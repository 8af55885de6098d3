package bench

import (
	"context"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// BenchmarkConnReadOffsets compares Conn.ReadOffsets (the partition's first
// and last offsets) of this client and kafka-go on a warm connection to the
// leader of an empty one-partition topic of the test broker.
func BenchmarkConnReadOffsets(b *testing.B) {
	addr := kafkatest.Brokers(b)[0]
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
	b.Run("zeroalloc", func(b *testing.B) {
		c, err := kafka.DialLeader(ctx, "tcp", addr, topic, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.ReadOffsets(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kafka-go", func(b *testing.B) {
		c, err := kafkago.DialLeader(ctx, "tcp", addr, topic, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.ReadOffsets(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
