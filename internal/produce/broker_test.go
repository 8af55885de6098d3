//go:build broker

// The tests of this file need a Kafka broker: they build only with
// -tags broker (make test sets it), so that a unit run of the package
// never starts one.

package produce

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/wire"
)

// rawRequest sends already encoded body bytes through broker.Conn.
type rawRequest struct{ body []byte }

func (r *rawRequest) Key() int16                           { return wire.KeyProduce }
func (r *rawRequest) AppendTo(dst []byte, _ int16) []byte  { return append(dst, r.body...) }
func (r *rawRequest) DecodeFrom(src []byte, _ int16) error { return errors.New("not decodable") }

// leaderConn asks for topic's metadata (creating it) until partition 0 has
// a leader, and returns a connection to that leader.
func leaderConn(t *testing.T, topic string) *broker.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := broker.Dial(ctx, kafkatest.Brokers(t)[0], "produce-test")
	if err != nil {
		t.Fatal(err)
	}
	req := &wire.MetadataRequest{Topics: []wire.MetadataRequestTopic{{Name: wire.NewNullString(topic)}}, AllowAutoTopicCreation: true}
	var resp wire.MetadataResponse
	for {
		if err := c.RoundTrip(ctx, 12, req, &resp); err != nil {
			t.Fatal(err)
		}
		if len(resp.Topics) == 1 && resp.Topics[0].ErrorCode == 0 && len(resp.Topics[0].Partitions) > 0 &&
			resp.Topics[0].Partitions[0].ErrorCode == 0 && resp.Topics[0].Partitions[0].LeaderId >= 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("topic %s has no leader: %+v", topic, resp.Topics)
		}
		time.Sleep(50 * time.Millisecond)
	}
	leader := resp.Topics[0].Partitions[0].LeaderId
	for _, b := range resp.Brokers {
		if b.NodeId == leader && net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port))) != c.NetConn().RemoteAddr().String() {
			c.Close()
			if c, err = broker.Dial(ctx, net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port))), "produce-test"); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// produce sends an encoded request and returns partition 0's result.
