package kafka

import (
	"context"
	"testing"
	"time"
)

// BenchmarkReaderReadInto reads b.N messages of 100-byte values through
// ReadInto into one reused Message, the fetch goroutine fetching ahead.
func BenchmarkReaderReadInto(b *testing.B) {
	topic := createTopic(b, 1)
	w := newTestWriter(b, topic)
	value := make([]byte, 100)
	msgs := make([]Message, 1000)
	for i := range msgs {
		msgs[i] = Message{Key: []byte("key"), Value: value}
	}
	for written := 0; written < b.N; written += len(msgs) {
		if err := w.WriteMessages(context.Background(), msgs...); err != nil {
			b.Fatal(err)
		}
	}
	r := newTestReader(b, topic, ReaderConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var m Message
	b.SetBytes(int64(len(value) + 3))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := r.ReadInto(ctx, &m); err != nil {
			b.Fatal(err)
		}
	}
}
