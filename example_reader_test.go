package kafka_test

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// writeExample writes n messages "key-i" = "value-i" to partition 0 of
// topic.
func writeExample(broker, topic string, n int) {
	conn, _ := kafka.DialLeader(context.Background(), "tcp", broker, topic, 0)
	defer conn.Close()
	conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte("key-" + strconv.Itoa(i)), Value: []byte("value-" + strconv.Itoa(i))}
	}
	conn.WriteMessages(msgs...)
}

// The README's Reader example, run against the test broker. Two changes:
// MaxWait is short, since with fewer than MinBytes (10 KB) in the partition
// the broker waits that long before answering, and the loop ends when a
// context expires instead of never.
func Example_reader() {
	broker := kafkatest.ExampleBroker() // kafka-go's README says "localhost:9092"
	topic := kafkatest.ExampleTopic("reader")
	writeExample(broker, topic, 45)

	// make a new reader that consumes from topic-A, partition 0, at offset 42
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   []string{broker},
		Topic:     topic,
		Partition: 0,
		MinBytes:  10e3, // 10KB
		MaxBytes:  10e6, // 10MB
		MaxWait:   200 * time.Millisecond,
	})
	r.SetOffset(42)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			break
		}
		fmt.Printf("message at offset %d: %s = %s\n", m.Offset, string(m.Key), string(m.Value))
	}

	r.Close()
	// Output:
	// message at offset 42: key-42 = value-42
	// message at offset 43: key-43 = value-43
	// message at offset 44: key-44 = value-44
}

// kafka-go's consumer-group example: ReadMessage commits each message it
// returns. A second Reader of the same group then starts where the first
// left off.
func Example_consumerGroup() {
	broker := kafkatest.ExampleBroker()
	topic := kafkatest.ExampleTopic("consumer-group")
	writeExample(broker, topic, 3)

	// make a new reader that consumes from topic-A
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:  []string{broker},
		GroupID:  "consumer-group-" + topic,
		Topic:    topic,
		MaxBytes: 10e6, // 10MB
		MaxWait:  200 * time.Millisecond,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < 2; i++ {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			break
		}
		fmt.Printf("message at topic/partition/offset %v/%v: %s = %s\n", m.Partition, m.Offset, string(m.Key), string(m.Value))
	}
	r.Close()

	r = kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, GroupID: "consumer-group-" + topic, Topic: topic, MaxWait: 200 * time.Millisecond})
	m, _ := r.ReadMessage(ctx)
	fmt.Printf("next member starts at offset %d\n", m.Offset)
	r.Close()
	// Output:
	// message at topic/partition/offset 0/0: key-0 = value-0
	// message at topic/partition/offset 0/1: key-1 = value-1
	// next member starts at offset 2
}

// kafka-go's explicit-commit example: FetchMessage does not commit;
// CommitMessages does, once the message is processed.
func Example_explicitCommits() {
	broker := kafkatest.ExampleBroker()
	topic := kafkatest.ExampleTopic("explicit-commits")
	writeExample(broker, topic, 2)

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, GroupID: "explicit-" + topic, Topic: topic, MaxWait: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < 2; i++ {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			break
		}
		fmt.Printf("message at topic/partition/offset %v/%v: %s = %s\n", m.Partition, m.Offset, string(m.Key), string(m.Value))
		if err := r.CommitMessages(ctx, m); err != nil {
			fmt.Println("failed to commit messages:", err)
		}
	}
	r.Close()
	// Output:
	// message at topic/partition/offset 0/0: key-0 = value-0
	// message at topic/partition/offset 0/1: key-1 = value-1
}
