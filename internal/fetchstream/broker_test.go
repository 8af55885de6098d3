//go:build broker

// The tests of this file need a Kafka broker: they build only with
// -tags broker (make test sets it), so that a unit run of the package
// never starts one.

package fetchstream

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/wire"
)

// TestBroker produces batches of every codec (one holding a value larger
// than the bufio buffer) to a real broker, then streams them back with
// Fetch versions 4, 11, 12 and 17 over one connection, fetch after fetch,
// from the start and from the middle of a batch.
func TestBroker(t *testing.T) {
	addr := kafkatest.Brokers(t)[0]
	topic := kafkatest.Topic(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := broker.Dial(ctx, addr, "fetchstream-test")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	topicID := createTopic(t, ctx, c, topic)

	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 KB
	var want []rec
	for i, codec := range codecs {
		rs := sample(int64(len(want)), 20)
		if i == 0 {
			rs[5].value = big
		}
		var p wire.ProduceResponse
		req := wire.ProduceRequest{Acks: -1, TimeoutMs: 10000, TopicData: []wire.ProduceRequestTopic{{Name: topic,
			PartitionData: []wire.ProduceRequestPartition{{Index: 0, Records: batch(t, opts(0, codec), rs)}}}}}
		if err := c.RoundTrip(ctx, 9, &req, &p); err != nil {
			t.Fatal(err)
		}
		if code := p.Responses[0].PartitionResponses[0].ErrorCode; code != 0 {
			t.Fatalf("produce %v: %v", codec, wire.ErrorForCode(code))
		}
		want = append(want, rs...)
	}

	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(time.Minute))
	br := bufio.NewReaderSize(nc, 64<<10)
	var r Reader
	for _, v := range []int16{4, 11, 12, 17} {
		for _, from := range []int64{0, 7} {
			sendFetch(t, nc, v, topic, topicID, from)
			size := readResponseHeader(t, br, v)
			got, err := readFrom(&r, br, size, v, from)
			if err == nil && r.Truncated() {
				err = io.ErrUnexpectedEOF
			}
			if err != nil {
				t.Fatalf("v%d from %d: %v", v, from, err)
			}
			checkRecs(t, got, want[from:])
			if r.HighWatermark() != int64(len(want)) || r.NextOffset() != int64(len(want)) {
				t.Fatalf("v%d: high watermark %d, next offset %d", v, r.HighWatermark(), r.NextOffset())
			}
		}
	}
}

// createTopic has the broker create topic (auto-creation) and returns its id.
func createTopic(t *testing.T, ctx context.Context, c *broker.Conn, topic string) wire.UUID {
	for ctx.Err() == nil {
		var m wire.MetadataResponse
		req := wire.MetadataRequest{AllowAutoTopicCreation: true, Topics: []wire.MetadataRequestTopic{{Name: wire.NullString{String: topic, Valid: true}}}}
		if err := c.RoundTrip(ctx, 12, &req, &m); err != nil {
			t.Fatal(err)
		}
		if tp := m.Topics[0]; tp.ErrorCode == 0 && len(tp.Partitions) == 1 && tp.Partitions[0].ErrorCode == 0 {
			return tp.TopicId
		}
		time.Sleep(50 * time.Millisecond) // the broker creates it asynchronously
	}
	t.Fatal("topic not created")
	return wire.UUID{}
}

// sendFetch writes a Fetch request for partition 0 of topic at offset.
func sendFetch(t *testing.T, nc net.Conn, v int16, topic string, id wire.UUID, offset int64) {
	req := wire.FetchRequest{ReplicaId: -1, MaxWaitMs: 100, MinBytes: 1, MaxBytes: 8 << 20, SessionEpoch: -1,
		ReplicaState: wire.FetchRequestReplicaState{ReplicaId: -1, ReplicaEpoch: -1},
		Topics: []wire.FetchRequestTopic{{Topic: topic, TopicId: id, Partitions: []wire.FetchRequestPartition{{
			CurrentLeaderEpoch: -1, FetchOffset: offset, LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: 8 << 20}}}}}
	buf, start := wire.AppendRequestHeader(nil, wire.KeyFetch, v, int32(v), wire.NullString{String: "fetchstream-test", Valid: true}, wire.IsFlexible(wire.KeyFetch, v))
	buf = req.AppendTo(buf, v)
	wire.FinishFrame(buf, start)
	if _, err := nc.Write(buf); err != nil {
		t.Fatal(err)
	}
}

// readResponseHeader reads a response's size and header (checking the
// correlation id sendFetch used) and returns the size of the body.
func readResponseHeader(t *testing.T, br *bufio.Reader, v int16) int {
	var h [9]byte
	n := 8
	if wire.ResponseHeaderFlexible(wire.KeyFetch, v) {
		n = 9 // an empty tag section
	}
	if _, err := io.ReadFull(br, h[:n]); err != nil {
		t.Fatal(err)
	}
	if corr := int32(binary.BigEndian.Uint32(h[4:])); corr != int32(v) || n == 9 && h[8] != 0 {
		t.Fatalf("response header % x", h[:n])
	}
	return int(binary.BigEndian.Uint32(h[:])) - (n - 4)
}
