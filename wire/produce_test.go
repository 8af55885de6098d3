package wire

import (
	"bytes"
	"slices"
	"testing"
)

// sampleRecords returns a small real record batch (3 records with keys,
// values and headers) that differs with seed.
func sampleRecords(seed int) []byte {
	rs := testRecords(3 + seed)
	var b RecordBatchBuilder
	b.Begin(nil, ProducerBatchOptions())
	for _, r := range rs {
		b.Append(r.ts, r.key, r.value, r.headers)
	}
	out, err := b.Finish()
	if err != nil {
		panic(err)
	}
	return out
}

// sampleProduceRequest has 2+seed topics of 2+seed partitions; partition 1
// of every topic has null records, every other one a real batch.
func sampleProduceRequest(version int16, seed int) *ProduceRequest {
	m := &ProduceRequest{TransactionalId: NewNullString(testStr("txn-", seed)), Acks: -1, TimeoutMs: int32(30000 + seed)}
	if seed%2 == 0 {
		m.TransactionalId = NullString{}
	}
	for i := 0; i < 2+seed; i++ {
		t := ProduceRequestTopic{Name: testStr("topic-", i+seed)}
		for j := 0; j < 2+seed; j++ {
			p := ProduceRequestPartition{Index: int32(j + seed)}
			if j != 1 {
				p.Records = sampleRecords(i + j)
			}
			t.PartitionData = append(t.PartitionData, p)
		}
		m.TopicData = append(m.TopicData, t)
	}
	return m
}

// sampleProduceResponse sets every field version has to a non-default value
// that differs with seed, and every other field to its decoded default;
// partition 0 of each topic keeps the tagged fields' defaults.
func sampleProduceResponse(version int16, seed int) *ProduceResponse {
	m := &ProduceResponse{ThrottleTimeMs: int32(50 + seed)}
	for i := 0; i < 2+seed; i++ {
		t := ProduceResponseTopic{Name: testStr("topic-", i+seed)}
		for j := 0; j < 2+seed; j++ {
			p := ProduceResponsePartition{
				Index:           int32(j),
				ErrorCode:       int16(6 + j),
				BaseOffset:      int64(1000*i + j + seed),
				LogAppendTimeMs: int64(1_700_000_000_000 + j),
				LogStartOffset:  -1,
				CurrentLeader:   NoLeader,
			}
			if version >= 5 {
				p.LogStartOffset = int64(10 + j)
			}
			if version >= 8 {
				p.RecordErrors = []ProduceResponseRecordError{
					{BatchIndex: int32(j), BatchIndexErrorMessage: NewNullString(testStr("bad record ", j))},
					{BatchIndex: int32(j + 5)},
				}
				if j != 1 {
					p.ErrorMessage = NewNullString(testStr("batch dropped ", seed))
				}
			}
			if version >= 10 && j > 0 {
				p.CurrentLeader = LeaderIdAndEpoch{LeaderId: int32(j + 1), LeaderEpoch: int32(seed + 20)}
			}
			t.PartitionResponses = append(t.PartitionResponses, p)
		}
		m.Responses = append(m.Responses, t)
	}
	if version >= 10 {
		m.NodeEndpoints = sampleNodeEndpoints(seed)
	}
	return m
}

// sampleNodeEndpoints returns 2+seed endpoints; the second has a null rack.
func sampleNodeEndpoints(seed int) []NodeEndpoint {
	var eps []NodeEndpoint
	for i := 0; i < 2+seed; i++ {
		e := NodeEndpoint{NodeId: int32(i + 1), Host: testStr("broker-", i+seed), Port: int32(9092 + i)}
		if i != 1 {
			e.Rack = NewNullString(testStr("rack-", i))
		}
		eps = append(eps, e)
	}
	return eps
}

func TestProduceRoundTrip(t *testing.T) {
	checkRegistered(t, new(ProduceRequest), new(ProduceResponse))
	for v := APIs[KeyProduce].Min; v <= APIs[KeyProduce].Max; v++ {
		checkCodec(t, v, sampleProduceRequest(v, 0), sampleProduceRequest(v, 1))
		checkCodec(t, v, sampleProduceRequest(v, 1), sampleProduceRequest(v, 2))
		checkCodec(t, v, sampleProduceResponse(v, 0), sampleProduceResponse(v, 1))
		// Empty (not null) records and an empty response.
		empty := &ProduceRequest{TopicData: []ProduceRequestTopic{{Name: "t", PartitionData: []ProduceRequestPartition{{Records: []byte{}}}}}}
		checkCodec(t, v, empty, sampleProduceRequest(v, 1))
		checkCodec(t, v, &ProduceResponse{}, sampleProduceResponse(v, 1))
	}
}

