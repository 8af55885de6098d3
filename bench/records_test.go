package bench

// Batch encode and decode benchmarks: a Produce request carrying one batch
// of 1,000 records (100-byte values, a key and one header each), and a Fetch
// response carrying the same records, iterated record by record with their
// headers. Produce is encoded at v8 and Fetch decoded at v11, the newest
// versions all three codecs support.
//
//	cd bench && go test -run '^$' -bench 'Codec(Produce|Fetch)' -benchmem

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"testing"
	"time"

	kgoproto "github.com/segmentio/kafka-go/protocol"
	kgofetch "github.com/segmentio/kafka-go/protocol/fetch"
	kgoproduce "github.com/segmentio/kafka-go/protocol/produce"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/zeroalloc/kafka/wire"
)

const (
	benchRecords   = 1000
	benchValueSize = 100
	benchTopic     = "bench-topic"
	benchTimestamp = int64(1764000000000)
)

type benchRecord struct {
	key, value, hkey, hval []byte
}

func benchInput() []benchRecord {
	recs := make([]benchRecord, benchRecords)
	for i := range recs {
		recs[i] = benchRecord{
			key:   []byte(fmt.Sprintf("key-%06d", i)),
			value: bytes.Repeat([]byte{byte('a' + i%26)}, benchValueSize),
			hkey:  []byte("trace-id"),
			hval:  []byte(fmt.Sprintf("%016x", i)),
		}
	}
	return recs
}

func inputBytes(recs []benchRecord) int64 {
	n := 0
	for _, r := range recs {
		n += len(r.key) + len(r.value) + len(r.hkey) + len(r.hval)
	}
	return int64(n)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// franzRecordLength is the length kgo computes before encoding a record
// (kmsg.Record.AppendTo writes Length as given).
func franzRecordLength(r *kmsg.Record) int32 {
	n := 1 + varlongLen(r.TimestampDelta64) + varintLen(int64(r.OffsetDelta)) +
		varintLen(int64(len(r.Key))) + len(r.Key) + varintLen(int64(len(r.Value))) + len(r.Value) +
		varintLen(int64(len(r.Headers)))
	for _, h := range r.Headers {
		n += varintLen(int64(len(h.Key))) + len(h.Key) + varintLen(int64(len(h.Value))) + len(h.Value)
	}
	return int32(n)
}

func varintLen(v int64) int { return varlongLen(v) }
func varlongLen(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}

// franzProduce encodes the request the way franz-go's producer does with
// kmsg's pieces: records appended into the batch's record bytes, the batch
// appended with its CRC patched in, and the request around it. Buffers are
// reused as kgo's pooled ones are.
type franzProduce struct {
	recs  []kmsg.Record
	rbuf  []byte
	batch []byte
	out   []byte
}

func (f *franzProduce) encode(in []benchRecord) []byte {
	f.rbuf = f.rbuf[:0]
	if f.recs == nil {
		f.recs = make([]kmsg.Record, len(in))
	}
	for i := range in {
		r := &f.recs[i]
		*r = kmsg.Record{OffsetDelta: int32(i), Key: in[i].key, Value: in[i].value,
			Headers: []kmsg.Header{{Key: string(in[i].hkey), Value: in[i].hval}}}
		r.Length = franzRecordLength(r)
		f.rbuf = r.AppendTo(f.rbuf)
	}
	b := kmsg.RecordBatch{
		PartitionLeaderEpoch: -1, Magic: 2, LastOffsetDelta: int32(len(in) - 1),
		FirstTimestamp: benchTimestamp, MaxTimestamp: benchTimestamp,
		ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1, NumRecords: int32(len(in)), Records: f.rbuf,
	}
	b.Length = int32(49 + len(f.rbuf))
	f.batch = b.AppendTo(f.batch[:0])
	crc := crc32.Checksum(f.batch[21:], castagnoli)
	f.batch[17], f.batch[18], f.batch[19], f.batch[20] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
	req := kmsg.ProduceRequest{Version: 8, Acks: -1, TimeoutMillis: 30000, Topics: []kmsg.ProduceRequestTopic{{
		Topic: benchTopic, Partitions: []kmsg.ProduceRequestTopicPartition{{Partition: 0, Records: f.batch}},
	}}}
	f.out = req.AppendTo(f.out[:0])
	return f.out
}

// kafkaGoProduce encodes the request with kafka-go's protocol package, as its
// Writer does.
func kafkaGoProduce(w io.Writer, in []benchRecord, recs []kgoproto.Record) error {
	for i := range in {
		recs[i] = kgoproto.Record{
			Offset: int64(i), Time: time.UnixMilli(benchTimestamp),
			Key: kgoproto.NewBytes(in[i].key), Value: kgoproto.NewBytes(in[i].value),
			Headers: []kgoproto.Header{{Key: string(in[i].hkey), Value: in[i].hval}},
		}
	}
	req := &kgoproduce.Request{Acks: -1, Timeout: 30000, Topics: []kgoproduce.RequestTopic{{
		Topic: benchTopic, Partitions: []kgoproduce.RequestPartition{{
			Partition: 0, RecordSet: kgoproto.RecordSet{Version: 2, Records: kgoproto.NewRecordReader(recs...)},
		}},
	}}}
	return kgoproto.WriteRequest(w, 8, 1, "bench", req)
}

// franzFetchBody returns a Fetch v11 response body carrying records (built by
// kmsg, so the input is neutral).
func fetchV11Body(records []byte) []byte {
	resp := kmsg.FetchResponse{Version: 11, Topics: []kmsg.FetchResponseTopic{{
		Topic: benchTopic, Partitions: []kmsg.FetchResponseTopicPartition{{
			Partition: 0, HighWatermark: benchRecords, LastStableOffset: benchRecords, LogStartOffset: 0,
			PreferredReadReplica: -1, RecordBatches: records,
		}},
	}}}
	return resp.AppendTo(nil)
}

// franzFetch decodes the response and its records as kgo's consumer does:
// the response, each batch (CRC checked), each record.
func franzFetch(body []byte, sink *int) error {
	resp := kmsg.FetchResponse{Version: 11}
	if err := resp.ReadFrom(body); err != nil {
		return err
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			in := p.RecordBatches
			for len(in) > 12 {
				length := int(int32(uint32(in[8])<<24|uint32(in[9])<<16|uint32(in[10])<<8|uint32(in[11]))) + 12
				var b kmsg.RecordBatch
				if err := b.ReadFrom(in[:length]); err != nil {
					return err
				}
				if int32(crc32.Checksum(in[21:length], castagnoli)) != b.CRC {
					return fmt.Errorf("crc")
				}
				recs := b.Records
				for i := int32(0); i < b.NumRecords; i++ {
					var r kmsg.Record
					l, n := uvarint(recs)
					if err := r.ReadFrom(recs[:n+int(l)]); err != nil {
						return err
					}
					recs = recs[n+int(l):]
					*sink += len(r.Value) + len(r.Headers)
				}
				in = in[length:]
			}
		}
	}
	return nil
}

