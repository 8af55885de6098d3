package kafka

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/produce"
	"github.com/zeroalloc/kafka/wire"
)

// rawTxn drives one transactional producer with raw requests
// (InitProducerId, AddPartitionsToTxn, Produce, EndTxn), the way a
// transactional client would, to put real transactions in a topic.
type rawTxn struct {
	t     *testing.T
	bc    *broker.Conn
	id    string
	topic string
	pid   int64
	epoch int16
	seq   int32
	added bool
	enc   produce.Encoder
}

// retriable reports whether a transaction request's error code says to try
// again shortly (the coordinator is loading, or a previous transaction is
// still completing).
func retriable(code int16) bool {
	switch wire.Error(code) {
	case wire.CoordinatorLoadInProgress, wire.CoordinatorNotAvailable, wire.NotCoordinator, wire.ConcurrentTransactions:
		return true
	}
	return false
}

func newRawTxn(t *testing.T, id, topic string) *rawTxn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bc, err := broker.Dial(ctx, kafkatest.Brokers(t)[0], "txn-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Close() })
	bc.NetConn().SetDeadline(time.Now().Add(60 * time.Second))
	if err := bc.Negotiate(); err != nil {
		t.Fatal(err)
	}
	x := &rawTxn{t: t, bc: bc, id: id, topic: topic}
	// FindCoordinator also makes the broker create its transaction state
	// topic on first use; until then InitProducerId gets NOT_COORDINATOR.
	var fc wire.FindCoordinatorResponse
	x.do(&wire.FindCoordinatorRequest{CoordinatorKey: id, KeyType: 1, CoordinatorKeys: []string{id}}, &fc, func() int16 {
		if len(fc.Coordinators) > 0 {
			return fc.Coordinators[0].ErrorCode
		}
		return fc.ErrorCode
	})
	var resp wire.InitProducerIdResponse
	x.do(&wire.InitProducerIdRequest{TransactionalId: wire.NewNullString(id), TransactionTimeoutMs: 60000, ProducerId: -1, ProducerEpoch: -1}, &resp, func() int16 { return resp.ErrorCode })
	x.pid, x.epoch = resp.ProducerId, resp.ProducerEpoch
	return x
}

// do sends req until its answer's error code is not retriable.
func (x *rawTxn) do(req, resp wire.Message, code func() int16) {
	x.t.Helper()
	v, err := x.bc.Version(req.Key())
	if err != nil {
		x.t.Fatal(err)
	}
	if req.Key() == wire.KeyAddPartitionsToTxn {
		// Versions 4+ are the brokers' batched form; clients send 3 at most
		// (a v4+ request from a client is never answered).
		v = min(v, 3)
	}
	for i := 0; ; i++ {
		if err := x.bc.Exchange(v, req, resp); err != nil {
			x.t.Fatalf("%T: %v", req, err)
		}
		c := code()
		if c == 0 {
			return
		}
		if !retriable(c) || i > 200 {
			x.t.Fatalf("%T: %v", req, wire.Error(c))
		}
		time.Sleep(50 * time.Millisecond) // the coordinator gives nothing to wait on
	}
}

// produce writes values as one transactional batch.
func (x *rawTxn) produce(values ...string) {
	x.t.Helper()
	if !x.added {
		var resp wire.AddPartitionsToTxnResponse
		x.do(&wire.AddPartitionsToTxnRequest{
			V3AndBelowTransactionalId: x.id, V3AndBelowProducerId: x.pid, V3AndBelowProducerEpoch: x.epoch,
			V3AndBelowTopics: []wire.AddPartitionsToTxnRequestTopic{{Name: x.topic, Partitions: []int32{0}}},
		}, &resp, func() int16 {
			for _, tr := range resp.ResultsByTopicV3AndBelow {
				for _, p := range tr.ResultsByPartition {
					if p.PartitionErrorCode != 0 {
						return p.PartitionErrorCode
					}
				}
			}
			return resp.ErrorCode
		})
		x.added = true
	}
	msgs := make([]Message, len(values))
	for i, v := range values {
		msgs[i] = Message{Value: []byte(v)}
	}
	opts := wire.ProducerBatchOptions()
	opts.Transactional, opts.ProducerID, opts.ProducerEpoch, opts.BaseSequence = true, x.pid, x.epoch, x.seq
	v, err := x.bc.Version(wire.KeyProduce)
	if err != nil {
		x.t.Fatal(err)
	}
	buf := x.bc.StartRequest(wire.KeyProduce, v)
	buf, err = appendProduceRequest(&x.enc, buf, v, wire.NewNullString(x.id), -1, 30000, x.topic, 0, opts, msgs)
	if err != nil {
		x.t.Fatal(err)
	}
	corr, err := x.bc.SendRequest(buf)
	if err != nil {
		x.t.Fatal(err)
	}
	var resp wire.ProduceResponse
	if err := x.bc.ReceiveInto(corr, v, &resp); err != nil {
		x.t.Fatal(err)
	}
	if r := produce.PartitionResult(&resp, x.topic, 0); r.Err != nil {
		x.t.Fatalf("transactional produce: %v", r.Err)
	}
	x.seq += int32(len(values))
}

