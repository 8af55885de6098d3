package bench

// Codec benchmarks: the same bytes through this client's wire package,
// franz-go's kmsg and segmentio/kafka-go's protocol package. Each peer is
// used the way its own code uses it; versions are ones all three support.
//
//	cd bench && go test -run '^$' -bench Codec -benchmem

import (
	"bytes"
	"strconv"
	"testing"

	kgoproto "github.com/segmentio/kafka-go/protocol"
	_ "github.com/segmentio/kafka-go/protocol/metadata"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/zeroalloc/kafka/wire"
)

// metadataV8 returns a Metadata v8 response body for 3 brokers and 10 topics
// of 12 partitions with 3 replicas each, and the same body framed as a
// response (size and correlation id) for kafka-go's reader.
func metadataV8() (body, frame []byte) {
	m := wire.MetadataResponse{ClusterId: wire.NewNullString("bench-cluster"), ControllerId: 1}
	for i := int32(1); i <= 3; i++ {
		m.Brokers = append(m.Brokers, wire.MetadataResponseBroker{NodeId: i, Host: "broker-" + strconv.Itoa(int(i)) + ".example.com", Port: 9092})
	}
	for t := 0; t < 10; t++ {
		topic := wire.MetadataResponseTopic{Name: wire.NewNullString("topic-" + strconv.Itoa(t))}
		for p := int32(0); p < 12; p++ {
			topic.Partitions = append(topic.Partitions, wire.MetadataResponsePartition{
				PartitionIndex: p, LeaderId: p%3 + 1, LeaderEpoch: 7,
				ReplicaNodes: []int32{1, 2, 3}, IsrNodes: []int32{1, 2, 3}, OfflineReplicas: []int32{},
			})
		}
		m.Topics = append(m.Topics, topic)
	}
	body = m.AppendTo(nil, 8)
	frame, start := wire.AppendResponseHeader(nil, 1, false)
	frame = append(frame, body...)
	wire.FinishFrame(frame, start)
	return body, frame
}

func BenchmarkCodecMetadataDecode(b *testing.B) {
	body, frame := metadataV8()
	b.Run("zeroalloc", func(b *testing.B) {
		var m wire.MetadataResponse
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if err := m.DecodeFrom(body, 8); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("franz-go", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			m := kmsg.NewPtrMetadataResponse()
			m.SetVersion(8)
			if err := m.ReadFrom(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kafka-go", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		r := bytes.NewReader(frame)
		for b.Loop() {
			r.Reset(frame)
			if _, _, err := kgoproto.ReadResponse(r, kgoproto.Metadata, 8); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestCodecPeersAgree checks that the peers decode our bytes to the same
// shape, so the benchmark compares equal work.
func TestCodecPeersAgree(t *testing.T) {
	body, frame := metadataV8()
	m := kmsg.NewPtrMetadataResponse()
	m.SetVersion(8)
	if err := m.ReadFrom(body); err != nil {
		t.Fatal(err)
	}
	if len(m.Brokers) != 3 || len(m.Topics) != 10 || len(m.Topics[9].Partitions) != 12 {
		t.Fatalf("franz-go decoded %d brokers, %d topics", len(m.Brokers), len(m.Topics))
	}
	_, msg, err := kgoproto.ReadResponse(bytes.NewReader(frame), kgoproto.Metadata, 8)
	if err != nil {
		t.Fatal(err)
	}
	if msg == nil {
		t.Fatal("kafka-go decoded nothing")
	}
}