// uvarint reads a zigzag varint length prefix (kgo reads it before each
// record to slice it).
func uvarint(b []byte) (int64, int) {
	var u uint64
	for i := 0; i < len(b) && i < 10; i++ {
		u |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return int64(u>>1) ^ -int64(u&1), i + 1
		}
	}
	return 0, 0
}

func kafkaGoFetch(frame []byte, sink *int) error {
	_, msg, err := kgoproto.ReadResponse(bytes.NewReader(frame), kgoproto.Fetch, 11)
	if err != nil {
		return err
	}
	resp := msg.(*kgofetch.Response)
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			rr := p.RecordSet.Records
			for {
				r, err := rr.ReadRecord()
				if err != nil {
					if err == io.EOF {
						break
					}
					return err
				}
				*sink += r.Value.Len() + len(r.Headers)
				r.Value.Close()
				if r.Key != nil {
					r.Key.Close()
				}
			}
		}
	}
	return nil
}

func frameOf(body []byte) []byte {
	frame, start := wire.AppendResponseHeader(nil, 1, false)
	frame = append(frame, body...)
	wire.FinishFrame(frame, start)
	return frame
}

// zeroallocProduce encodes the request as this client's producer does: the
// batch is built straight into the request buffer, each record once.
type zeroallocProduce struct {
	b   wire.RecordBatchBuilder
	hdr [1]wire.RecordHeader
	out []byte
}

func (z *zeroallocProduce) encode(in []benchRecord) []byte {
	const v = 8
	buf := wire.AppendProduceRequestHead(z.out[:0], v, wire.NullString{}, -1, 30000, 1)
	buf = wire.AppendProduceTopicHead(buf, v, benchTopic, 1)
	buf, mark := wire.AppendProducePartitionHead(buf, v, 0, len(z.out))
	z.b.Begin(buf, wire.ProducerBatchOptions())
	for i := range in {
		z.hdr[0] = wire.RecordHeader{Key: in[i].hkey, Value: in[i].hval}
		z.b.Append(benchTimestamp, in[i].key, in[i].value, z.hdr[:])
	}
	buf, err := z.b.Finish()
	if err != nil {
		panic(err)
	}
	buf = wire.FinishProducePartition(buf, v, mark)
	buf = wire.AppendProduceTopicEnd(buf, v)
	z.out = wire.AppendProduceRequestEnd(buf, v)
	return z.out
}

// zeroallocFetch decodes the response into a reused struct and walks every
// record and header with the allocation-free iterator.
type zeroallocFetch struct {
	resp wire.FetchResponse
	it   wire.RecordIter
}

