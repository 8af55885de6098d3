package wire

import "testing"

// pfRecords1000 returns 1,000 records of a 10-byte key, a 100-byte value
// and two headers: the producer's and consumer's typical small message.
func pfRecords1000() []testRecord {
	rs := benchRecords1000()
	hdrs := []RecordHeader{{Key: []byte("trace-id"), Value: []byte("0123456789abcdef")}, {Key: []byte("source"), Value: []byte("bench")}}
	for i := range rs {
		rs[i].headers = hdrs
	}
	return rs
}

// bigProduceRequest is a request of one partition whose Records is a real
// batch of pfRecords1000, built with RecordBatchBuilder.
func bigProduceRequest(tb testing.TB) *ProduceRequest {
	batch := buildBatch(tb, nil, ProducerBatchOptions(), pfRecords1000())
	return &ProduceRequest{Acks: -1, TimeoutMs: 30000, TopicData: []ProduceRequestTopic{{
		Name: "events", PartitionData: []ProduceRequestPartition{{Index: 3, Records: batch}},
	}}}
}

// bigFetchResponse is a response of one partition whose Records is a real
// batch of pfRecords1000.
func bigFetchResponse(tb testing.TB) *FetchResponse {
	batch := buildBatch(tb, nil, ProducerBatchOptions(), pfRecords1000())
	return &FetchResponse{Responses: []FetchResponseTopic{{Topic: "events", TopicId: testUUID(1), Partitions: []FetchResponsePartition{{
		PartitionIndex: 3, HighWatermark: 1000, LastStableOffset: 1000, LogStartOffset: 0,
		DivergingEpoch: noEpochEndOffset, CurrentLeader: NoLeader, SnapshotId: noSnapshotId,
		PreferredReadReplica: -1, Records: batch,
	}}}}}
}

// iterateAll walks every record of every partition of m, headers included,
// and returns how many records and headers it saw and the bytes of their
// keys and values.
func iterateAll(m *FetchResponse, it *RecordIter) (records, headers, size int, err error) {
	for i := range m.Responses {
		for j := range m.Responses[i].Partitions {
			it.Reset(m.Responses[i].Partitions[j].Records)
			for it.Next() {
				r := it.Record()
				records++
				size += len(r.Key) + len(r.Value)
				for h := r.Headers(); ; {
					k, v, ok := h.Next()
					if !ok {
						break
					}
					headers++
					size += len(k) + len(v)
				}
			}
			if it.Err() != nil {
				return records, headers, size, it.Err()
			}
		}
	}
	return records, headers, size, nil
}

// BenchmarkProduceRequestAppend1000x100B appends a v11 Produce request
// holding one batch of 1,000 records (10-byte key, 100-byte value, two
// headers) into a warm buffer; SetBytes counts the request body.
func BenchmarkProduceRequestAppend1000x100B(b *testing.B) {
	m := bigProduceRequest(b)
	const v = 11
	buf := m.AppendTo(nil, v)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = m.AppendTo(buf[:0], v)
	}
}

// BenchmarkProduceRequestStream1000x100B is the producer's path: the
// request head, the 1,000 records encoded by RecordBatchBuilder straight
// into the request buffer, the length backfilled. SetBytes counts the
// request body.
func BenchmarkProduceRequestStream1000x100B(b *testing.B) {
	rs := pfRecords1000()
	const v = 11
	var bb RecordBatchBuilder
	buf := make([]byte, 0, 256<<10)
	stream := func(dst []byte, hint int) []byte {
		dst = AppendProduceRequestHead(dst, v, NullString{}, -1, 30000, 1)
		dst = AppendProduceTopicHead(dst, v, "events", 1)
		dst, mark := AppendProducePartitionHead(dst, v, 3, hint)
		bb.Begin(dst, ProducerBatchOptions())
		for i := range rs {
			r := &rs[i]
			bb.Append(r.ts, r.key, r.value, r.headers)
		}
		dst, err := bb.Finish()
		if err != nil {
			b.Fatal(err)
		}
		dst = FinishProducePartition(dst, v, mark)
		dst = AppendProduceTopicEnd(dst, v)
		return AppendProduceRequestEnd(dst, v)
	}
	for _, c := range []struct {
		name string
		hint int
	}{{"hint-right", 1 << 20}, {"hint-wrong", 0}} {
		b.Run(c.name, func(b *testing.B) {
			buf = stream(buf[:0], c.hint)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = stream(buf[:0], c.hint)
			}
		})
	}
}

// BenchmarkFetchResponseDecode1000x100B decodes a v17 Fetch response
// holding one batch of 1,000 records (10-byte key, 100-byte value, two
// headers) into a reused FetchResponse and iterates every record and header
// with a RecordIter (CRC checked); SetBytes counts the response body.
func BenchmarkFetchResponseDecode1000x100B(b *testing.B) {
	const v = 17
	src := bigFetchResponse(b).AppendTo(nil, v)
	var m FetchResponse
	var it RecordIter
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.DecodeFrom(src, v); err != nil {
			b.Fatal(err)
		}
		if n, _, _, err := iterateAll(&m, &it); err != nil || n != 1000 {
			b.Fatalf("%d records, %v", n, err)
		}
	}
}

// BenchmarkFetchResponseDecodeOnly1000x100B is the decode alone: the
// records are not walked, so it measures the codec, not the iterator.
func BenchmarkFetchResponseDecodeOnly1000x100B(b *testing.B) {
	const v = 17
	src := bigFetchResponse(b).AppendTo(nil, v)
	var m FetchResponse
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.DecodeFrom(src, v); err != nil {
			b.Fatal(err)
		}
	}
}