// end commits or aborts the transaction.
func (x *rawTxn) end(commit bool) {
	x.t.Helper()
	var resp wire.EndTxnResponse
	x.do(&wire.EndTxnRequest{TransactionalId: x.id, ProducerId: x.pid, ProducerEpoch: x.epoch, Committed: commit}, &resp, func() int16 { return resp.ErrorCode })
	x.added = false
	if resp.ProducerId >= 0 && resp.ProducerEpoch >= 0 {
		// EndTxn v5+ bumps the epoch at the end of every transaction
		// (KIP-890); sequences start again under the new one.
		x.pid, x.epoch, x.seq = resp.ProducerId, resp.ProducerEpoch, 0
	}
}

// readValues reads the partition from offset 0 to the end of one batch at
// the isolation level and returns the values, in order.
func readValues(t *testing.T, c *Conn, level IsolationLevel) []string {
	t.Helper()
	if _, err := c.Seek(0, SeekAbsolute|SeekDontCheck); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		b := c.ReadBatchWith(ReadBatchConfig{MinBytes: 1, MaxBytes: 1 << 20, IsolationLevel: level, MaxWait: 100 * time.Millisecond})
		n := 0
		for {
			m, err := b.ReadMessage()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(m.Value))
			n++
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return got
		}
	}
}

// Two producers interleave an aborted and a committed transaction between
// plain writes, then a third leaves one open: read_committed sees the plain
// and committed records only, never a control record, and stops at the
// open transaction (the last stable offset) without stalling; once that
// commits, its records appear.
func TestReadCommittedTransactions(t *testing.T) {
	topic := createTopic(t, 1)
	c := dialLeader(t, topic)
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	write := func(v string) {
		if _, err := c.WriteMessages(Message{Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	a := newRawTxn(t, topic+"-a", topic)
	b := newRawTxn(t, topic+"-b", topic)
	write("p1")
	a.produce("a1")
	b.produce("c1")
	a.produce("a2", "a3")
	b.produce("c2")
	a.end(false)
	b.end(true)
	write("p2")

	// EndTxn returns once the coordinator has decided; the markers reach
	// the partition a moment later, and until then the last stable offset
	// stays at the first open transaction.
	awaitCommitted(t, c, "p1,c1,c2,p2")
	uncommitted := strings.Join(readValues(t, c, ReadUncommitted), ",")
	if uncommitted != "p1,a1,c1,a2,a3,c2,p2" {
		t.Fatalf("read_uncommitted: %s", uncommitted)
	}

	open := newRawTxn(t, topic+"-open", topic)
	open.produce("o1")
	write("p3")
	if got := strings.Join(readValues(t, c, ReadCommitted), ","); got != "p1,c1,c2,p2" {
		t.Fatalf("read_committed with an open transaction: %s", got)
	}
	if got := strings.Join(readValues(t, c, ReadUncommitted), ","); got != "p1,a1,c1,a2,a3,c2,p2,o1,p3" {
		t.Fatalf("read_uncommitted with an open transaction: %s", got)
	}
	open.end(true)
	awaitCommitted(t, c, "p1,c1,c2,p2,o1,p3")
}

// awaitCommitted reads the partition with read_committed until it holds
// exactly want (comma-separated values), which must happen within 30
// seconds. Each read must be a prefix of want: read_committed never shows
// an aborted record, nor a committed one before an earlier open one.
func awaitCommitted(t *testing.T, c *Conn, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := strings.Join(readValues(t, c, ReadCommitted), ",")
		if got == want {
			return
		}
		if !strings.HasPrefix(want, got) || time.Now().After(deadline) {
			t.Fatalf("read_committed: %q, want %q", got, want)
		}
		time.Sleep(20 * time.Millisecond) // the markers give nothing to wait on
	}
}
