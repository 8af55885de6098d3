package kafka

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

var allCodecs = []CompressionCodec{nil, Gzip.Codec(), Snappy.Codec(), Lz4.Codec(), Zstd.Codec()}

func codecName(c CompressionCodec) string {
	if c == nil {
		return "none"
	}
	return c.Name()
}

// sampleMessages covers keys and values null, empty and set, headers with
// null, empty and set values, and explicit timestamps.
func sampleMessages(ts time.Time) []Message {
	return []Message{
		{Key: []byte("k1"), Value: []byte("v1"), Time: ts, Headers: []Header{{Key: "h1", Value: []byte("x")}, {Key: "h2", Value: nil}, {Key: "h3", Value: []byte{}}}},
		{Key: nil, Value: []byte("no key"), Time: ts.Add(time.Millisecond)},
		{Key: []byte{}, Value: []byte{}, Time: ts.Add(2 * time.Millisecond)},
		{Key: []byte("null value"), Value: nil, Time: ts.Add(3 * time.Millisecond)},
		{Key: []byte("big"), Value: bytes.Repeat([]byte("0123456789"), 20000), Time: ts.Add(4 * time.Millisecond)},
	}
}

func sameMessage(t *testing.T, i int, got, want Message) {
	t.Helper()
	if got.Offset != int64(i) || !got.Time.Equal(want.Time) ||
		!bytes.Equal(got.Key, want.Key) || (got.Key == nil) != (want.Key == nil) ||
		!bytes.Equal(got.Value, want.Value) || (got.Value == nil) != (want.Value == nil) ||
		len(got.Headers) != len(want.Headers) {
		t.Fatalf("message %d: got offset %d time %v key %q value %d bytes (nil %t) %d headers; want time %v key %q value %d bytes (nil %t) %d headers",
			i, got.Offset, got.Time, got.Key, len(got.Value), got.Value == nil, len(got.Headers), want.Time, want.Key, len(want.Value), want.Value == nil, len(want.Headers))
	}
	for j := range want.Headers {
		g, w := got.Headers[j], want.Headers[j]
		if g.Key != w.Key || !bytes.Equal(g.Value, w.Value) || (g.Value == nil) != (w.Value == nil) {
			t.Fatalf("message %d header %d: got %q=%q, want %q=%q", i, j, g.Key, g.Value, w.Key, w.Value)
		}
	}
}

// Every codec, read back three ways: ReadMessage (owned copies), ReadInto
// (a reused message) and ReadView (views valid until the next read).
func TestReadBatchCodecs(t *testing.T) {
	ts := time.UnixMilli(1764000000000)
	for _, codec := range allCodecs {
		t.Run(codecName(codec), func(t *testing.T) {
			topic := createTopic(t, 1)
			c := dialLeader(t, topic)
			c.SetDeadline(time.Now().Add(20 * time.Second))
			want := sampleMessages(ts)
			if _, err := c.WriteCompressedMessages(codec, want...); err != nil {
				t.Fatal(err)
			}
			for _, mode := range []string{"ReadMessage", "ReadInto", "ReadView"} {
				if _, err := c.Seek(0, SeekAbsolute); err != nil {
					t.Fatal(err)
				}
				b := c.ReadBatch(1, 10<<20)
				var reused Message
				for i := range want {
					var got Message
					var err error
					switch mode {
					case "ReadMessage":
						got, err = b.ReadMessage()
					case "ReadInto":
						err = b.ReadInto(&reused)
						got = reused
					case "ReadView":
						var v *Message
						if v, err = b.ReadView(); err == nil {
							got = *v
						}
					}
					if err != nil {
						t.Fatalf("%s %d: %v", mode, i, err)
					}
					if got.Topic != topic || got.Partition != 0 || got.HighWaterMark != int64(len(want)) {
						t.Fatalf("%s %d: topic %q partition %d hwm %d", mode, i, got.Topic, got.Partition, got.HighWaterMark)
					}
					sameMessage(t, i, got, want[i])
				}
				if _, err := b.ReadMessage(); !errors.Is(err, io.EOF) {
					t.Fatalf("%s: after the last message: %v", mode, err)
				}
				if err := b.Close(); err != nil {
					t.Fatalf("%s: Close: %v", mode, err)
				}
				if off, _ := c.Offset(); off != int64(len(want)) {
					t.Fatalf("%s: offset %d after the batch, want %d", mode, off, len(want))
				}
			}
		})
	}
}