func produce(t *testing.T, c *broker.Conn, version int16, topic string, partition int32, body []byte) Result {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	c.NetConn().SetDeadline(deadline)
	for {
		corr, err := c.Send(wire.KeyProduce, version, &rawRequest{body})
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.Receive(corr, wire.KeyProduce, version)
		if err != nil {
			t.Fatal(err)
		}
		var resp wire.ProduceResponse
		if err := resp.DecodeFrom(b, version); err != nil {
			t.Fatal(err)
		}
		r := PartitionResult(&resp, topic, partition)
		// Metadata names a new topic's leader a moment before that broker
		// acts as one (a fresh CI cluster answered NOT_LEADER_OR_FOLLOWER
		// once): nothing was written, so send again.
		if !errors.Is(r.Err, wire.NotLeaderOrFollower) && !errors.Is(r.Err, wire.LeaderNotAvailable) ||
			time.Now().After(deadline) {
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAppendRequestBroker produces with every codec and several versions to
// a real broker, acks=-1, and checks that the offsets follow each other;
// then reads them back.
func TestAppendRequestBroker(t *testing.T) {
	topic := kafkatest.Topic(t)
	c := leaderConn(t, topic)
	msgs := sampleMessages()
	var e Encoder
	var buf []byte
	next := int64(0)
	for _, v := range []int16{3, 8, 9, 11} {
		for _, codec := range codecs {
			if codec == wire.CodecZstd && v < 7 {
				continue // the encoder refuses (TestAppendRequestRoundTrip)
			}
			opts := wire.ProducerBatchOptions()
			opts.Codec = codec
			var err error
			buf, err = AppendRequest[tmsg, tview](&e, buf[:0], v, wire.NullString{}, -1, 10000, topic, 0, opts, msgs)
			if err != nil {
				t.Fatal(err)
			}
			r := produce(t, c, v, topic, 0, buf)
			if r.Err != nil || r.BaseOffset != next {
				t.Fatalf("v%d %v: base offset %d (want %d), error %v", v, codec, r.BaseOffset, next, r.Err)
			}
			next += int64(len(msgs))
		}
	}
	checkFetched(t, c, topic, msgs, next)
}

// checkFetched reads the partition from offset 0 and checks that it holds
// msgs over and over, total records in all.
func checkFetched(t *testing.T, c *broker.Conn, topic string, msgs []tmsg, total int64) {
	t.Helper()
	req := &wire.FetchRequest{ReplicaId: -1, MaxWaitMs: 100, MinBytes: 1, MaxBytes: 16 << 20, SessionEpoch: -1,
		Topics: []wire.FetchRequestTopic{{Topic: topic, Partitions: []wire.FetchRequestPartition{{Partition: 0, FetchOffset: 0, PartitionMaxBytes: 16 << 20, LastFetchedEpoch: -1, LogStartOffset: -1, CurrentLeaderEpoch: -1}}}}}
	var resp wire.FetchResponse
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.RoundTrip(ctx, 12, req, &resp); err != nil {
		t.Fatal(err)
	}
	p := &resp.Responses[0].Partitions[0]
	if p.ErrorCode != 0 {
		t.Fatalf("fetch: %v", wire.Error(p.ErrorCode))
	}
	var it wire.RecordIter
	it.Reset(p.Records)
	n := int64(0)
	for it.Next() {
		r, m := it.Record(), &msgs[n%int64(len(msgs))]
		if r.Offset != n || !sameBytes(r.Key, m.key) || !sameBytes(r.Value, m.value) || r.NumHeaders != len(m.hdrs) ||
			!m.t.IsZero() && r.Timestamp != m.t.UnixMilli() {
			t.Fatalf("fetched record %d: key %q value %q headers %d ts %d", n, r.Key, r.Value, r.NumHeaders, r.Timestamp)
		}
		n++
	}
	if it.Err() != nil || n != total {
		t.Fatalf("fetched %d records of %d: %v", n, total, it.Err())
	}
}

// TestPartitionResultBroker checks a real error: a partition that does not
// exist.
func TestPartitionResultBroker(t *testing.T) {
	topic := kafkatest.Topic(t)
	c := leaderConn(t, topic)
	var e Encoder
	buf, err := AppendRequest[tmsg, tview](&e, nil, 11, wire.NullString{}, -1, 10000, topic, 99, wire.ProducerBatchOptions(), sampleMessages())
	if err != nil {
		t.Fatal(err)
	}
	r := produce(t, c, 11, topic, 99, buf)
	if !errors.Is(r.Err, wire.UnknownTopicOrPartition) {
		t.Fatalf("partition 99: %+v", r)
	}
}

// TestRecordErrorsBroker: a compacted topic rejects a record without a key;
// the broker names it in RecordErrors and the result says which message.
func TestRecordErrorsBroker(t *testing.T) {
	topic := kafkatest.Topic(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := broker.Dial(ctx, kafkatest.Brokers(t)[0], "produce-test")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	create := &wire.CreateTopicsRequest{TimeoutMs: 20000, Topics: []wire.CreateTopicsRequestTopic{{Name: topic, NumPartitions: 1, ReplicationFactor: 1,
		Configs: []wire.CreateTopicsRequestConfig{{Name: "cleanup.policy", Value: wire.NewNullString("compact")}}}}}
	var created wire.CreateTopicsResponse
	if err := admin.RoundTrip(ctx, 7, create, &created); err != nil {
		t.Fatal(err)
	}
	if len(created.Topics) != 1 || created.Topics[0].ErrorCode != 0 {
		t.Fatalf("create: %+v", created.Topics)
	}
	c := leaderConn(t, topic)
	msgs := []tmsg{{key: []byte("a"), value: []byte("1")}, {key: []byte("b"), value: []byte("2")}, {key: nil, value: []byte("no key")}}
	var e Encoder
	buf, err := AppendRequest[tmsg, tview](&e, nil, 11, wire.NullString{}, -1, 10000, topic, 0, wire.ProducerBatchOptions(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	r := produce(t, c, 11, topic, 0, buf)
	var re *RecordsError
	if !errors.Is(r.Err, wire.InvalidRecord) || !errors.As(r.Err, &re) || len(re.Records) != 1 || re.Records[0].Index != 2 {
		t.Fatalf("want INVALID_RECORD naming message 2, got %+v (%v)", r, r.Err)
	}
	t.Logf("broker said: %v", r.Err)
}