func (z *zeroallocFetch) decode(body []byte, sink *int) error {
	if err := z.resp.DecodeFrom(body, 11); err != nil {
		return err
	}
	for ti := range z.resp.Responses {
		for pi := range z.resp.Responses[ti].Partitions {
			z.it.Reset(z.resp.Responses[ti].Partitions[pi].Records)
			for z.it.Next() {
				r := z.it.Record()
				h := r.Headers()
				for _, _, ok := h.Next(); ok; _, _, ok = h.Next() {
					*sink++
				}
				*sink += len(r.Value)
			}
			if err := z.it.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

func BenchmarkCodecProduce1000x100B(b *testing.B) {
	in := benchInput()
	b.Run("zeroalloc", func(b *testing.B) {
		var z zeroallocProduce
		z.encode(in)
		b.ReportAllocs()
		b.SetBytes(inputBytes(in))
		for b.Loop() {
			z.encode(in)
		}
	})
	b.Run("franz-go", func(b *testing.B) {
		var f franzProduce
		f.encode(in)
		b.ReportAllocs()
		b.SetBytes(inputBytes(in))
		for b.Loop() {
			f.encode(in)
		}
	})
	b.Run("kafka-go", func(b *testing.B) {
		recs := make([]kgoproto.Record, len(in))
		b.ReportAllocs()
		b.SetBytes(inputBytes(in))
		for b.Loop() {
			if err := kafkaGoProduce(io.Discard, in, recs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCodecFetch1000x100B(b *testing.B) {
	in := benchInput()
	var z zeroallocProduce
	z.encode(in)
	body := fetchV11Body(batchOf(in))
	frame := frameOf(body)
	b.Run("zeroalloc", func(b *testing.B) {
		var z zeroallocFetch
		sink := 0
		b.ReportAllocs()
		b.SetBytes(inputBytes(in))
		for b.Loop() {
			if err := z.decode(body, &sink); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("franz-go", func(b *testing.B) {
		sink := 0
		b.ReportAllocs()
		b.SetBytes(inputBytes(in))
		for b.Loop() {
			if err := franzFetch(body, &sink); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kafka-go", func(b *testing.B) {
		sink := 0
		b.ReportAllocs()
		b.SetBytes(inputBytes(in))
		for b.Loop() {
			if err := kafkaGoFetch(frame, &sink); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// batchOf builds the records as one uncompressed batch at base offset 0.
func batchOf(in []benchRecord) []byte {
	var b wire.RecordBatchBuilder
	opts := wire.ProducerBatchOptions()
	opts.BaseOffset = 0
	b.Begin(nil, opts)
	for i := range in {
		b.Append(benchTimestamp, in[i].key, in[i].value, []wire.RecordHeader{{Key: in[i].hkey, Value: in[i].hval}})
	}
	out, err := b.Finish()
	if err != nil {
		panic(err)
	}
	return out
}

// TestCodecBatchPeersAgree checks that all three encode requests that decode
// to the same records, and all three read the same records from the Fetch
// body, so the benchmarks compare the same work.
func TestCodecBatchPeersAgree(t *testing.T) {
	in := benchInput()
	want := 0
	for _, r := range in {
		want += len(r.value) + 1
	}
	body := fetchV11Body(batchOf(in))
	var z zeroallocFetch
	for name, run := range map[string]func(*int) error{
		"zeroalloc": func(s *int) error { return z.decode(body, s) },
		"franz-go":  func(s *int) error { return franzFetch(body, s) },
		"kafka-go":  func(s *int) error { return kafkaGoFetch(frameOf(body), s) },
	} {
		got := 0
		if err := run(&got); err != nil || got != want {
			t.Errorf("%s fetch: read %d value bytes+headers, want %d (%v)", name, got, want, err)
		}
	}
	// Each encoded Produce request must carry the same records.
	var zp zeroallocProduce
	var fp franzProduce
	var kbuf bytes.Buffer
	if err := kafkaGoProduce(&kbuf, in, make([]kgoproto.Record, len(in))); err != nil {
		t.Fatal(err)
	}
	for name, req := range map[string][]byte{"zeroalloc": zp.encode(in), "franz-go": fp.encode(in)} {
		var p wire.ProduceRequest
		if err := p.DecodeFrom(req, 8); err != nil {
			t.Fatalf("%s produce: %v", name, err)
		}
		got := 0
		var it wire.RecordIter
		it.Reset(p.TopicData[0].PartitionData[0].Records)
		for it.Next() {
			got += len(it.Record().Value) + it.Record().NumHeaders
		}
		if it.Err() != nil || got != want {
			t.Errorf("%s produce: carries %d, want %d (%v)", name, got, want, it.Err())
		}
	}
	if kbuf.Len() < int(inputBytes(in)) {
		t.Errorf("kafka-go produce request is only %d bytes", kbuf.Len())
	}
}
