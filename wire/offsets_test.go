package wire

import (
	"bytes"
	"testing"
)

func sampleListOffsetsRequest(version int16, seed int) *ListOffsetsRequest {
	m := &ListOffsetsRequest{ReplicaId: int32(-1 - seed)}
	if version >= 2 {
		m.IsolationLevel = 1
	}
	if version >= 10 {
		m.TimeoutMs = int32(3000 + seed)
	}
	for i := 0; i < 2+seed; i++ {
		t := ListOffsetsRequestTopic{Name: testStr("topic-", i+seed)}
		for j := 0; j < 2+seed; j++ {
			p := ListOffsetsRequestPartition{PartitionIndex: int32(j + seed), CurrentLeaderEpoch: -1, Timestamp: int64(-2 + j*1000)}
			if version >= 4 {
				p.CurrentLeaderEpoch = int32(5 + j)
			}
			t.Partitions = append(t.Partitions, p)
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func sampleListOffsetsResponse(version int16, seed int) *ListOffsetsResponse {
	m := &ListOffsetsResponse{}
	if version >= 2 {
		m.ThrottleTimeMs = int32(10 + seed)
	}
	for i := 0; i < 2+seed; i++ {
		t := ListOffsetsResponseTopic{Name: testStr("topic-", i+seed)}
		for j := 0; j < 2+seed; j++ {
			p := ListOffsetsResponsePartition{
				PartitionIndex: int32(j + seed),
				ErrorCode:      int16(6 + j),
				Timestamp:      int64(1700000000000 + j),
				Offset:         int64(12345 + j + seed),
				LeaderEpoch:    -1,
			}
			if version >= 4 {
				p.LeaderEpoch = int32(3 + j)
			}
			t.Partitions = append(t.Partitions, p)
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func sampleOffsetForLeaderEpochRequest(version int16, seed int) *OffsetForLeaderEpochRequest {
	m := &OffsetForLeaderEpochRequest{ReplicaId: -2}
	if version >= 3 {
		m.ReplicaId = int32(-1 + seed)
	}
	for i := 0; i < 2+seed; i++ {
		t := OffsetForLeaderEpochRequestTopic{Topic: testStr("topic-", i+seed)}
		for j := 0; j < 2+seed; j++ {
			t.Partitions = append(t.Partitions, OffsetForLeaderEpochRequestPartition{
				Partition: int32(j + seed), CurrentLeaderEpoch: int32(8 + j), LeaderEpoch: int32(7 + j),
			})
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func sampleOffsetForLeaderEpochResponse(version int16, seed int) *OffsetForLeaderEpochResponse {
	m := &OffsetForLeaderEpochResponse{ThrottleTimeMs: int32(20 + seed)}
	for i := 0; i < 2+seed; i++ {
		t := OffsetForLeaderEpochResponseTopic{Topic: testStr("topic-", i+seed)}
		for j := 0; j < 2+seed; j++ {
			t.Partitions = append(t.Partitions, OffsetForLeaderEpochResponsePartition{
				ErrorCode: int16(74 + j), Partition: int32(j + seed), LeaderEpoch: int32(7 + j), EndOffset: int64(999 + j),
			})
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func TestListOffsetsRoundTrip(t *testing.T) {
	checkRegistered(t, new(ListOffsetsRequest), new(ListOffsetsResponse))
	for v := APIs[KeyListOffsets].Min; v <= APIs[KeyListOffsets].Max; v++ {
		checkCodec(t, v, sampleListOffsetsRequest(v, 0), sampleListOffsetsRequest(v, 1))
		checkCodec(t, v, sampleListOffsetsResponse(v, 0), sampleListOffsetsResponse(v, 1))
	}
}

func TestOffsetForLeaderEpochRoundTrip(t *testing.T) {
	checkRegistered(t, new(OffsetForLeaderEpochRequest), new(OffsetForLeaderEpochResponse))
	for v := APIs[KeyOffsetForLeaderEpoch].Min; v <= APIs[KeyOffsetForLeaderEpoch].Max; v++ {
		checkCodec(t, v, sampleOffsetForLeaderEpochRequest(v, 0), sampleOffsetForLeaderEpochRequest(v, 1))
		checkCodec(t, v, sampleOffsetForLeaderEpochResponse(v, 0), sampleOffsetForLeaderEpochResponse(v, 1))
	}
}

// TestOffsetsGolden checks hand-assembled bytes (from the JSON field order).
func TestOffsetsGolden(t *testing.T) {
	req := &ListOffsetsRequest{ReplicaId: -1, IsolationLevel: 1, TimeoutMs: 7, Topics: []ListOffsetsRequestTopic{{
		Name: "t", Partitions: []ListOffsetsRequestPartition{{PartitionIndex: 2, CurrentLeaderEpoch: 3, Timestamp: -1}},
	}}}
	golden := []byte{
		0xff, 0xff, 0xff, 0xff, 1, // ReplicaId, IsolationLevel
		2, 2, 't', // topics: 1, Name
		2, 0, 0, 0, 2, 0, 0, 0, 3, // partitions: 1, PartitionIndex, CurrentLeaderEpoch
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, // Timestamp, tags
		0,          // topic tags
		0, 0, 0, 7, // TimeoutMs
		0, // tags
	}
	if got := req.AppendTo(nil, 10); !bytes.Equal(got, golden) {
		t.Fatalf("ListOffsets request v10 =\n%x\nwant\n%x", got, golden)
	}
	resp := &OffsetForLeaderEpochResponse{Topics: []OffsetForLeaderEpochResponseTopic{{
		Topic: "t", Partitions: []OffsetForLeaderEpochResponsePartition{{ErrorCode: 1, Partition: 2, LeaderEpoch: 3, EndOffset: 4}},
	}}}
	golden = []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		0, 0, 0, 1, 0, 1, 't', // topics: 1, Topic
		0, 0, 0, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4,
	}
	if got := resp.AppendTo(nil, 3); !bytes.Equal(got, golden) {
		t.Fatalf("OffsetForLeaderEpoch response v3 =\n%x\nwant\n%x", got, golden)
	}
}

func TestOffsetsForgedCounts(t *testing.T) {
	for v := APIs[KeyListOffsets].Min; v <= APIs[KeyListOffsets].Max; v++ {
		flex := IsFlexible(KeyListOffsets, v)
		var src []byte
		if v >= 2 {
			src = AppendInt32(src, 0)
		}
		checkInvalidLength(t, new(ListOffsetsResponse), v, append(forgedCount(src, flex), make([]byte, 64)...))
		// Partitions count of the first topic.
		src = AppendArrayLen(src, 1, flex)
		src = AppendStringFlex(src, "t", flex)
		checkInvalidLength(t, new(ListOffsetsResponse), v, append(forgedCount(src, flex), make([]byte, 64)...))
	}
	for v := APIs[KeyOffsetForLeaderEpoch].Min; v <= APIs[KeyOffsetForLeaderEpoch].Max; v++ {
		flex := IsFlexible(KeyOffsetForLeaderEpoch, v)
		src := AppendInt32(nil, 0)
		checkInvalidLength(t, new(OffsetForLeaderEpochResponse), v, append(forgedCount(src, flex), make([]byte, 64)...))
	}
}
