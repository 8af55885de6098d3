package main

import (
	"log"
	"strconv"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// errUnsupportedCompression is UNSUPPORTED_COMPRESSION_TYPE: what a broker
// answers to zstd batches in Produce before v7 (and, before Kafka 4, in
// Fetch before v10).
const errUnsupportedCompression = 76

// goldenRecord returns record i of every golden batch; wire's
// TestGoldenFetchRecords expects exactly these (see the README).
func goldenRecord(i int, codec wire.Codec) (key, value []byte, headers []wire.RecordHeader) {
	if i != 1 { // record 1 has a null key
		key = []byte("key-" + strconv.Itoa(i))
	}
	value = []byte("value-" + strconv.Itoa(i) + "-" + codec.String())
	headers = []wire.RecordHeader{
		{Key: []byte("trace"), Value: []byte("t-" + strconv.Itoa(i))},
		{Key: []byte("flag")}, // null value
	}
	return key, value, headers
}

// goldenBatch builds the golden batch of three records with codec.
func goldenBatch(codec wire.Codec) []byte {
	var b wire.RecordBatchBuilder
	opts := wire.ProducerBatchOptions()
	opts.Codec = codec
	b.Begin(nil, opts)
	now := time.Now().UnixMilli()
	for i := range 3 {
		key, value, headers := goldenRecord(i, codec)
		b.Append(now+int64(i), key, value, headers)
	}
	batch, err := b.Finish()
	if err != nil {
		log.Fatalf("%v batch: %v", codec, err)
	}
	return batch
}

// produceFetch creates topic (one partition), produces the golden batch
// compressed with codec at Produce v3, v8, v9 and v11, and fetches the
// partition from offset 0 at Fetch v4, v11, v12 (by name) and v17 (by topic
// id), saving each response with the codec as variant. Brokers answer zstd
// with UNSUPPORTED_COMPRESSION_TYPE before Produce v7 (and, before Kafka 4,
// before Fetch v10); those error responses are saved too. Other errors (a
// leader not yet elected) are retried.
func produceFetch(k *capturer, topic string, codec wire.Codec) {
	var ct wire.CreateTopicsResponse
	err := k.c.RoundTrip(k.ctx, 7, &wire.CreateTopicsRequest{
		Topics:    []wire.CreateTopicsRequestTopic{{Name: topic, NumPartitions: 1, ReplicationFactor: 1}},
		TimeoutMs: 30000,
	}, &ct)
	if err != nil || len(ct.Topics) != 1 || ct.Topics[0].ErrorCode != 0 {
		log.Fatalf("create %s: %v %+v", topic, err, ct.Topics)
	}
	id := awaitLeader(k, topic)
	variant := codec.String()
	batch := goldenBatch(codec)

	for _, v := range []int16{3, 8, 9, 11} {
		want := int16(0)
		if codec == wire.CodecZstd && v < 7 {
			want = errUnsupportedCompression
		}
		req := &wire.ProduceRequest{Acks: -1, TimeoutMs: 30000, TopicData: []wire.ProduceRequestTopic{{
			Name: topic, PartitionData: []wire.ProduceRequestPartition{{Index: 0, Records: batch}},
		}}}
		var resp wire.ProduceResponse
		retry(topic, "Produce", v, func() (int16, bool) {
			body := k.exchange(v, req)
			if err := resp.DecodeFrom(body, v); err != nil {
				log.Fatalf("Produce v%d: decode: %v", v, err)
			}
			code := resp.Responses[0].PartitionResponses[0].ErrorCode
			if code == want {
				k.save(wire.KeyProduce, v, variant, body)
			}
			return code, code == want
		})
	}

	for _, v := range []int16{4, 11, 12, 17} {
		// read_committed in v11 and v17, so that the golden frames hold
		// both null (read_uncommitted) and empty aborted transactions.
		iso := int8(0)
		if v == 11 || v == 17 {
			iso = 1
		}
		req := &wire.FetchRequest{
			ReplicaId: -1, ReplicaState: wire.FetchRequestReplicaState{ReplicaId: -1, ReplicaEpoch: -1},
			MaxWaitMs: 500, MinBytes: 1, MaxBytes: 1 << 20, IsolationLevel: iso, SessionEpoch: -1,
			Topics: []wire.FetchRequestTopic{{Topic: topic, TopicId: id, Partitions: []wire.FetchRequestPartition{{
				Partition: 0, CurrentLeaderEpoch: -1, FetchOffset: 0, LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: 1 << 20,
			}}}},
		}
		var resp wire.FetchResponse
		retry(topic, "Fetch", v, func() (int16, bool) {
			body := k.exchange(v, req)
			if err := resp.DecodeFrom(body, v); err != nil {
				log.Fatalf("Fetch v%d: decode: %v", v, err)
			}
			p := &resp.Responses[0].Partitions[0]
			// Kafka 4 serves zstd batches to Fetch v4-9 as they are; older
			// brokers answer UNSUPPORTED_COMPRESSION_TYPE, also kept.
			ok := p.ErrorCode == 0 && len(p.Records) > 0 ||
				p.ErrorCode == errUnsupportedCompression && codec == wire.CodecZstd && v < 10
			if ok {
				k.save(wire.KeyFetch, v, variant, body)
			}
			return p.ErrorCode, ok
		})
	}
}

// retry runs try until it reports success, for up to ten seconds.
func retry(topic, api string, version int16, try func() (code int16, ok bool)) {
	for i := 0; ; i++ {
		code, ok := try()
		if ok {
			return
		}
		if i == 50 {
			log.Fatalf("%s v%d on %s: error code %d", api, version, topic, code)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// awaitLeader waits until topic's partition 0 has a leader and returns the
// topic id.
func awaitLeader(k *capturer, topic string) wire.UUID {
	req := &wire.MetadataRequest{Topics: []wire.MetadataRequestTopic{{Name: wire.NewNullString(topic)}}}
	var resp wire.MetadataResponse
	for i := 0; ; i++ {
		if err := k.c.RoundTrip(k.ctx, 12, req, &resp); err != nil {
			log.Fatalf("metadata %s: %v", topic, err)
		}
		if len(resp.Topics) == 1 && resp.Topics[0].ErrorCode == 0 && len(resp.Topics[0].Partitions) == 1 &&
			resp.Topics[0].Partitions[0].ErrorCode == 0 && resp.Topics[0].Partitions[0].LeaderId >= 0 {
			return resp.Topics[0].TopicId
		}
		if i == 50 {
			log.Fatalf("%s: no leader after 10s: %+v", topic, resp.Topics)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
