package kafka

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/fetcher"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/proxy"
	"github.com/zeroalloc/kafka/wire"
)

// A group member reading six partitions led by one broker does it over one
// connection, with one Fetch per round covering them all, in a fetch
// session: after the first answer the requests are incremental. Lags then
// reports each partition read to its end.
func TestReaderOneFetchPerBroker(t *testing.T) {
	const parts, perPart = 6, 500
	topic := createTopic(t, parts)
	w := newTestWriter(t, topic)
	w.Balancer = &Manual{}
	msgs := make([]Message, 0, parts*perPart)
	for p := range parts {
		for i := range perPart {
			msgs = append(msgs, Message{Partition: p, Value: []byte(strconv.Itoa(i))})
		}
	}
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	r := newTestReader(t, topic, ReaderConfig{GroupID: kafkatest.Topic(t), MaxBytes: 4 << 10})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	next := make([]int64, parts)
	for range parts * perPart {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Offset != next[m.Partition] || string(m.Value) != strconv.Itoa(int(m.Offset)) {
			t.Fatalf("partition %d: offset %d value %q, want offset %d", m.Partition, m.Offset, m.Value, next[m.Partition])
		}
		next[m.Partition]++
	}
	lags := r.Lags()
	if len(lags) != parts {
		t.Fatalf("Lags: %d partitions, want %d: %+v", len(lags), parts, lags)
	}
	for i, l := range lags {
		if l.Topic != topic || l.Partition != i || l.Offset != perPart || l.HighWaterMark != perPart || l.Lag != 0 {
			t.Errorf("Lags()[%d] = %+v, want partition %d at offset %d, high watermark %d, lag 0", i, l, i, perPart, perPart)
		}
	}
	st := r.Stats()
	if st.Dials != 1 {
		t.Errorf("%d connections dialed to fetch from one broker, want 1", st.Dials)
	}
	// 3,000 small records with 4 KiB per partition per Fetch: about 20
	// rounds if every Fetch covers all six partitions, six times as many
	// if each covered one.
	if st.Fetches < 2 || st.Fetches > 60 {
		t.Errorf("%d fetches for %d partitions of %d records at 4 KiB a partition", st.Fetches, parts, perPart)
	}
	if n := r.fetch.Stats().Incremental.Load(); n == 0 {
		t.Error("no incremental fetch: the fetch session was not used")
	}
	t.Logf("%d fetches, %d incremental", st.Fetches, r.fetch.Stats().Incremental.Load())
}

// A record batch damaged on the way (a byte flipped by our proxy) fails its
// CRC check: the read returns an error matching wire.ErrCorruptRecord, and
// the Reader then fetches the batch again, so that every record is still
// delivered, once and in order.
func TestReaderCorruptBatchRefetched(t *testing.T) {
	topic := createTopic(t, 1)
	const n = 200
	w := newTestWriter(t, topic)
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{Value: make([]byte, 100)}
		copy(msgs[i].Value, strconv.Itoa(i))
	}
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	px, err := proxy.New(kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	// Damage the first chunk large enough to carry the records, well
	// inside the last record's value.
	px.CorruptNext(func(b []byte) bool {
		if len(b) < 4000 {
			return false
		}
		b[len(b)-30] ^= 0x55
		return true
	})
	dialer := &Dialer{Timeout: 5 * time.Second, DialFunc: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, px.Addr())
	}}
	r := newTestReader(t, topic, ReaderConfig{Dialer: dialer, ReadBackoffMin: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	corrupt := 0
	for i := 0; i < n; {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			if !errors.Is(err, wire.ErrCorruptRecord) {
				t.Fatalf("at offset %d: %v, want a corrupt-record error", i, err)
			}
			corrupt++
			continue
		}
		if m.Offset != int64(i) || string(m.Value[:len(strconv.Itoa(i))]) != strconv.Itoa(i) {
			t.Fatalf("got offset %d value %q, want offset %d", m.Offset, m.Value[:8], i)
		}
		i++
	}
	if corrupt != 1 {
		t.Fatalf("%d corrupt-record errors, want 1", corrupt)
	}
}

// Read calls from several goroutines take turns: every message is
// returned once, to one of them, and a caller waiting for its turn still
// honours its context.
func TestReaderConcurrentReads(t *testing.T) {
	topic := createTopic(t, 1)
	const n, readers = 4000, 4
	writeValues(t, topic, 0, n)
	r := newTestReader(t, topic, ReaderConfig{MaxBytes: 8 << 10})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan int64, n)
	errc := make(chan error, readers)
	for range readers {
		go func() {
			var m Message
			for {
				if err := r.ReadInto(ctx, &m); err != nil {
					errc <- err
					return
				}
				if m.Offset < 0 || string(m.Value) != strconv.Itoa(int(m.Offset)) {
					errc <- errors.New("offset " + strconv.Itoa(int(m.Offset)) + " with value " + string(m.Value))
					return
				}
				got <- m.Offset
			}
		}()
	}
	seen := make([]bool, n)
	for range n {
		select {
		case off := <-got:
			if seen[off] {
				t.Fatalf("offset %d returned twice", off)
			}
			seen[off] = true
		case err := <-errc:
			t.Fatal(err)
		}
	}
	// All read: the four callers now wait, three of them for their turn.
	// A short context ends such a wait.
	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	if _, err := r.ReadMessage(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadMessage with nothing to read: %v, want the context's deadline", err)
	}
	cancel()
	for range readers {
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("a reader ended with %v, want context.Canceled", err)
		}
	}
}

// An answer whose batches do not follow each other (only a damaged one
// has such) is read no further than the fetch position moved
// (fetcher.BatchesEnd), and never delivers an offset twice or out of
// order.
func TestNextRecordDamagedAnswer(t *testing.T) {
	batch := func(base int64, values ...string) []byte {
		var b wire.RecordBatchBuilder
		b.Begin(nil, wire.ProducerBatchOptions())
		for _, v := range values {
			b.Append(1700000000000, nil, []byte(v), nil)
		}
		out, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		binary.BigEndian.PutUint64(out, uint64(base)) // not covered by the CRC
		return out
	}
	// Offsets 0–4, then a batch going back to 2–6.
	records := append(batch(0, "0", "1", "2", "3", "4"), batch(2, "2'", "3'", "4'", "5'", "6'")...)
	end, _ := fetcher.BatchesEnd(records)
	if end != 5 {
		t.Fatalf("BatchesEnd = %d, want 5 (the second batch goes back)", end)
	}
	it := &fetcher.Item{Part: &fetcher.Partition{Topic: "t", Next: -1}, Records: records, From: 1, End: end}
	var r Reader
	r.iter.Reset(records)
	var got []string
	var m Message
	for {
		ok, err := r.nextRecord(it, &m)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		it.Part.Next = m.Offset + 1
		got = append(got, strconv.Itoa(int(m.Offset))+":"+string(m.Value))
	}
	if want := []string{"1:1", "2:2", "3:3", "4:4"}; !slices.Equal(got, want) {
		t.Fatalf("delivered %q, want %q", got, want)
	}
}
