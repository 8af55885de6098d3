package main

import (
	"context"
	"fmt"

	kafkago "github.com/segmentio/kafka-go"
)

// kafka-go: segmentio/kafka-go's Writer and Reader as its README shows them
// for throughput: an Async Writer reporting through Completion, one
// message per WriteMessages call, and a Reader per partition.
func init() {
	register(&client{
		name:            "kafka-go",
		order:           2,
		newProducer:     newKGProducer,
		newSyncProducer: newKGSync,
		newConsumer:     newKGConsumer,
		settings: func(c *config) string {
			return fmt.Sprintf("Writer{Balancer: RoundRobin, BatchSize: %d, BatchBytes: %d, BatchTimeout: %v, RequiredAcks: %d, Compression: %s, Async: true (produce, e2e) | BatchSize: 1, Async: false (latency)}; no idempotence (kafka-go has none); %s",
				batchMessages, batchBytes, linger, c.acks(), c.Codec, perPartitionText(c, fmt.Sprintf("NewReader(ReaderConfig{Partition: p, MinBytes: 1, MaxBytes: %d, MaxWait: %v}) + ReadMessage", fetchMaxBytes, fetchMaxWait)))
		},
	})
}

func kgCompression(name string) kafkago.Compression {
	switch name {
	case "lz4":
		return kafkago.Lz4
	case "zstd":
		return kafkago.Zstd
	}
	return 0
}

type kgProducer struct {
	w *kafkago.Writer
	tally
}

func newKGWriter(c *config) (*kafkago.Writer, error) {
	tr, err := kgTransport(c)
	if err != nil {
		return nil, err
	}
	w := &kafkago.Writer{
		Addr:         kafkago.TCP(c.Brokers...),
		Topic:        c.Topic,
		Balancer:     &kafkago.RoundRobin{},
		BatchSize:    batchMessages,
		BatchBytes:   batchBytes,
		BatchTimeout: linger,
		RequiredAcks: kafkago.RequiredAcks(c.acks()),
		Compression:  kgCompression(c.Codec),
	}
	if tr != nil {
		w.Transport = tr
	}
	return w, nil
}

func newKGProducer(_ context.Context, c *config) (producer, error) {
	w, err := newKGWriter(c)
	if err != nil {
		return nil, err
	}
	p := &kgProducer{w: w}
	p.w.Async = true
	p.w.Completion = func(msgs []kafkago.Message, err error) { p.done(int64(len(msgs)), err) }
	return p, nil
}

func (p *kgProducer) send(ctx context.Context, value []byte) error {
	p.sent++
	return p.w.WriteMessages(ctx, kafkago.Message{Value: value})
}

// flush waits for the acknowledgements. kafka-go's Writer has no Flush
// (Close is the call that writes what is pending and waits); with Async
// it writes a partial batch after BatchTimeout, so flush waits until
// Completion has reported every message sent.
func (p *kgProducer) flush(ctx context.Context) error {
	return p.await(ctx)
}

func (p *kgProducer) close() error { return p.w.Close() }

type kgSync struct{ w *kafkago.Writer }

func newKGSync(_ context.Context, c *config) (syncProducer, error) {
	w, err := newKGWriter(c)
	if err != nil {
		return nil, err
	}
	w.BatchSize = 1 // a batch is full, hence sent, at once
	return &kgSync{w: w}, nil
}

func (p *kgSync) sendSync(ctx context.Context, value []byte) error {
	return p.w.WriteMessages(ctx, kafkago.Message{Value: value})
}

func (p *kgSync) close() error { return p.w.Close() }

// kgConsumer reads one partition: without a group kafka-go's Reader reads
// ReaderConfig.Partition, so a topic of several is read by a Reader per
// partition (readAll).
type kgConsumer struct{ r *kafkago.Reader }

func newKGConsumer(_ context.Context, c *config) (consumer, error) {
	d, err := kgDialer(c)
	if err != nil {
		return nil, err
	}
	return openAll(c, func(p int) (consumer, error) {
		r := kafkago.NewReader(kafkago.ReaderConfig{
			Dialer:    d,
			Brokers:   c.Brokers,
			Topic:     c.Topic,
			Partition: p,
			MinBytes:  1,
			MaxBytes:  fetchMaxBytes,
			MaxWait:   fetchMaxWait,
		})
		if err := r.SetOffset(kafkago.FirstOffset); err != nil {
			r.Close()
			return nil, err
		}
		return &kgConsumer{r: r}, nil
	}, nil)
}

// poll reads one message: the Reader hands out one at a time, its
// prefetching hidden behind ReadMessage.
func (k *kgConsumer) poll(ctx context.Context, fn msgFunc) error {
	m, err := k.r.ReadMessage(ctx)
	if err != nil {
		return err
	}
	fn(int32(m.Partition), m.Offset, m.Value)
	return nil
}

func (k *kgConsumer) close() error { return k.r.Close() }
