package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// readPartition reads partition p of topic from the start to its end
// offset, with one Conn, against brokers.
func readPartition(t testing.TB, brokers []string, topic string, p int) []Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := DialLeader(ctx, "tcp", brokers[0], topic, p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	last, err := c.ReadLastOffset()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Seek(0, SeekAbsolute|SeekDontCheck); err != nil {
		t.Fatal(err)
	}
	var out []Message
	for off := int64(0); off < last; {
		b := c.ReadBatchWith(ReadBatchConfig{MinBytes: 1, MaxBytes: 8 << 20, MaxWait: 100 * time.Millisecond})
		for {
			m, err := b.ReadMessage()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("partition %d at %d: %v", p, off, err)
			}
			out = append(out, m)
			off = m.Offset + 1
		}
		if err := b.Close(); err != nil {
			t.Fatalf("partition %d: %v", p, err)
		}
	}
	return out
}

func newTestWriter(t testing.TB, topic string) *Writer {
	t.Helper()
	w := &Writer{Addr: TCP(kafkatest.Brokers(t)...), Topic: topic}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestWriterSyncReadBack(t *testing.T) {
	topic := createTopic(t, 3)
	w := newTestWriter(t, topic)
	w.Balancer = &Hash{}
	const n = 3000
	msgs := make([]Message, 0, 100)
	ctx := context.Background()
	for i := 0; i < n; i += 100 {
		msgs = msgs[:0]
		for j := i; j < i+100; j++ {
			msgs = append(msgs, Message{Key: []byte("k" + strconv.Itoa(j%17)), Value: []byte(strconv.Itoa(j))})
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int]bool{}
	for p := 0; p < 3; p++ {
		prev := map[string]int{}
		for _, m := range readPartition(t, kafkatest.Brokers(t), topic, p) {
			v, err := strconv.Atoi(string(m.Value))
			if err != nil || v < 0 || v >= n {
				t.Fatalf("partition %d offset %d: value %q was not written by the test", p, m.Offset, m.Value)
			}
			if seen[v] {
				t.Fatalf("value %d twice", v)
			}
			seen[v] = true
			if last, ok := prev[string(m.Key)]; ok && last >= v {
				t.Fatalf("key %s: %d after %d", m.Key, v, last)
			}
			prev[string(m.Key)] = v
		}
	}
	if len(seen) != n {
		t.Fatalf("read %d distinct values, want %d", len(seen), n)
	}
	st := w.Stats()
	if st.Messages != n || st.Errors != 0 {
		t.Fatalf("stats: %+v", st)
	}
	_ = fmt.Sprint
	_ = strings.Join
}
