package wire

import (
	"bytes"
	"math"
	"testing"
)

// sampleMetadataRequest sets every field version has to a non-default value
// that differs with seed, and every other field to its decoded default.
func sampleMetadataRequest(version int16, seed int) *MetadataRequest {
	m := &MetadataRequest{AllowAutoTopicCreation: true}
	for i := 0; i < 2+seed; i++ {
		t := MetadataRequestTopic{Name: NewNullString(testStr("topic", seed+i))}
		if version >= 10 {
			t.TopicId = testUUID(seed + i)
			if i == 1 {
				t.Name = NullString{} // asked by id only
			}
		}
		m.Topics = append(m.Topics, t)
	}
	if version >= 4 {
		m.AllowAutoTopicCreation = false
	}
	if version >= 8 && version <= 10 {
		m.IncludeClusterAuthorizedOperations = true
	}
	if version >= 8 {
		m.IncludeTopicAuthorizedOperations = true
	}
	return m
}

// sampleMetadataResponse sets every field version has to a non-default value
// that differs with seed, and every other field to its decoded default; it
// holds 2+seed brokers and topics of 2+seed partitions.
func sampleMetadataResponse(version int16, seed int) *MetadataResponse {
	m := &MetadataResponse{
		ControllerId:                int32(7 + seed),
		ClusterAuthorizedOperations: math.MinInt32,
	}
	if version >= 3 {
		m.ThrottleTimeMs = int32(100 + seed)
	}
	if version >= 2 {
		m.ClusterId = NewNullString(testStr("cluster-", seed))
	}
	if version >= 8 && version <= 10 {
		m.ClusterAuthorizedOperations = int32(0x0ff0 + seed)
	}
	for i := 0; i < 2+seed; i++ {
		b := MetadataResponseBroker{
			NodeId: int32(i + 1 + seed),
			Host:   testStr("broker-", i+seed),
			Port:   int32(9092 + i),
		}
		if i != 1 { // broker 1 keeps a null rack
			b.Rack = NewNullString(testStr("rack-", i))
		}
		m.Brokers = append(m.Brokers, b)
	}
	for i := 0; i < 2+seed; i++ {
		t := MetadataResponseTopic{
			ErrorCode:                 int16(3 + i),
			Name:                      NewNullString(testStr("topic-", i+seed)),
			IsInternal:                true,
			TopicAuthorizedOperations: math.MinInt32,
		}
		if version >= 10 {
			t.TopicId = testUUID(i + seed)
		}
		if version >= 12 && i == 1 {
			t.Name = NullString{}
		}
		if version >= 8 {
			t.TopicAuthorizedOperations = int32(0x0aa0 + i)
		}
		for j := 0; j < 2+seed; j++ {
			p := MetadataResponsePartition{
				ErrorCode:      int16(9 + j),
				PartitionIndex: int32(j + seed),
				LeaderId:       int32(j + 1),
				LeaderEpoch:    -1,
				ReplicaNodes:   testIDs(int32(10*j), seed),
				IsrNodes:       testIDs(int32(10*j+1), seed),
			}
			if version >= 7 {
				p.LeaderEpoch = int32(40 + j)
			}
			if version >= 5 {
				p.OfflineReplicas = testIDs(int32(10*j+2), seed)
			}
			t.Partitions = append(t.Partitions, p)
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func TestMetadataRoundTrip(t *testing.T) {
	checkRegistered(t, new(MetadataRequest), new(MetadataResponse))
	for v := APIs[KeyMetadata].Min; v <= APIs[KeyMetadata].Max; v++ {
		checkCodec(t, v, sampleMetadataRequest(v, 0), sampleMetadataRequest(v, 1))
		checkCodec(t, v, sampleMetadataResponse(v, 0), sampleMetadataResponse(v, 1))
		// Null and empty topic lists are different requests.
		checkCodec(t, v, &MetadataRequest{AllowAutoTopicCreation: true}, sampleMetadataRequest(v, 1))
		checkCodec(t, v, &MetadataRequest{Topics: []MetadataRequestTopic{}, AllowAutoTopicCreation: true}, sampleMetadataRequest(v, 1))
	}
}

// TestMetadataGolden checks hand-assembled bytes (from the JSON field
// order) for a classic and a flexible version.
func TestMetadataGolden(t *testing.T) {
	req := &MetadataRequest{Topics: []MetadataRequestTopic{{Name: NewNullString("t")}}, AllowAutoTopicCreation: true}
	golden := []byte{
		0, 0, 0, 1, 0, 1, 't', // topics
		1, // AllowAutoTopicCreation
	}
	if got := req.AppendTo(nil, 4); !bytes.Equal(got, golden) {
		t.Fatalf("request v4 = %x, want %x", got, golden)
	}

	resp := &MetadataResponse{
		ThrottleTimeMs: 5,
		Brokers:        []MetadataResponseBroker{{NodeId: 1, Host: "h", Port: 9092}},
		ClusterId:      NewNullString("c"),
		ControllerId:   1,
		Topics: []MetadataResponseTopic{{
			Name:       NewNullString("t"),
			TopicId:    UUID{15: 1},
			Partitions: []MetadataResponsePartition{{LeaderId: 1, LeaderEpoch: 2, ReplicaNodes: []int32{1}, IsrNodes: []int32{1}}},
			// TopicAuthorizedOperations
			TopicAuthorizedOperations: -1,
		}},
	}
	golden = []byte{
		0, 0, 0, 5, // ThrottleTimeMs
		2,                                          // brokers: 1
		0, 0, 0, 1, 2, 'h', 0, 0, 0x23, 0x84, 0, 0, // NodeId, Host, Port, Rack null, tags
		2, 'c', // ClusterId
		0, 0, 0, 1, // ControllerId
		2,    // topics: 1
		0, 0, // ErrorCode
		2, 't', // Name
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // TopicId
		0,                                        // IsInternal
		2,                                        // partitions: 1
		0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, // ErrorCode, PartitionIndex, LeaderId, LeaderEpoch
		2, 0, 0, 0, 1, 2, 0, 0, 0, 1, 1, 0, // ReplicaNodes, IsrNodes, OfflineReplicas, tags
		0xff, 0xff, 0xff, 0xff, 0, // TopicAuthorizedOperations, tags
		0, // tags
	}
	if got := resp.AppendTo(nil, 11); !bytes.Equal(got, golden) {
		t.Fatalf("response v11 =\n%x\nwant\n%x", got, golden)
	}
	var dec MetadataResponse
	if err := dec.DecodeFrom(golden, 11); err != nil {
		t.Fatal(err)
	}
	if dec.Brokers[0].Port != 9092 || dec.Topics[0].Partitions[0].LeaderEpoch != 2 || dec.ClusterAuthorizedOperations != math.MinInt32 {
		t.Fatalf("decoded %+v", dec)
	}
}

func TestMetadataForgedCounts(t *testing.T) {
	for v := APIs[KeyMetadata].Min; v <= APIs[KeyMetadata].Max; v++ {
		flex := IsFlexible(KeyMetadata, v)
		var src []byte
		if v >= 3 {
			src = AppendInt32(src, 0)
		}
		src = forgedCount(src, flex)
		src = append(src, make([]byte, 64)...)
		checkInvalidLength(t, new(MetadataResponse), v, src)
		checkInvalidLength(t, new(MetadataRequest), v, append(forgedCount(nil, flex), make([]byte, 64)...))

		// A forged replica count deep inside a partition.
		resp := &MetadataResponse{Topics: []MetadataResponseTopic{{Partitions: []MetadataResponsePartition{{ReplicaNodes: []int32{sentinel}}}}}}
		checkInvalidLength(t, new(MetadataResponse), v, forgeInt32Array(t, resp.AppendTo(nil, v), flex))
	}
}

// benchMetadataResponse is a realistic cluster view: 3 brokers, 10 topics
// of 12 partitions each with 3 replicas, all in sync.
func benchMetadataResponse() *MetadataResponse {
	m := &MetadataResponse{ClusterId: NewNullString("q1Sh-9_ISia_zwGINzRvyQ"), ControllerId: 1, ClusterAuthorizedOperations: math.MinInt32}
	for i := int32(1); i <= 3; i++ {
		m.Brokers = append(m.Brokers, MetadataResponseBroker{
			NodeId: i, Host: "kafka-" + string(rune('0'+i)) + ".internal.example.com", Port: 9092, Rack: NewNullString("eu-west-1" + string(rune('a'+i))),
		})
	}
	for i := 0; i < 10; i++ {
		t := MetadataResponseTopic{Name: NewNullString("events.orders.v" + string(rune('0'+i))), TopicId: testUUID(i), TopicAuthorizedOperations: math.MinInt32}
		for j := int32(0); j < 12; j++ {
			r := []int32{j%3 + 1, (j+1)%3 + 1, (j+2)%3 + 1}
			t.Partitions = append(t.Partitions, MetadataResponsePartition{
				PartitionIndex: j, LeaderId: r[0], LeaderEpoch: 4, ReplicaNodes: r, IsrNodes: append([]int32(nil), r...), OfflineReplicas: []int32{},
			})
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func BenchmarkMetadataResponseDecode(b *testing.B) {
	for _, v := range []int16{1, 9, 12} {
		b.Run("v"+string(rune('0'+v/10))+string(rune('0'+v%10)), func(b *testing.B) {
			src := benchMetadataResponse().AppendTo(nil, v)
			var m MetadataResponse
			if err := m.DecodeFrom(src, v); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if err := m.DecodeFrom(src, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMetadataResponseEncode(b *testing.B) {
	m := benchMetadataResponse()
	const v = 12
	buf := m.AppendTo(nil, v)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = m.AppendTo(buf[:0], v)
	}
}
