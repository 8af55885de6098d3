package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// kafka-go-conn: segmentio/kafka-go's low-level Conn used exactly as
// zeroalloc-conn uses ours, except that kafka-go's Batch has no ReadInto:
// it reads with Batch.ReadMessage, its allocating call.
func init() {
	register(&client{
		name:            "kafka-go-conn",
		order:           3,
		newProducer:     newKGConnProducer,
		newSyncProducer: newKGConnSync,
		newConsumer:     newKGConnConsumer,
		settings: func(c *config) string {
			return fmt.Sprintf("kafka-go DialLeader, %s; Conn.SetRequiredAcks(%d); WriteCompressedMessages(%s) of %d messages per call (one request in flight), a partial batch written after %v idle in e2e; ReadBatchWith{MinBytes: 1, MaxBytes: %d, MaxWait: %v} + Batch.ReadMessage(), %s",
				connPartitionsText(c), c.acks(), c.Codec, connBatch(c.Size), linger, fetchMaxBytes, fetchMaxWait, perPartitionText(c, "a Conn"))
		},
	})
}

func kgCodec(name string) kafkago.CompressionCodec {
	switch name {
	case "lz4":
		return kafkago.Lz4.Codec()
	case "zstd":
		return kafkago.Zstd.Codec()
	}
	return nil
}

// kgTemporary reports whether err is a retriable Kafka error code.
func kgTemporary(err error) bool {
	var ke kafkago.Error
	return errors.As(err, &ke) && ke.Temporary()
}

// dialKG returns a Conn to the leader of each of c's partitions.
func dialKG(ctx context.Context, c *config) ([]*kafkago.Conn, error) {
	d, err := kgDialer(c)
	if err != nil {
		return nil, err
	}
	return dialLeaders(c, func(p int) (*kafkago.Conn, error) {
		return d.DialLeader(ctx, "tcp", c.Brokers[0], c.Topic, p)
	})
}

type kgConnProducer struct {
	conns    []*kafkago.Conn // one per partition
	next     int             // the partition of the next batch
	codec    kafkago.CompressionCodec
	batch    []kafkago.Message
	first    time.Time // when the open batch got its first message
	ok, fail int64
}

func newKGConnProducer(ctx context.Context, c *config) (producer, error) {
	conns, err := dialKG(ctx, c)
	if err != nil {
		return nil, err
	}
	return &kgConnProducer{conns: conns, codec: kgCodec(c.Codec), batch: make([]kafkago.Message, 0, connBatch(c.Size))}, nil
}

func (p *kgConnProducer) send(ctx context.Context, value []byte) error {
	if len(p.batch) == 0 {
		p.first = time.Now()
	}
	p.batch = append(p.batch, kafkago.Message{Value: value})
	if len(p.batch) == cap(p.batch) {
		return p.write(ctx)
	}
	return nil
}

func (p *kgConnProducer) write(ctx context.Context) error {
	if len(p.batch) == 0 {
		return nil
	}
	conn := p.conns[p.next]
	p.next = (p.next + 1) % len(p.conns)
	err := retrying(ctx, kgTemporary, func() error {
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

func (p *kgConnProducer) lingerFlush(ctx context.Context) error {
	if len(p.batch) > 0 && time.Since(p.first) >= linger {
		return p.write(ctx)
	}
	return nil
}

func (p *kgConnProducer) flush(ctx context.Context) error { return p.write(ctx) }
func (p *kgConnProducer) delivered() (int64, int64)       { return p.ok, p.fail }
func (p *kgConnProducer) close() error                    { return closeAll(p.conns) }

type kgConnSync struct {
	conns []*kafkago.Conn // one per partition
	next  int             // the partition of the next message
	msg   [1]kafkago.Message
}

func newKGConnSync(ctx context.Context, c *config) (syncProducer, error) {
	conns, err := dialKG(ctx, c)
	if err != nil {
		return nil, err
	}
	return &kgConnSync{conns: conns}, nil
}

func (p *kgConnSync) sendSync(ctx context.Context, value []byte) error {
	p.msg[0].Value = value
	conn := p.conns[p.next]
	p.next = (p.next + 1) % len(p.conns)
	return retrying(ctx, kgTemporary, func() error {
		setDeadline(ctx, conn.SetDeadline)
		_, err := conn.WriteMessages(p.msg[:]...)
		return err
	})
}

func (p *kgConnSync) close() error { return closeAll(p.conns) }

// kgConnConsumer reads one partition.
type kgConnConsumer struct {
	conn *kafkago.Conn
	part int32
}

func newKGConnConsumer(ctx context.Context, c *config) (consumer, error) {
	d, err := kgDialer(c)
	if err != nil {
		return nil, err
	}
	return openAll(c, func(p int) (consumer, error) {
		conn, err := d.DialLeader(ctx, "tcp", c.Brokers[0], c.Topic, p)
		if err != nil {
			return nil, err
		}
		if _, err := conn.Seek(0, kafkago.SeekStart); err != nil {
			conn.Close()
			return nil, err
		}
		return &kgConnConsumer{conn: conn, part: int32(p)}, nil
	}, nil)
}

func (k *kgConnConsumer) poll(ctx context.Context, fn msgFunc) error {
	setDeadline(ctx, k.conn.SetDeadline)
	b := k.conn.ReadBatchWith(kafkago.ReadBatchConfig{MinBytes: 1, MaxBytes: fetchMaxBytes, MaxWait: fetchMaxWait})
	for {
		m, err := b.ReadMessage()
		if err != nil {
			break
		}
		fn(k.part, m.Offset, m.Value)
	}
	// Close returns the error that ended the reads, io.EOF excepted.
	err := b.Close()
	if kgTemporary(err) {
		// The next poll fetches again from the same offset.
		time.Sleep(100 * time.Millisecond)
		return nil
	}
	return err
}

func (k *kgConnConsumer) close() error { return k.conn.Close() }
