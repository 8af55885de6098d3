package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	kafka "github.com/zeroalloc/kafka"
)

// zeroalloc-conn: this module's low-level Conn, the way its README shows:
// a Conn to each partition's leader, WriteMessages of whole batches
// (synchronous, one request in flight) to the partitions in turn, ReadBatch
// with Batch.ReadInto into one reused Message per partition.
func init() {
	register(&client{
		name:            "zeroalloc-conn",
		order:           1,
		newProducer:     newZConnProducer,
		newSyncProducer: newZConnSync,
		newConsumer:     newZConnConsumer,
		settings: func(c *config) string {
			return fmt.Sprintf("kafka.DialLeader, %s; Conn.SetRequiredAcks(%d); WriteCompressedMessages(%s) of %d messages per call (one request in flight), a partial batch written after %v idle in e2e; ReadBatchWith{MinBytes: 1, MaxBytes: %d, MaxWait: %v} + Batch.ReadInto(&m), %s",
				connPartitionsText(c), c.acks(), c.Codec, connBatch(c.Size), linger, fetchMaxBytes, fetchMaxWait, perPartitionText(c, "a Conn"))
		},
	})
}

// connBatch is how many messages a Conn client writes per request: the
// shared batch limits, with room for record overhead so that an
// uncompressed batch stays under the broker's message.max.bytes.
func connBatch(size int) int {
	return max(1, min(batchMessages, batchBytes/(size+32)))
}

func zCodec(name string) kafka.CompressionCodec {
	switch name {
	case "lz4":
		return kafka.Lz4.Codec()
	case "zstd":
		return kafka.Zstd.Codec()
	}
	return nil
}

// connPartitionsText says how the Conn clients write c's partitions.
func connPartitionsText(c *config) string {
	if c.Partitions == 1 {
		return "partition 0"
	}
	return fmt.Sprintf("one Conn per partition 0..%d, each batch (each message in latency) written to the next partition in turn", c.Partitions-1)
}

// perPartitionText says how a client that reads one partition per
// consumer reads c's partitions (see readAll).
func perPartitionText(c *config, consumer string) string {
	if c.Partitions == 1 {
		return consumer + " for partition 0"
	}
	return fmt.Sprintf("%s for each of partitions 0..%d, each polled by a goroutine of its own that hands its messages to the benchmark under one shared mutex", consumer, c.Partitions-1)
}

// partitionList names c's partitions: "p0" or "p0..p2".
func partitionList(c *config) string {
	if c.Partitions == 1 {
		return "p0"
	}
	return fmt.Sprintf("p0..p%d", c.Partitions-1)
}

// dialZ returns a Conn to the leader of each of c's partitions.
func dialZ(ctx context.Context, c *config) ([]*kafka.Conn, error) {
	d, err := zDialer(c)
	if err != nil {
		return nil, err
	}
	return dialLeaders(c, func(p int) (*kafka.Conn, error) {
		return d.DialLeader(ctx, "tcp", c.Brokers[0], c.Topic, p)
	})
}

// leaderConn is a Conn of this module or of kafka-go.
type leaderConn interface {
	SetRequiredAcks(n int) error
	Close() error
}

// dialLeaders returns dial(p) for each of c's partitions p, set to c's
// acks. If one fails, those dialled are closed.
func dialLeaders[C leaderConn](c *config, dial func(p int) (C, error)) ([]C, error) {
	conns := make([]C, 0, c.Partitions)
	for p := range c.Partitions {
		conn, err := dial(p)
		if err == nil {
			if err = conn.SetRequiredAcks(c.acks()); err != nil {
				conn.Close()
			}
		}
		if err != nil {
			closeAll(conns)
			return nil, err
		}
		conns = append(conns, conn)
	}
	return conns, nil
}

// closeAll closes conns and returns the first error.
func closeAll[C interface{ Close() error }](conns []C) error {
	var first error
	for _, c := range conns {
		if err := c.Close(); first == nil {
			first = err
		}
	}
	return first
}

type zConnProducer struct {
	conns    []*kafka.Conn // one per partition
	next     int           // the partition of the next batch
	codec    kafka.CompressionCodec
	batch    []kafka.Message
	first    time.Time // when the open batch got its first message
	ok, fail int64
}

func newZConnProducer(ctx context.Context, c *config) (producer, error) {
	conns, err := dialZ(ctx, c)
	if err != nil {
		return nil, err
	}
	return &zConnProducer{conns: conns, codec: zCodec(c.Codec), batch: make([]kafka.Message, 0, connBatch(c.Size))}, nil
}

