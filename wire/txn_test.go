package wire

import (
	"bytes"
	"testing"
)

func sampleInitProducerIdRequest(version int16, seed int) *InitProducerIdRequest {
	m := &InitProducerIdRequest{
		TransactionalId:      NewNullString(testStr("txn-", seed)),
		TransactionTimeoutMs: int32(60000 + seed),
		ProducerId:           -1,
		ProducerEpoch:        -1,
	}
	if version >= 3 {
		m.ProducerId = int64(1<<40 + seed)
		m.ProducerEpoch = int16(7 + seed)
	}
	return m
}

func sampleInitProducerIdResponse(seed int) *InitProducerIdResponse {
	return &InitProducerIdResponse{
		ThrottleTimeMs: int32(5 + seed),
		ErrorCode:      int16(47 + seed),
		ProducerId:     int64(1<<33 + seed),
		ProducerEpoch:  int16(3 + seed),
	}
}

func sampleTxnTopics(seed int) []AddPartitionsToTxnRequestTopic {
	var s []AddPartitionsToTxnRequestTopic
	for i := 0; i < 2+seed; i++ {
		s = append(s, AddPartitionsToTxnRequestTopic{Name: testStr("topic-", i+seed), Partitions: testIDs(int32(i), seed)})
	}
	return s
}

func sampleAddPartitionsToTxnRequest(version int16, seed int) *AddPartitionsToTxnRequest {
	m := &AddPartitionsToTxnRequest{}
	if version >= 4 {
		for i := 0; i < 2+seed; i++ {
			m.Transactions = append(m.Transactions, AddPartitionsToTxnRequestTransaction{
				TransactionalId: testStr("txn-", i+seed),
				ProducerId:      int64(1000 + i + seed),
				ProducerEpoch:   int16(2 + i),
				VerifyOnly:      i%2 == 0,
				Topics:          sampleTxnTopics(seed + i),
			})
		}
		return m
	}
	m.V3AndBelowTransactionalId = testStr("txn-", seed)
	m.V3AndBelowProducerId = int64(4000 + seed)
	m.V3AndBelowProducerEpoch = int16(9 + seed)
	m.V3AndBelowTopics = sampleTxnTopics(seed)
	return m
}

func sampleTxnTopicResults(seed int) []AddPartitionsToTxnResponseTopic {
	var s []AddPartitionsToTxnResponseTopic
	for i := 0; i < 2+seed; i++ {
		t := AddPartitionsToTxnResponseTopic{Name: testStr("topic-", i+seed)}
		for j := 0; j < 2+seed; j++ {
			t.ResultsByPartition = append(t.ResultsByPartition, AddPartitionsToTxnResponsePartition{
				PartitionIndex: int32(j + seed), PartitionErrorCode: int16(48 + j),
			})
		}
		s = append(s, t)
	}
	return s
}

func sampleAddPartitionsToTxnResponse(version int16, seed int) *AddPartitionsToTxnResponse {
	m := &AddPartitionsToTxnResponse{ThrottleTimeMs: int32(11 + seed)}
	if version >= 4 {
		m.ErrorCode = int16(51 + seed)
		for i := 0; i < 2+seed; i++ {
			m.ResultsByTransaction = append(m.ResultsByTransaction, AddPartitionsToTxnResponseTransaction{
				TransactionalId: testStr("txn-", i+seed), TopicResults: sampleTxnTopicResults(seed + i),
			})
		}
		return m
	}
	m.ResultsByTopicV3AndBelow = sampleTxnTopicResults(seed)
	return m
}

func sampleAddOffsetsToTxnRequest(seed int) *AddOffsetsToTxnRequest {
	return &AddOffsetsToTxnRequest{
		TransactionalId: testStr("txn-", seed),
		ProducerId:      int64(77 + seed),
		ProducerEpoch:   int16(4 + seed),
		GroupId:         testStr("group-", seed),
	}
}

func sampleEndTxnRequest(seed int) *EndTxnRequest {
	return &EndTxnRequest{
		TransactionalId: testStr("txn-", seed),
		ProducerId:      int64(88 + seed),
		ProducerEpoch:   int16(5 + seed),
		Committed:       seed%2 == 0,
	}
}

func sampleEndTxnResponse(version int16, seed int) *EndTxnResponse {
	m := &EndTxnResponse{ThrottleTimeMs: int32(13 + seed), ErrorCode: int16(90 + seed), ProducerId: -1, ProducerEpoch: -1}
	if version >= 5 {
		m.ProducerId = int64(1<<35 + seed)
		m.ProducerEpoch = int16(6 + seed)
	}
	return m
}