// The README's consume loop: values read straight into the caller's buffer.
func TestBatchReadIntoCallerBuffer(t *testing.T) {
	topic := createTopic(t, 1)
	c := dialLeader(t, topic)
	c.SetDeadline(time.Now().Add(20 * time.Second))
	var msgs []Message
	for i := range 100 {
		msgs = append(msgs, Message{Value: []byte(fmt.Sprintf("value-%03d", i))})
	}
	if _, err := c.WriteMessages(msgs...); err != nil {
		t.Fatal(err)
	}
	batch := c.ReadBatch(1, 1e6)
	b := make([]byte, 10e3)
	for i := 0; ; i++ {
		n, err := batch.Read(b)
		if err != nil {
			if !errors.Is(err, io.EOF) || i != 100 {
				t.Fatalf("after %d messages: %v", i, err)
			}
			break
		}
		if string(b[:n]) != fmt.Sprintf("value-%03d", i) {
			t.Fatalf("message %d: %q", i, b[:n])
		}
	}
	if err := batch.Close(); err != nil {
		t.Fatal(err)
	}
	// A buffer too short: what fits, io.ErrShortBuffer, and the message is
	// read again by the next batch.
	if _, err := c.Seek(5, SeekAbsolute); err != nil {
		t.Fatal(err)
	}
	batch = c.ReadBatch(1, 1e6)
	small := make([]byte, 4)
	if n, err := batch.Read(small); n != 4 || !errors.Is(err, io.ErrShortBuffer) || string(small) != "valu" {
		t.Fatalf("short buffer: %d %q %v", n, small, err)
	}
	if err := batch.Close(); !errors.Is(err, io.ErrShortBuffer) {
		t.Fatalf("Close after a short buffer: %v", err)
	}
	if m, err := c.ReadMessage(1e6); err != nil || string(m.Value) != "value-005" || m.Offset != 5 {
		t.Fatalf("message after the short read: %+v %v", m, err)
	}
	// Conn.Read (net.Conn) reads the next one.
	n, err := c.Read(b)
	if err != nil || string(b[:n]) != "value-006" {
		t.Fatalf("Conn.Read: %q %v", b[:n], err)
	}
}

func TestReadBatchOffsetOutOfRange(t *testing.T) {
	topic := createTopic(t, 1)
	c := dialLeader(t, topic)
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.WriteMessages(Message{Value: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Seek(42, SeekAbsolute|SeekDontCheck); err != nil {
		t.Fatal(err)
	}
	b := c.ReadBatch(1, 1e6)
	if !errors.Is(b.Err(), OffsetOutOfRange) {
		t.Fatalf("Err: %v", b.Err())
	}
	if _, err := b.ReadMessage(); !errors.Is(err, OffsetOutOfRange) {
		t.Fatalf("ReadMessage: %v", err)
	}
	if err := b.Close(); !errors.Is(err, OffsetOutOfRange) {
		t.Fatalf("Close: %v", err)
	}
	// The Conn is still usable.
	if _, err := c.Seek(0, SeekAbsolute); err != nil {
		t.Fatal(err)
	}
	if m, err := c.ReadMessage(1e6); err != nil || string(m.Value) != "x" {
		t.Fatalf("after the error: %+v %v", m, err)
	}
}

// A read deadline bounds the broker's wait: with no data, ReadBatch returns
// an empty batch before the deadline instead of failing.
func TestReadBatchWaitsWithinDeadline(t *testing.T) {
	c := dialLeader(t, createTopic(t, 1))
	start := time.Now()
	c.SetReadDeadline(start.Add(2 * time.Second))
	b := c.ReadBatch(1e6, 2e6)
	if _, err := b.ReadMessage(); !errors.Is(err, io.EOF) {
		t.Fatalf("empty topic: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the fetch took %v, past the deadline", d)
	}
}

// What kcat (librdkafka) writes, with each codec, Conn reads identically.
func TestReadBatchWrittenByKcat(t *testing.T) {
	kcat := kafkatest.Kcat(t)
	for _, codec := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		t.Run(codec, func(t *testing.T) {
			topic := createTopic(t, 1)
			input := "k1:v1\nk2:value two\n:no key given\nk4:\n"
			cmd := exec.Command(kcat, "-b", kafkatest.Brokers(t)[0], "-P", "-t", topic, "-p", "0", "-K", ":", "-z", codec, "-H", "trace=abc", "-H", "empty=")
			cmd.Stdin = strings.NewReader(input)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("kcat: %v: %s", err, out)
			}
			want := kcatRead(t, topic, 4)
			if len(want) != 4 {
				t.Fatalf("kcat reads back %d records", len(want))
			}
			c := dialLeader(t, topic)
			c.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := c.Seek(0, SeekAbsolute); err != nil {
				t.Fatal(err)
			}
			b := c.ReadBatch(1, 1e6)
			for i, w := range want {
				m, err := b.ReadMessage()
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				var hs []string
				for _, h := range m.Headers {
					hs = append(hs, h.Key, string(h.Value))
				}
				key := (*string)(nil)
				if m.Key != nil {
					key = strp(string(m.Key))
				}
				if m.Offset != w.Offset || m.Time.UnixMilli() != w.TS || !eqp(key, w.Key) || string(m.Value) != *w.Payload ||
					strings.Join(hs, ",") != strings.Join(w.Headers, ",") {
					t.Fatalf("message %d: read offset %d ts %d key %v value %q headers %v; kcat reads %+v (key %v)",
						i, m.Offset, m.Time.UnixMilli(), key, m.Value, hs, w, w.Key)
				}
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