func (p *zConnProducer) send(ctx context.Context, value []byte) error {
	if len(p.batch) == 0 {
		p.first = time.Now()
	}
	p.batch = append(p.batch, kafka.Message{Value: value})
	if len(p.batch) == cap(p.batch) {
		return p.write(ctx)
	}
	return nil
}

func (p *zConnProducer) write(ctx context.Context) error {
	if len(p.batch) == 0 {
		return nil
	}
	conn := p.conns[p.next]
	p.next = (p.next + 1) % len(p.conns)
	err := retrying(ctx, zTemporary, func() error {
		setDeadline(ctx, conn.SetDeadline)
		_, err := conn.WriteCompressedMessages(p.codec, p.batch...)
		return err
	})
	if err != nil {
		p.fail += int64(len(p.batch))
	} else {
		p.ok += int64(len(p.batch))
	}
	clear(p.batch)
	p.batch = p.batch[:0]
	return err
}

func (p *zConnProducer) lingerFlush(ctx context.Context) error {
	if len(p.batch) > 0 && time.Since(p.first) >= linger {
		return p.write(ctx)
	}
	return nil
}

func (p *zConnProducer) flush(ctx context.Context) error { return p.write(ctx) }
func (p *zConnProducer) delivered() (int64, int64)       { return p.ok, p.fail }
func (p *zConnProducer) close() error                    { return closeAll(p.conns) }

type zConnSync struct {
	conns []*kafka.Conn // one per partition
	next  int           // the partition of the next message
	msg   [1]kafka.Message
}

func newZConnSync(ctx context.Context, c *config) (syncProducer, error) {
	conns, err := dialZ(ctx, c)
	if err != nil {
		return nil, err
	}
	return &zConnSync{conns: conns}, nil
}

func (p *zConnSync) sendSync(ctx context.Context, value []byte) error {
	p.msg[0].Value = value
	conn := p.conns[p.next]
	p.next = (p.next + 1) % len(p.conns)
	return retrying(ctx, zTemporary, func() error {
		setDeadline(ctx, conn.SetDeadline)
		_, err := conn.WriteMessages(p.msg[:]...)
		return err
	})
}

func (p *zConnSync) close() error { return closeAll(p.conns) }

// zConnConsumer reads one partition.
type zConnConsumer struct {
	conn *kafka.Conn
	part int32
	m    kafka.Message
}

func newZConnConsumer(ctx context.Context, c *config) (consumer, error) {
	d, err := zDialer(c)
	if err != nil {
		return nil, err
	}
	return openAll(c, func(p int) (consumer, error) {
		conn, err := d.DialLeader(ctx, "tcp", c.Brokers[0], c.Topic, p)
		if err != nil {
			return nil, err
		}
		if _, err := conn.Seek(0, kafka.SeekStart); err != nil {
			conn.Close()
			return nil, err
		}
		return &zConnConsumer{conn: conn, part: int32(p)}, nil
	}, nil)
}

func (k *zConnConsumer) poll(ctx context.Context, fn msgFunc) error {
	setDeadline(ctx, k.conn.SetDeadline)
	b := k.conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: fetchMaxBytes, MaxWait: fetchMaxWait})
	for b.ReadInto(&k.m) == nil {
		fn(k.part, k.m.Offset, k.m.Value)
	}
	err := b.Close()
	if zTemporary(err) {
		// The next poll fetches again from the same offset.
		time.Sleep(100 * time.Millisecond)
		return nil
	}
	return err
}

func (k *zConnConsumer) close() error { return k.conn.Close() }

// retryFor bounds how long a Conn worker retries a write that the broker
// refused with a retriable error (a leader election, or a broker fenced for
// a moment by an overloaded controller, which a busy 2-core machine sees).
// The Conn writes a batch all or nothing, so a refused batch was not
// written and writing it again neither loses nor duplicates; the
// high-level clients retry the same way inside.
const retryFor = 20 * time.Second

// retrying runs op until it succeeds, fails with an error that temporary
// does not accept, or retryFor has passed.
func retrying(ctx context.Context, temporary func(error) bool, op func() error) error {
	deadline := time.Now().Add(retryFor)
	for {
		err := op()
		if err == nil || !temporary(err) || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond) // the broker offers nothing to wait on
	}
}

// zTemporary reports whether err is a retriable Kafka error code.
func zTemporary(err error) bool {
	var ke kafka.Error
	return errors.As(err, &ke) && ke.Temporary()
}

// connDeadline bounds one Conn exchange of a worker.
const connDeadline = 30 * time.Second

// setDeadline sets a Conn deadline for the next exchange: connDeadline
// from now, or ctx's deadline if sooner.
func setDeadline(ctx context.Context, set func(time.Time) error) {
	dl := time.Now().Add(connDeadline)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	set(dl)
}
