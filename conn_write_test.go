package kafka

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// kcatRecord is one record of kcat's JSON envelope (-J).
type kcatRecord struct {
	Offset  int64    `json:"offset"`
	TS      int64    `json:"ts"`
	Key     *string  `json:"key"`
	Payload *string  `json:"payload"`
	Headers []string `json:"headers"`
}

// kcatRead reads partition 0 of topic from the beginning to its end with
// kcat, as JSON records. kcat reports the end of a partition as soon as one
// fetch comes back empty, and on a cluster that has just started (or a
// topic just created) its first fetches can see nothing yet: it is run
// again, for up to 15 s, while it reads fewer than want records. More than
// want is returned as read, for the caller to fail on.
func kcatRead(t *testing.T, topic string, want int) []kcatRecord {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var stderr bytes.Buffer
		cmd := exec.Command(kafkatest.Kcat(t), "-b", kafkatest.Brokers(t)[0], "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-J", "-q")
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("kcat: %v: %s", err, stderr.Bytes())
		}
		var recs []kcatRecord
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			var r kcatRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("kcat output %q: %v", sc.Text(), err)
			}
			recs = append(recs, r)
		}
		if len(recs) >= want || time.Now().After(deadline) {
			return recs
		}
		t.Logf("kcat read %d records of %d (stderr %q); reading again", len(recs), want, stderr.Bytes())
		time.Sleep(200 * time.Millisecond)
	}
}

func strp(s string) *string { return &s }

// What Conn writes, kcat (librdkafka) reads back identically, for every
// codec: keys (null and empty too), values, headers, timestamps.
func TestWriteMessagesReadByKcat(t *testing.T) {
	ts := time.UnixMilli(1764000000123)
	for _, codec := range []CompressionCodec{nil, Gzip.Codec(), Snappy.Codec(), Lz4.Codec(), Zstd.Codec()} {
		name := "none"
		if codec != nil {
			name = codec.Name()
		}
		t.Run(name, func(t *testing.T) {
			topic := createTopic(t, 1)
			c := dialLeader(t, topic)
			c.SetDeadline(time.Now().Add(20 * time.Second))
			msgs := []Message{
				{Key: []byte("k1"), Value: []byte("v1"), Time: ts, Headers: []Header{{Key: "h1", Value: []byte("x")}, {Key: "h2", Value: []byte("yz")}}},
				{Key: nil, Value: []byte("v2 with no key"), Time: ts.Add(time.Millisecond)},
				{Key: []byte{}, Value: []byte{}, Time: ts.Add(2 * time.Millisecond)},
			}
			n, p, off, _, err := c.WriteCompressedMessagesAt(codec, msgs...)
			if err != nil {
				t.Fatal(err)
			}
			if n != 2+2+14 || p != 0 || off != 0 {
				t.Fatalf("wrote %d bytes to partition %d at offset %d", n, p, off)
			}
			// A second write lands after the first.
			if _, _, off, _, err = c.WriteCompressedMessagesAt(codec, Message{Value: []byte("last"), Time: ts}); err != nil || off != 3 {
				t.Fatalf("second write at %d: %v", off, err)
			}
			got := kcatRead(t, topic, 4)
			want := []kcatRecord{
				{0, ts.UnixMilli(), strp("k1"), strp("v1"), []string{"h1", "x", "h2", "yz"}},
				{1, ts.UnixMilli() + 1, nil, strp("v2 with no key"), nil},
				{2, ts.UnixMilli() + 2, strp(""), strp(""), nil},
				{3, ts.UnixMilli(), nil, strp("last"), nil},
			}
			if len(got) != len(want) {
				t.Fatalf("kcat read %d records, want %d: %+v", len(got), len(want), got)
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.Offset != w.Offset || g.TS != w.TS || !eqp(g.Key, w.Key) || !eqp(g.Payload, w.Payload) || strings.Join(g.Headers, ",") != strings.Join(w.Headers, ",") {
					t.Errorf("record %d: kcat read %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func eqp(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func TestWriteMessagesChecks(t *testing.T) {
	topic := createTopic(t, 1)
	c := dialLeader(t, topic)
	if n, err := c.WriteMessages(); n != 0 || err != nil {
		t.Fatalf("no messages: %d, %v", n, err)
	}
	if _, err := c.WriteMessages(Message{Topic: "other", Value: []byte("x")}); !errors.Is(err, errInvalidWriteTopic) {
		t.Fatalf("other topic: %v", err)
	}
	if _, err := c.WriteMessages(Message{Partition: 5, Value: []byte("x")}); !errors.Is(err, errInvalidWritePartition) {
		t.Fatalf("other partition: %v", err)
	}
	if n, err := c.Write([]byte("raw")); n != 3 || err != nil {
		t.Fatalf("Write: %d, %v", n, err)
	}
	if last, err := c.ReadLastOffset(); err != nil || last != 1 {
		t.Fatalf("last offset %d, %v", last, err)
	}
	// A partition the broker does not have: a typed error, the Conn usable.
	bad := NewConn(c.nc, topic, 7)
	if _, err := bad.WriteMessages(Message{Value: []byte("x")}); !errors.Is(err, UnknownTopicOrPartition) {
		t.Fatalf("missing partition: %v", err)
	}
}

// benchMessages returns n messages of size-byte values with a key and a
// header each, the shape of the write benchmarks and allocation tests.
func benchMessages(n, size int) []Message {
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{Key: []byte("key-0000"), Value: make([]byte, size), Headers: []Header{{Key: "trace", Value: []byte("0123456789abcdef")}}}
	}
	return msgs
}
