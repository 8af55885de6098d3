package kafka

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"
)

// The Reader returns what the Writer wrote, keys, values and headers (null
// and empty kept apart), with every codec.
func TestReaderCodecsRoundTrip(t *testing.T) {
	for _, c := range []Compression{0, Gzip, Snappy, Lz4, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			topic := createTopic(t, 1)
			w := newTestWriter(t, topic)
			w.Compression = c
			var msgs []Message
			for i := range 3000 {
				m := Message{Key: []byte("k" + strconv.Itoa(i)), Value: bytes.Repeat([]byte{byte(i)}, i%500)}
				switch i % 5 {
				case 1:
					m.Key = nil
				case 2:
					m.Value = nil
				case 3:
					m.Headers = []Header{{Key: "a", Value: []byte(strconv.Itoa(i))}, {Key: "null"}, {Key: "empty", Value: []byte{}}}
				}
				msgs = append(msgs, m)
			}
			if err := w.WriteMessages(context.Background(), msgs...); err != nil {
				t.Fatal(err)
			}
			r := newTestReader(t, topic, ReaderConfig{MaxBytes: 64 << 10})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var m Message
			for i, want := range msgs {
				if err := r.ReadInto(ctx, &m); err != nil {
					t.Fatal(err)
				}
				if m.Offset != int64(i) || !sameNullable(m.Key, want.Key) || !sameNullable(m.Value, want.Value) || len(m.Headers) != len(want.Headers) {
					t.Fatalf("message %d: got offset %d key %q value %d bytes, %d headers", i, m.Offset, m.Key, len(m.Value), len(m.Headers))
				}
				for j, h := range want.Headers {
					if m.Headers[j].Key != h.Key || !sameNullable(m.Headers[j].Value, h.Value) {
						t.Fatalf("message %d header %d: %+v, want %+v", i, j, m.Headers[j], h)
					}
				}
			}
		})
	}
}

// sameNullable compares byte slices, null apart from empty.
func sameNullable(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }
