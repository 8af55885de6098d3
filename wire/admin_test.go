package wire

import (
	"bytes"
	"testing"
)

func sampleCreateTopicsRequest(version int16, seed int) *CreateTopicsRequest {
	m := &CreateTopicsRequest{TimeoutMs: int32(30000 + seed), ValidateOnly: true}
	for i := 0; i < 2+seed; i++ {
		t := CreateTopicsRequestTopic{Name: testStr("topic-", i+seed), NumPartitions: int32(12 + i), ReplicationFactor: int16(3 + seed)}
		for j := 0; j < 2+seed; j++ {
			t.Assignments = append(t.Assignments, CreateTopicsRequestAssignment{PartitionIndex: int32(j), BrokerIds: testIDs(int32(j+1), seed)})
			c := CreateTopicsRequestConfig{Name: testStr("cleanup.policy", j+seed)}
			if j != 1 {
				c.Value = NewNullString(testStr("compact", j))
			}
			t.Configs = append(t.Configs, c)
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func sampleCreateTopicsResponse(version int16, seed int) *CreateTopicsResponse {
	m := &CreateTopicsResponse{ThrottleTimeMs: int32(50 + seed)}
	for i := 0; i < 2+seed; i++ {
		t := CreateTopicsResponseTopic{
			Name:              testStr("topic-", i+seed),
			ErrorCode:         int16(36 + i),
			ErrorMessage:      NewNullString(testStr("exists", i)),
			NumPartitions:     -1,
			ReplicationFactor: -1,
		}
		if i == 1 {
			t.ErrorMessage = NullString{}
		}
		if version >= 7 {
			t.TopicId = testUUID(i + seed)
		}
		if version >= 5 {
			t.NumPartitions = int32(6 + i)
			t.ReplicationFactor = int16(2 + i)
			if i == 0 {
				t.TopicConfigErrorCode = int16(29 + seed)
			}
			if i != 1 { // topic 1 keeps null configs
				for j := 0; j < 2+seed; j++ {
					c := CreateTopicsResponseConfig{
						Name: testStr("retention.ms", j), ReadOnly: true, ConfigSource: int8(5 + j), IsSensitive: true,
					}
					if j != 1 {
						c.Value = NewNullString(testStr("6048", j+seed))
					}
					t.Configs = append(t.Configs, c)
				}
			}
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func sampleDeleteTopicsRequest(version int16, seed int) *DeleteTopicsRequest {
	m := &DeleteTopicsRequest{TimeoutMs: int32(15000 + seed)}
	for i := 0; i < 2+seed; i++ {
		if version >= 6 {
			t := DeleteTopicsRequestTopic{TopicId: testUUID(i + seed)}
			if i != 1 {
				t.Name = NewNullString(testStr("topic-", i+seed))
			}
			m.Topics = append(m.Topics, t)
		} else {
			m.TopicNames = append(m.TopicNames, testStr("topic-", i+seed))
		}
	}
	return m
}

func sampleDeleteTopicsResponse(version int16, seed int) *DeleteTopicsResponse {
	m := &DeleteTopicsResponse{ThrottleTimeMs: int32(60 + seed)}
	for i := 0; i < 2+seed; i++ {
		t := DeleteTopicsResponseTopic{Name: NewNullString(testStr("topic-", i+seed)), ErrorCode: int16(3 + i)}
		if version >= 6 {
			t.TopicId = testUUID(i + seed)
			if i == 1 {
				t.Name = NullString{}
			}
		}
		if version >= 5 && i != 0 {
			t.ErrorMessage = NewNullString(testStr("unknown", i+seed))
		}
		m.Responses = append(m.Responses, t)
	}
	return m
}

func sampleCreatePartitionsRequest(version int16, seed int) *CreatePartitionsRequest {
	m := &CreatePartitionsRequest{TimeoutMs: int32(25000 + seed), ValidateOnly: true}
	for i := 0; i < 2+seed; i++ {
		t := CreatePartitionsRequestTopic{Name: testStr("topic-", i+seed), Count: int32(24 + i)}
		if i != 1 { // topic 1 keeps null assignments
			for j := 0; j < 2+seed; j++ {
				t.Assignments = append(t.Assignments, CreatePartitionsRequestAssignment{BrokerIds: testIDs(int32(j+1), seed)})
			}
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func sampleCreatePartitionsResponse(version int16, seed int) *CreatePartitionsResponse {
	m := &CreatePartitionsResponse{ThrottleTimeMs: int32(70 + seed)}
	for i := 0; i < 2+seed; i++ {
		t := CreatePartitionsResponseResult{Name: testStr("topic-", i+seed), ErrorCode: int16(37 + i)}
		if i != 1 {
			t.ErrorMessage = NewNullString(testStr("invalid", i+seed))
		}
		m.Results = append(m.Results, t)
	}
	return m
}

func TestCreateTopicsRoundTrip(t *testing.T) {
	checkRegistered(t, new(CreateTopicsRequest), new(CreateTopicsResponse))
	for v := APIs[KeyCreateTopics].Min; v <= APIs[KeyCreateTopics].Max; v++ {
		checkCodec(t, v, sampleCreateTopicsRequest(v, 0), sampleCreateTopicsRequest(v, 1))
		checkCodec(t, v, sampleCreateTopicsResponse(v, 0), sampleCreateTopicsResponse(v, 1))
		if v >= 5 {
			// An empty, non-null Configs stays distinct from null.
			m := sampleCreateTopicsResponse(v, 0)
			m.Topics[1].Configs = []CreateTopicsResponseConfig{}
			checkCodec(t, v, m, sampleCreateTopicsResponse(v, 1))
		}
	}
}

func TestDeleteTopicsRoundTrip(t *testing.T) {
	checkRegistered(t, new(DeleteTopicsRequest), new(DeleteTopicsResponse))
	for v := APIs[KeyDeleteTopics].Min; v <= APIs[KeyDeleteTopics].Max; v++ {
		checkCodec(t, v, sampleDeleteTopicsRequest(v, 0), sampleDeleteTopicsRequest(v, 1))
		checkCodec(t, v, sampleDeleteTopicsResponse(v, 0), sampleDeleteTopicsResponse(v, 1))
	}
}

func TestCreatePartitionsRoundTrip(t *testing.T) {
	checkRegistered(t, new(CreatePartitionsRequest), new(CreatePartitionsResponse))
	for v := APIs[KeyCreatePartitions].Min; v <= APIs[KeyCreatePartitions].Max; v++ {
		checkCodec(t, v, sampleCreatePartitionsRequest(v, 0), sampleCreatePartitionsRequest(v, 1))
		checkCodec(t, v, sampleCreatePartitionsResponse(v, 0), sampleCreatePartitionsResponse(v, 1))
		m := sampleCreatePartitionsRequest(v, 0)
		m.Topics[1].Assignments = []CreatePartitionsRequestAssignment{}
		checkCodec(t, v, m, sampleCreatePartitionsRequest(v, 1))
	}
}

// TestCreateTopicsTaggedField checks the tagged TopicConfigErrorCode: written
// only when non-zero, read back, and an unknown tag beside it skipped.
func TestCreateTopicsTaggedField(t *testing.T) {
	m := &CreateTopicsResponse{Topics: []CreateTopicsResponseTopic{{Name: "t", TopicConfigErrorCode: 29}}}
	golden := []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		2, 2, 't', // topics: 1, Name
		0, 0, 0, // ErrorCode, ErrorMessage null
		0, 0, 0, 0, 0, 0, // NumPartitions, ReplicationFactor
		0,              // Configs null
		1, 0, 2, 0, 29, // tags: 1, tag 0, size 2, value
		0, // tags
	}
	if got := m.AppendTo(nil, 6); !bytes.Equal(got, golden) {
		t.Fatalf("v6 =\n%x\nwant\n%x", got, golden)
	}
	var dec CreateTopicsResponse
	withUnknown := append(append(append([]byte{}, golden[:17]...), 2, 0, 2, 0, 29, 7, 1, 0xee), golden[22:]...)
	if err := dec.DecodeFrom(withUnknown, 6); err != nil || dec.Topics[0].TopicConfigErrorCode != 29 {
		t.Fatalf("decode with unknown tag: %v %+v", err, dec)
	}
	bad := append(append(append([]byte{}, golden[:17]...), 1, 0, 1, 29), golden[22:]...)
	if err := dec.DecodeFrom(bad, 6); err == nil {
		t.Fatal("a 1-byte TopicConfigErrorCode decoded without error")
	}
	m.Topics[0].TopicConfigErrorCode = 0
	if got := m.AppendTo(nil, 6); got[17] != 0 || len(got) != len(golden)-4 {
		t.Fatalf("default TopicConfigErrorCode written: %x", got)
	}
}

func TestAdminForgedCounts(t *testing.T) {
	for v := APIs[KeyCreateTopics].Min; v <= APIs[KeyCreateTopics].Max; v++ {
		flex := IsFlexible(KeyCreateTopics, v)
		checkInvalidLength(t, new(CreateTopicsResponse), v, append(forgedCount(AppendInt32(nil, 0), flex), make([]byte, 64)...))
		req := &CreateTopicsRequest{Topics: []CreateTopicsRequestTopic{{Assignments: []CreateTopicsRequestAssignment{{BrokerIds: []int32{sentinel}}}}}}
		checkInvalidLength(t, new(CreateTopicsRequest), v, forgeInt32Array(t, req.AppendTo(nil, v), flex))
	}
	for v := APIs[KeyDeleteTopics].Min; v <= APIs[KeyDeleteTopics].Max; v++ {
		flex := IsFlexible(KeyDeleteTopics, v)
		checkInvalidLength(t, new(DeleteTopicsResponse), v, append(forgedCount(AppendInt32(nil, 0), flex), make([]byte, 64)...))
		checkInvalidLength(t, new(DeleteTopicsRequest), v, append(forgedCount(nil, flex), make([]byte, 64)...))
	}
	for v := APIs[KeyCreatePartitions].Min; v <= APIs[KeyCreatePartitions].Max; v++ {
		flex := IsFlexible(KeyCreatePartitions, v)
		checkInvalidLength(t, new(CreatePartitionsResponse), v, append(forgedCount(AppendInt32(nil, 0), flex), make([]byte, 64)...))
		req := &CreatePartitionsRequest{Topics: []CreatePartitionsRequestTopic{{Assignments: []CreatePartitionsRequestAssignment{{BrokerIds: []int32{sentinel}}}}}}
		checkInvalidLength(t, new(CreatePartitionsRequest), v, forgeInt32Array(t, req.AppendTo(nil, v), flex))
	}
}