func sampleTxnOffsetCommitRequest(version int16, seed int) *TxnOffsetCommitRequest {
	m := &TxnOffsetCommitRequest{
		TransactionalId: testStr("txn-", seed),
		GroupId:         testStr("group-", seed),
		ProducerId:      int64(99 + seed),
		ProducerEpoch:   int16(8 + seed),
		GenerationId:    -1,
	}
	if version >= 3 {
		m.GenerationId = int32(21 + seed)
		m.MemberId = testStr("member-", seed)
		m.GroupInstanceId = NewNullString(testStr("instance-", seed))
	}
	for i := 0; i < 2+seed; i++ {
		t := TxnOffsetCommitRequestTopic{Name: testStr("topic-", i+seed)}
		for j := 0; j < 2+seed; j++ {
			p := TxnOffsetCommitRequestPartition{
				PartitionIndex:       int32(j + seed),
				CommittedOffset:      int64(5000 + j),
				CommittedLeaderEpoch: -1,
			}
			if j == 0 {
				p.CommittedMetadata = NewNullString(testStr("meta-", i))
			} else if j == 1 {
				p.CommittedMetadata = NewNullString("")
			}
			if version >= 2 {
				p.CommittedLeaderEpoch = int32(12 + j)
			}
			t.Partitions = append(t.Partitions, p)
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

func sampleTxnOffsetCommitResponse(seed int) *TxnOffsetCommitResponse {
	m := &TxnOffsetCommitResponse{ThrottleTimeMs: int32(17 + seed)}
	for i := 0; i < 2+seed; i++ {
		t := TxnOffsetCommitResponseTopic{Name: testStr("topic-", i+seed)}
		for j := 0; j < 2+seed; j++ {
			t.Partitions = append(t.Partitions, TxnOffsetCommitResponsePartition{PartitionIndex: int32(j + seed), ErrorCode: int16(25 + j)})
		}
		m.Topics = append(m.Topics, t)
	}
	return m
}

// txnSample builds one request or response of txn.go for version; seed
// varies the values and the array lengths (2+seed elements).
type txnSample func(version int16, seed int) Message

// txnAPIs lists, for every API of txn.go, its request and response samples.
var txnAPIs = []struct {
	key       int16
	req, resp txnSample
}{
	{KeyInitProducerId,
		func(v int16, s int) Message { return sampleInitProducerIdRequest(v, s) },
		func(v int16, s int) Message { return sampleInitProducerIdResponse(s) }},
	{KeyAddPartitionsToTxn,
		func(v int16, s int) Message { return sampleAddPartitionsToTxnRequest(v, s) },
		func(v int16, s int) Message { return sampleAddPartitionsToTxnResponse(v, s) }},
	{KeyAddOffsetsToTxn,
		func(v int16, s int) Message { return sampleAddOffsetsToTxnRequest(s) },
		func(v int16, s int) Message {
			return &AddOffsetsToTxnResponse{ThrottleTimeMs: int32(3 + s), ErrorCode: int16(53 + s)}
		}},
	{KeyEndTxn,
		func(v int16, s int) Message { return sampleEndTxnRequest(s) },
		func(v int16, s int) Message { return sampleEndTxnResponse(v, s) }},
	{KeyTxnOffsetCommit,
		func(v int16, s int) Message { return sampleTxnOffsetCommitRequest(v, s) },
		func(v int16, s int) Message { return sampleTxnOffsetCommitResponse(s) }},
}

// txnCodecSamples returns, for every version of every API of txn.go, a
// request and a response with every field of that version set.
func txnCodecSamples() (out []codecSample) {
	for _, a := range txnAPIs {
		for v := APIs[a.key].Min; v <= APIs[a.key].Max; v++ {
			out = append(out, codecSample{v, a.req(v, 1)}, codecSample{v, a.resp(v, 1)})
		}
	}
	return out
}

// TestTxnRoundTrip runs checkCodec (round trip, reuse, staleness, trailing
// bytes, every prefix, unsupported versions) for every version of every
// request and response of txn.go.
func TestTxnRoundTrip(t *testing.T) {
	for _, a := range txnAPIs {
		checkRegistered(t, a.req(APIs[a.key].Max, 0), a.resp(APIs[a.key].Max, 0))
		for v := APIs[a.key].Min; v <= APIs[a.key].Max; v++ {
			checkCodec(t, v, a.req(v, 0), a.req(v, 1))
			checkCodec(t, v, a.resp(v, 0), a.resp(v, 1))
		}
	}
}

func TestTxnDecodeAcrossVersionsKeepsNothingStale(t *testing.T) {
	checkAcrossVersions(t, txnCodecSamples())
}

// TestTxnGolden checks hand-assembled bytes (from the JSON field order) for
// the classic and flexible forms and for both shapes of AddPartitionsToTxn.
func TestTxnGolden(t *testing.T) {
	for _, c := range []struct {
		name    string
		m       Message
		version int16
		want    []byte
	}{
		{"InitProducerId request v1, null id", &InitProducerIdRequest{TransactionTimeoutMs: 9}, 1, []byte{
			0xff, 0xff, // TransactionalId: null
			0, 0, 0, 9, // TransactionTimeoutMs
		}},
		{"InitProducerId request v3", &InitProducerIdRequest{TransactionalId: NewNullString("t"), TransactionTimeoutMs: 9, ProducerId: 2, ProducerEpoch: 1}, 3, []byte{
			2, 't', // TransactionalId
			0, 0, 0, 9, // TransactionTimeoutMs
			0, 0, 0, 0, 0, 0, 0, 2, 0, 1, // ProducerId, ProducerEpoch
			0, // tags
		}},
		{"AddPartitionsToTxn request v2", &AddPartitionsToTxnRequest{
			V3AndBelowTransactionalId: "t", V3AndBelowProducerId: 5, V3AndBelowProducerEpoch: 1,
			V3AndBelowTopics: []AddPartitionsToTxnRequestTopic{{Name: "a", Partitions: []int32{3}}},
			Transactions:     []AddPartitionsToTxnRequestTransaction{{TransactionalId: "ignored below v4"}},
		}, 2, []byte{
			0, 1, 't', // V3AndBelowTransactionalId
			0, 0, 0, 0, 0, 0, 0, 5, 0, 1, // V3AndBelowProducerId, V3AndBelowProducerEpoch
			0, 0, 0, 1, 0, 1, 'a', // V3AndBelowTopics: 1, Name
			0, 0, 0, 1, 0, 0, 0, 3, // Partitions: [3]
		}},
		{"AddPartitionsToTxn request v4", &AddPartitionsToTxnRequest{
			V3AndBelowTransactionalId: "ignored from v4",
			Transactions: []AddPartitionsToTxnRequestTransaction{{
				TransactionalId: "t", ProducerId: 5, ProducerEpoch: 1, VerifyOnly: true,
				Topics: []AddPartitionsToTxnRequestTopic{{Name: "a", Partitions: []int32{3}}},
			}},
		}, 4, []byte{
			2, 2, 't', // Transactions: 1, TransactionalId
			0, 0, 0, 0, 0, 0, 0, 5, 0, 1, 1, // ProducerId, ProducerEpoch, VerifyOnly
			2, 2, 'a', 2, 0, 0, 0, 3, 0, // Topics: 1, Name, Partitions [3], tags
			0, // transaction tags
			0, // tags
		}},
		{"AddPartitionsToTxn response v4", &AddPartitionsToTxnResponse{
			ThrottleTimeMs: 1, ErrorCode: 2,
			ResultsByTransaction: []AddPartitionsToTxnResponseTransaction{{TransactionalId: "t", TopicResults: []AddPartitionsToTxnResponseTopic{{
				Name: "a", ResultsByPartition: []AddPartitionsToTxnResponsePartition{{PartitionIndex: 3, PartitionErrorCode: 4}},
			}}}},
		}, 4, []byte{
			0, 0, 0, 1, 0, 2, // ThrottleTimeMs, ErrorCode
			2, 2, 't', // ResultsByTransaction: 1, TransactionalId
			2, 2, 'a', // TopicResults: 1, Name
			2, 0, 0, 0, 3, 0, 4, 0, // ResultsByPartition: 1, PartitionIndex, PartitionErrorCode, tags
			0, 0, 0, // topic, transaction, top-level tags
		}},
		{"EndTxn response v5", &EndTxnResponse{ThrottleTimeMs: 1, ErrorCode: 2, ProducerId: 3, ProducerEpoch: 4}, 5, []byte{
			0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 4, 0,
		}},
		{"EndTxn response v4", &EndTxnResponse{ThrottleTimeMs: 1, ErrorCode: 2, ProducerId: 3, ProducerEpoch: 4}, 4, []byte{
			0, 0, 0, 1, 0, 2, 0,
		}},
		{"TxnOffsetCommit request v3", &TxnOffsetCommitRequest{
			TransactionalId: "t", GroupId: "g", ProducerId: 1, ProducerEpoch: 2, GenerationId: 3, MemberId: "m",
			Topics: []TxnOffsetCommitRequestTopic{{Name: "a", Partitions: []TxnOffsetCommitRequestPartition{{
				PartitionIndex: 4, CommittedOffset: 5, CommittedLeaderEpoch: 6,
			}}}},
		}, 3, []byte{
			2, 't', 2, 'g', // TransactionalId, GroupId
			0, 0, 0, 0, 0, 0, 0, 1, 0, 2, // ProducerId, ProducerEpoch
			0, 0, 0, 3, 2, 'm', 0, // GenerationId, MemberId, GroupInstanceId: null
			2, 2, 'a', // Topics: 1, Name
			2, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 6, // Partitions: 1, index, offset, epoch
			0, 0, // CommittedMetadata: null, tags
			0, 0, // topic tags, tags
		}},
	} {
		if got := c.m.AppendTo(nil, c.version); !bytes.Equal(got, c.want) {
			t.Errorf("%s =\n%x\nwant\n%x", c.name, got, c.want)
		}
	}
}

// TestTxnForgedCounts forges the count of each array of each response (and
// of the AddPartitionsToTxn request's partition list): decoding must fail
// with ErrInvalidLength.
func TestTxnForgedCounts(t *testing.T) {
	pad := make([]byte, 64)
	for v := APIs[KeyAddPartitionsToTxn].Min; v <= APIs[KeyAddPartitionsToTxn].Max; v++ {
		flex := IsFlexible(KeyAddPartitionsToTxn, v)
		src := AppendInt32(nil, 0)
		if v >= 4 {
			src = AppendInt16(src, 0)
			checkInvalidLength(t, new(AddPartitionsToTxnResponse), v, append(forgedCount(src, flex), pad...))
			src = AppendArrayLen(src, 1, flex)
			src = AppendStringFlex(src, "t", flex)
		}
		checkInvalidLength(t, new(AddPartitionsToTxnResponse), v, append(forgedCount(src, flex), pad...))
		src = AppendArrayLen(src, 1, flex)
		src = AppendStringFlex(src, "a", flex)
		checkInvalidLength(t, new(AddPartitionsToTxnResponse), v, append(forgedCount(src, flex), pad...))

		req := sampleAddPartitionsToTxnRequest(v, 0)
		if v >= 4 {
			req.Transactions[0].Topics[0].Partitions = []int32{sentinel}
		} else {
			req.V3AndBelowTopics[0].Partitions = []int32{sentinel}
		}
		checkInvalidLength(t, new(AddPartitionsToTxnRequest), v, forgeInt32Array(t, req.AppendTo(nil, v), flex))
	}
	for v := APIs[KeyTxnOffsetCommit].Min; v <= APIs[KeyTxnOffsetCommit].Max; v++ {
		flex := IsFlexible(KeyTxnOffsetCommit, v)
		src := AppendInt32(nil, 0)
		checkInvalidLength(t, new(TxnOffsetCommitResponse), v, append(forgedCount(src, flex), pad...))
		src = AppendArrayLen(src, 1, flex)
		src = AppendStringFlex(src, "a", flex)
		checkInvalidLength(t, new(TxnOffsetCommitResponse), v, append(forgedCount(src, flex), pad...))

		req := &TxnOffsetCommitRequest{}
		src = req.AppendTo(nil, v)
		src = src[:len(src)-len(AppendArrayLen(AppendEmptyTags(nil, flex), 0, flex))]
		checkInvalidLength(t, new(TxnOffsetCommitRequest), v, append(forgedCount(src, flex), pad...))
	}
}

func BenchmarkAddPartitionsToTxnRequestAppend(b *testing.B) {
	for _, v := range []int16{3, 5} {
		m := sampleAddPartitionsToTxnRequest(v, 4)
		buf := m.AppendTo(nil, v)
		b.Run("v"+string(rune('0'+v)), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				buf = m.AppendTo(buf[:0], v)
			}
		})
	}
}

func BenchmarkAddPartitionsToTxnResponseDecode(b *testing.B) {
	for _, v := range []int16{3, 5} {
		src := sampleAddPartitionsToTxnResponse(v, 4).AppendTo(nil, v)
		var m AddPartitionsToTxnResponse
		b.Run("v"+string(rune('0'+v)), func(b *testing.B) {
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
