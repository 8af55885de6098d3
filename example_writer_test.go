package kafka_test

import (
	"context"
	"fmt"
	"time"

	"github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// The README's Writer example, run against the test broker: only the
// import path and the broker address differ from kafka-go's. It then reads
// the topic back to show what was written.
func Example_writer() {
	broker := kafkatest.ExampleBroker() // kafka-go's README says "localhost:9092"
	topic := kafkatest.ExampleTopic("writer")
	// The README assumes topic-A exists; Writers do not create topics
	// unless AllowAutoTopicCreation is set, Conns do (Metadata v1+ asks).
	conn, _ := kafka.DialLeader(context.Background(), "tcp", broker, topic, 0)
	conn.Close()

	// make a writer that produces to topic-A, using the least-bytes distribution
	w := kafka.NewWriter(kafka.WriterConfig{
		Brokers:  []string{broker},
		Topic:    topic,
		Balancer: &kafka.LeastBytes{},
	})

	w.WriteMessages(context.Background(),
		kafka.Message{
			Key:   []byte("Key-A"),
			Value: []byte("Hello World!"),
		},
		kafka.Message{
			Key:   []byte("Key-B"),
			Value: []byte("One!"),
		},
		kafka.Message{
			Key:   []byte("Key-C"),
			Value: []byte("Two!"),
		},
	)

	w.Close()

	conn, _ = kafka.DialLeader(context.Background(), "tcp", broker, topic, 0)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	batch := conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: 1e6, MaxWait: 100 * time.Millisecond})
	for {
		m, err := batch.ReadMessage()
		if err != nil {
			break
		}
		fmt.Printf("%s = %s\n", m.Key, m.Value)
	}
	batch.Close()
	conn.Close()
	// Output:
	// Key-A = Hello World!
	// Key-B = One!
	// Key-C = Two!
}