// TestProduceTaggedFieldsByVersion checks that CurrentLeader and
// NodeEndpoints are written from v10 only, and that v9 (flexible, without
// these tags) skips them as unknown tags.
func TestProduceTaggedFieldsByVersion(t *testing.T) {
	m := sampleProduceResponse(11, 0)
	v9 := m.AppendTo(nil, 9)
	v10 := m.AppendTo(nil, 10)
	if len(v10) <= len(v9) {
		t.Fatalf("v10 (%d bytes) does not carry more than v9 (%d bytes)", len(v10), len(v9))
	}
	var got ProduceResponse
	if err := got.DecodeFrom(v10, 9); err != nil {
		t.Fatalf("v10 tags read as v9: %v", err)
	}
	if len(got.NodeEndpoints) != 0 || got.Responses[0].PartitionResponses[1].CurrentLeader != NoLeader {
		t.Fatalf("v9 decoded v10-only tags: %+v", got)
	}
	// A tagged struct whose size does not match its content is an error.
	bad := &ProduceResponse{Responses: []ProduceResponseTopic{{Name: "t", PartitionResponses: []ProduceResponsePartition{{CurrentLeader: LeaderIdAndEpoch{1, 2}}}}}}
	enc := bad.AppendTo(nil, 10)
	at := bytes.Index(enc, []byte{1, 0, leaderTagSize, 0, 0, 0, 1, 0, 0, 0, 2, 0})
	if at < 0 {
		t.Fatalf("CurrentLeader tag not found in %x", enc)
	}
	enc[at+2] = leaderTagSize - 1
	enc = slices.Delete(enc, at+3, at+4)
	if err := new(ProduceResponse).DecodeFrom(enc, 10); err == nil {
		t.Fatal("short CurrentLeader tag decoded without error")
	}
}

// TestProduceStreaming builds requests with the streaming functions, each
// batch straight into the request buffer, with size hints that reserve too
// few, exactly enough and too many bytes for the records length: the bytes
// must equal AppendTo's for every version.
func TestProduceStreaming(t *testing.T) {
	batches := [][]testRecord{testRecords(1), testRecords(6), testRecords(300)}
	for v := APIs[KeyProduce].Min; v <= APIs[KeyProduce].Max; v++ {
		for _, hint := range []int{0, 200, 50_000, 1 << 22} {
			for _, clip := range []bool{false, true} {
				want := &ProduceRequest{TransactionalId: NewNullString("txn"), Acks: 1, TimeoutMs: 1500}
				dst := []byte("frame-prefix")
				prefix := len(dst)
				dst = AppendProduceRequestHead(dst, v, want.TransactionalId, want.Acks, want.TimeoutMs, 2)
				for ti := 0; ti < 2; ti++ {
					topic := ProduceRequestTopic{Name: testStr("topic-", ti)}
					dst = AppendProduceTopicHead(dst, v, topic.Name, len(batches))
					for pi, rs := range batches {
						var mark int
						dst, mark = AppendProducePartitionHead(dst, v, int32(pi), hint)
						dst = buildBatch(t, dst, ProducerBatchOptions(), rs)
						if clip {
							dst = slices.Clip(dst) // a move that grows must reallocate
						}
						dst = FinishProducePartition(dst, v, mark)
						batch := buildBatch(t, nil, ProducerBatchOptions(), rs)
						topic.PartitionData = append(topic.PartitionData, ProduceRequestPartition{Index: int32(pi), Records: batch})
					}
					dst = AppendProduceTopicEnd(dst, v)
					want.TopicData = append(want.TopicData, topic)
				}
				dst = AppendProduceRequestEnd(dst, v)
				if string(dst[:prefix]) != "frame-prefix" {
					t.Fatalf("v%d hint %d: the bytes before the request changed", v, hint)
				}
				if enc := want.AppendTo(nil, v); !bytes.Equal(dst[prefix:], enc) {
					t.Fatalf("v%d hint %d clip %v: streamed request differs from AppendTo\n got %x\nwant %x", v, hint, clip, dst[prefix:], enc)
				}
				var got ProduceRequest
				if err := got.DecodeFrom(dst[prefix:], v); err != nil || len(got.TopicData) != 2 || !bytes.Equal(got.TopicData[1].PartitionData[2].Records, want.TopicData[1].PartitionData[2].Records) {
					t.Fatalf("v%d hint %d: streamed request decodes to %+v (%v)", v, hint, got, err)
				}
			}
		}
	}
}

// TestProducePartitionHeadWidth checks the reservation a hint makes: an
// int32 for classic versions, the uvarint width of hint+1 for flexible ones.
func TestProducePartitionHeadWidth(t *testing.T) {
	for _, c := range []struct {
		version int16
		hint    int
		width   int
	}{
		{8, 0, 4}, {8, 1 << 30, 4},
		{9, -5, 1}, {9, 0, 1}, {9, 126, 1}, {9, 127, 2}, {9, 16382, 2}, {9, 16383, 3},
		{11, 1<<21 - 2, 3}, {11, 1<<21 - 1, 4}, {11, 1 << 40, 5},
	} {
		dst, mark := AppendProducePartitionHead(nil, c.version, 7, c.hint)
		if mark != 4 || len(dst)-mark != c.width {
			t.Errorf("v%d hint %d: reserved %d bytes at %d, want %d at 4", c.version, c.hint, len(dst)-mark, mark, c.width)
		}
	}
}

func TestProduceForgedCounts(t *testing.T) {
	for v := APIs[KeyProduce].Min; v <= APIs[KeyProduce].Max; v++ {
		flex := IsFlexible(KeyProduce, v)
		checkInvalidLength(t, new(ProduceResponse), v, append(forgedCount(nil, flex), make([]byte, 64)...))
		req := AppendProduceRequestHead(nil, v, NullString{}, 1, 1, 1)
		req = AppendStringFlex(req, "t", flex)
		checkInvalidLength(t, new(ProduceRequest), v, append(forgedCount(req, flex), make([]byte, 64)...))
		// A records length beyond the input.
		p := &ProduceRequest{TopicData: []ProduceRequestTopic{{Name: "t", PartitionData: []ProduceRequestPartition{{Records: sampleRecords(0)}}}}}
		enc := p.AppendTo(nil, v)
		if err := new(ProduceRequest).DecodeFrom(enc[:len(enc)-20], v); err == nil {
			t.Fatalf("v%d: truncated records decoded", v)
		}
	}
}
