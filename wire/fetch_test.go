package wire

import (
	"bytes"
	"errors"
	"testing"
	"unsafe"
)

// sampleFetchRequest sets every field version has to a non-default value
// that differs with seed, and every other field to its decoded default.
func sampleFetchRequest(version int16, seed int) *FetchRequest {
	m := &FetchRequest{
		ReplicaId:      -1,
		ReplicaState:   noReplicaState,
		MaxWaitMs:      int32(500 + seed),
		MinBytes:       int32(1 + seed),
		MaxBytes:       int32(50 << 20),
		IsolationLevel: 1,
		SessionEpoch:   -1,
	}
	if version <= 14 {
		m.ReplicaId = int32(3 + seed)
	}
	if version >= 15 {
		m.ReplicaState = FetchRequestReplicaState{ReplicaId: int32(4 + seed), ReplicaEpoch: int64(77 + seed)}
	}
	if version >= 12 {
		m.ClusterId = NewNullString(testStr("cluster-", seed))
	}
	if version >= 7 {
		m.SessionId, m.SessionEpoch = int32(1234+seed), int32(9+seed)
		for i := 0; i < 2+seed; i++ {
			f := FetchRequestForgottenTopic{Partitions: testIDs(int32(i), seed)}
			if version >= 13 {
				f.TopicId = testUUID(40 + i + seed)
			} else {
				f.Topic = testStr("gone-", i+seed)
			}
			m.ForgottenTopicsData = append(m.ForgottenTopicsData, f)
		}
	}
	if version >= 11 {
		m.RackId = testStr("rack-", seed)
	}
	for i := 0; i < 2+seed; i++ {
		var t FetchRequestTopic
		if version >= 13 {
			t.TopicId = testUUID(i + seed)
		} else {
			t.Topic = testStr("topic-", i+seed)
		}
		for j := 0; j < 2+seed; j++ {
			p := FetchRequestPartition{
				Partition:          int32(j),
				CurrentLeaderEpoch: -1,
				FetchOffset:        int64(1000*j + seed),
				LastFetchedEpoch:   -1,
				LogStartOffset:     -1,
				PartitionMaxBytes:  int32(1<<20 + j),
			}
			if version >= 9 {
				p.CurrentLeaderEpoch = int32(5 + j)
			}
			if version >= 12 {
				p.LastFetchedEpoch = int32(4 + j)
			}
			if version >= 5 {
				p.LogStartOffset = int64(j + seed)
			}
			if version >= 17 && j != 0 {
				p.ReplicaDirectoryId = testUUID(90 + j)
			}
			t.Partitions = append(t.Partitions, p)
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

// sampleFetchResponse sets every field version has to a non-default value
// that differs with seed, and every other field to its decoded default.
// Partition 0 of each topic keeps null aborted transactions and the tagged
// fields' defaults; partition 1 has empty records and no aborted
// transactions (an empty, not null, array); partition 2 has null records.
func sampleFetchResponse(version int16, seed int) *FetchResponse {
	m := &FetchResponse{ThrottleTimeMs: int32(20 + seed)}
	if version >= 7 {
		m.ErrorCode, m.SessionId = int16(seed), int32(4321+seed)
	}
	if version >= 16 {
		m.NodeEndpoints = sampleNodeEndpoints(seed)
	}
	for i := 0; i < 2+seed; i++ {
		var t FetchResponseTopic
		if version >= 13 {
			t.TopicId = testUUID(i + seed)
		} else {
			t.Topic = testStr("topic-", i+seed)
		}
		for j := 0; j < 3+seed; j++ {
			p := FetchResponsePartition{
				PartitionIndex:       int32(j),
				ErrorCode:            int16(j),
				HighWatermark:        int64(5000 + j),
				LastStableOffset:     int64(4000 + j),
				LogStartOffset:       -1,
				DivergingEpoch:       noEpochEndOffset,
				CurrentLeader:        NoLeader,
				SnapshotId:           noSnapshotId,
				PreferredReadReplica: -1,
				Records:              sampleRecords(i + j + seed),
			}
			if version >= 5 {
				p.LogStartOffset = int64(10 + j)
			}
			if version >= 11 {
				p.PreferredReadReplica = int32(2 + j)
			}
			switch j {
			case 0:
			case 1:
				p.AbortedTransactions = []FetchResponseAbortedTransaction{}
				p.Records = []byte{}
			default:
				p.AbortedTransactions = []FetchResponseAbortedTransaction{{ProducerId: 7, FirstOffset: 100}, {ProducerId: int64(8 + seed), FirstOffset: 200}}
				if version >= 12 {
					p.DivergingEpoch = FetchResponseEpochEndOffset{Epoch: int32(3 + j), EndOffset: int64(900 + j)}
					p.CurrentLeader = LeaderIdAndEpoch{LeaderId: int32(j), LeaderEpoch: int32(30 + seed)}
					p.SnapshotId = FetchResponseSnapshotId{EndOffset: int64(800 + j), Epoch: 2}
				}
			}
			if j == 2 {
				p.Records = nil
			}
			t.Partitions = append(t.Partitions, p)
		}
		m.Responses = append(m.Responses, t)
	}
	return m
}

func TestFetchRoundTrip(t *testing.T) {
	checkRegistered(t, new(FetchRequest), new(FetchResponse))
	for v := APIs[KeyFetch].Min; v <= APIs[KeyFetch].Max; v++ {
		checkCodec(t, v, sampleFetchRequest(v, 0), sampleFetchRequest(v, 1))
		checkCodec(t, v, sampleFetchResponse(v, 0), sampleFetchResponse(v, 1))
		// Every field at its default: the tagged sections are empty.
		def := &FetchRequest{ReplicaId: -1, ReplicaState: noReplicaState, SessionEpoch: -1}
		checkCodec(t, v, def, sampleFetchRequest(v, 1))
		checkCodec(t, v, &FetchResponse{}, sampleFetchResponse(v, 1))
	}
}

// TestFetchRequestGolden checks hand-assembled bytes (from the JSON field
// order) of a consumer's v17 request: no ReplicaId, topic ids, and the
// ClusterId tag in the request's tagged section.
func TestFetchRequestGolden(t *testing.T) {
	req := &FetchRequest{
		ClusterId: NewNullString("c"), ReplicaId: -1, ReplicaState: noReplicaState,
		MaxWaitMs: 500, MinBytes: 1, MaxBytes: 0x7fffffff, IsolationLevel: 1, SessionId: 0, SessionEpoch: -1,
		Topics: []FetchRequestTopic{{TopicId: UUID{15: 9}, Partitions: []FetchRequestPartition{{
			Partition: 2, CurrentLeaderEpoch: 3, FetchOffset: 42, LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: 1 << 20,
		}}}},
		RackId: "r",
	}
	golden := []byte{
		0, 0, 1, 0xf4, // MaxWaitMs
		0, 0, 0, 1, // MinBytes
		0x7f, 0xff, 0xff, 0xff, // MaxBytes
		1,          // IsolationLevel
		0, 0, 0, 0, // SessionId
		0xff, 0xff, 0xff, 0xff, // SessionEpoch
		2,                                              // topics: 1
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, // TopicId
		2,          // partitions: 1
		0, 0, 0, 2, // Partition
		0, 0, 0, 3, // CurrentLeaderEpoch
		0, 0, 0, 0, 0, 0, 0, 42, // FetchOffset
		0xff, 0xff, 0xff, 0xff, // LastFetchedEpoch
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // LogStartOffset
		0, 0x10, 0, 0, // PartitionMaxBytes
		0,      // partition tags
		0,      // topic tags
		1,      // forgotten topics: 0
		2, 'r', // RackId
		1, 0, 2, 2, 'c', // tags: ClusterId
	}
	if got := req.AppendTo(nil, 17); !bytes.Equal(got, golden) {
		t.Fatalf("request v17 =\n%x\nwant\n%x", got, golden)
	}
}

// TestFetchResponseRecordsAlias checks that Records is a sub-slice of the
// input, never a copy, capped so that appending to it cannot overwrite what
// follows.
func TestFetchResponseRecordsAlias(t *testing.T) {
	for _, v := range []int16{4, 11, 12, 17} {
		src := sampleFetchResponse(v, 1).AppendTo(nil, v)
		var m FetchResponse
		if err := m.DecodeFrom(src, v); err != nil {
			t.Fatal(err)
		}
		rec := m.Responses[0].Partitions[3].Records
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(src)))
		p := uintptr(unsafe.Pointer(unsafe.SliceData(rec)))
		if len(rec) == 0 || p < lo || p+uintptr(len(rec)) > lo+uintptr(len(src)) {
			t.Fatalf("v%d: Records does not alias the input", v)
		}
		if cap(rec) != len(rec) {
			t.Fatalf("v%d: Records has capacity %d beyond its length %d", v, cap(rec), len(rec))
		}
		if m.Responses[0].Partitions[2].Records != nil || m.Responses[0].Partitions[1].Records == nil {
			t.Fatalf("v%d: null and empty records not kept apart", v)
		}
		if m.Responses[0].Partitions[0].AbortedTransactions != nil || m.Responses[0].Partitions[1].AbortedTransactions == nil {
			t.Fatalf("v%d: null and empty aborted transactions not kept apart", v)
		}
	}
}

// hostileFetchResponse is a v4 Fetch response of 56 bytes whose one
// partition claims 2^27 aborted transactions (2 GiB of them).
func hostileFetchResponse() []byte {
	src := AppendInt32(nil, 0)    // ThrottleTimeMs
	src = AppendInt32(src, 1)     // topics: 1
	src = AppendString(src, "t")  // Topic
	src = AppendInt32(src, 1)     // partitions: 1
	src = AppendInt32(src, 0)     // PartitionIndex
	src = AppendInt16(src, 0)     // ErrorCode
	src = AppendInt64(src, 10)    // HighWatermark
	src = AppendInt64(src, 10)    // LastStableOffset
	src = AppendInt32(src, 1<<27) // AbortedTransactions: 2^27
	return append(src, make([]byte, 15)...)
}

func TestFetchResponseHostileAbortedCount(t *testing.T) {
	src := hostileFetchResponse()
	if len(src) != 56 {
		t.Fatalf("hostile frame is %d bytes", len(src))
	}
	var m FetchResponse
	if err := m.DecodeFrom(src, 4); !errors.Is(err, ErrInvalidLength) {
		t.Fatalf("got %v, want ErrInvalidLength", err)
	}
	// The same count at every version, classic and compact.
	for v := APIs[KeyFetch].Min; v <= APIs[KeyFetch].Max; v++ {
		flex := IsFlexible(KeyFetch, v)
		resp := &FetchResponse{Responses: []FetchResponseTopic{{Topic: "t", Partitions: []FetchResponsePartition{{
			AbortedTransactions: []FetchResponseAbortedTransaction{{ProducerId: 0x5a6b7c8d5a6b7c8d}},
		}}}}}
		enc := resp.AppendTo(nil, v)
		one := AppendArrayLen(nil, 1, flex)
		at := bytes.Index(enc, append(one, 0x5a, 0x6b, 0x7c, 0x8d))
		if at < 0 {
			t.Fatalf("v%d: aborted transactions not found in %x", v, enc)
		}
		forged := append(AppendArrayLen(enc[:at:at], 1<<27, flex), enc[at+len(one):]...)
		checkInvalidLength(t, new(FetchResponse), v, forged)
	}
}

func TestFetchForgedCounts(t *testing.T) {
	for v := APIs[KeyFetch].Min; v <= APIs[KeyFetch].Max; v++ {
		flex := IsFlexible(KeyFetch, v)
		head := AppendInt32(nil, 0)
		if v >= 7 {
			head = AppendInt32(AppendInt16(head, 0), 0)
		}
		checkInvalidLength(t, new(FetchResponse), v, append(forgedCount(head, flex), make([]byte, 64)...))
		req := &FetchRequest{ForgottenTopicsData: []FetchRequestForgottenTopic{{Partitions: []int32{sentinel}}}}
		if v >= 7 {
			checkInvalidLength(t, new(FetchRequest), v, forgeInt32Array(t, req.AppendTo(nil, v), flex))
		}
		// A records length beyond the input.
		resp := &FetchResponse{Responses: []FetchResponseTopic{{Partitions: []FetchResponsePartition{{Records: sampleRecords(0)}}}}}
		enc := resp.AppendTo(nil, v)
		if err := new(FetchResponse).DecodeFrom(enc[:len(enc)-30], v); err == nil {
			t.Fatalf("v%d: truncated records decoded", v)
		}
	}
}

// TestFetchTaggedFieldsByVersion checks that tags are read only in the
// versions that define them: NodeEndpoints from v16, ReplicaState from v15,
// ReplicaDirectoryId from v17; earlier flexible versions skip them.
func TestFetchTaggedFieldsByVersion(t *testing.T) {
	var resp FetchResponse
	if err := resp.DecodeFrom(sampleFetchResponse(16, 0).AppendTo(nil, 16), 15); err != nil || len(resp.NodeEndpoints) != 0 {
		t.Fatalf("v16 NodeEndpoints read at v15: %v %+v", err, resp.NodeEndpoints)
	}
	var req FetchRequest
	if err := req.DecodeFrom(sampleFetchRequest(17, 0).AppendTo(nil, 17), 16); err != nil {
		t.Fatal(err)
	}
	if req.Topics[0].Partitions[1].ReplicaDirectoryId != (UUID{}) || req.ReplicaState.ReplicaId != 4 || !req.ClusterId.Valid {
		t.Fatalf("v17 request read at v16: %+v", req)
	}
	enc := sampleFetchRequest(17, 0).AppendTo(nil, 14)
	if err := req.DecodeFrom(enc, 14); err != nil || req.ReplicaState != noReplicaState {
		t.Fatalf("v14 request: %v, ReplicaState %+v", err, req.ReplicaState)
	}
}
