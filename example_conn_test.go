package kafka_test

import (
	"context"
	"fmt"
	"time"

	"github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// The README's "to produce messages" example, run against the test broker:
// only the import path and the broker address differ from kafka-go's.
func Example_connProduce() {
	broker := kafkatest.ExampleBroker() // kafka-go's README says "localhost:9092"
	topic := kafkatest.ExampleTopic("produce")
	partition := 0

	conn, _ := kafka.DialLeader(context.Background(), "tcp", broker, topic, partition)

	conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	conn.WriteMessages(
		kafka.Message{Value: []byte("one!")},
		kafka.Message{Value: []byte("two!")},
		kafka.Message{Value: []byte("three!")},
	)

	last, _ := conn.ReadLastOffset()
	fmt.Println("last offset:", last)

	conn.Close()
	// Output: last offset: 3
}

// The README's "to consume messages" example. The read deadline is shorter
// than the README's 10 seconds: with fewer than MinBytes (10 KB) in the
// partition the broker waits until just before it.
func Example_connConsume() {
	broker := kafkatest.ExampleBroker()
	topic := kafkatest.ExampleTopic("consume")
	partition := 0

	conn, _ := kafka.DialLeader(context.Background(), "tcp", broker, topic, partition)
	conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	conn.WriteMessages(
		kafka.Message{Value: []byte("one!")},
		kafka.Message{Value: []byte("two!")},
		kafka.Message{Value: []byte("three!")},
	)

	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	batch := conn.ReadBatch(10e3, 1e6) // fetch 10KB min, 1MB max

	b := make([]byte, 10e3) // 10KB max per message
	for {
		n, err := batch.Read(b)
		if err != nil {
			break
		}
		fmt.Println(string(b[:n])) // the README prints string(b), the whole buffer
	}

	batch.Close()
	conn.Close()
	// Output:
	// one!
	// two!
	// three!
}

// Reading into a caller-owned message: its key, value and header buffers are
// reused, so the loop allocates nothing once they are large enough.
func ExampleBatch_ReadInto() {
	broker := kafkatest.ExampleBroker()
	topic := kafkatest.ExampleTopic("readinto")
	conn, _ := kafka.DialLeader(context.Background(), "tcp", broker, topic, 0)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	conn.WriteMessages(
		kafka.Message{Key: []byte("a"), Value: []byte("first")},
		kafka.Message{Key: []byte("b"), Value: []byte("second"), Headers: []kafka.Header{{Key: "trace", Value: []byte("42")}}},
	)

	batch := conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: 1e6, MaxWait: 100 * time.Millisecond})
	var m kafka.Message // reused for every message
	for batch.ReadInto(&m) == nil {
		fmt.Printf("%d %s=%s %d header(s)\n", m.Offset, m.Key, m.Value, len(m.Headers))
	}
	batch.Close()
	// Output:
	// 0 a=first 0 header(s)
	// 1 b=second 1 header(s)
}
