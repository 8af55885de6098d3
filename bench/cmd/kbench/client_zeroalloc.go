package main

import (
	"context"
	"fmt"

	kafka "github.com/zeroalloc/kafka"
)

// zeroalloc: this module's Writer and Reader, which have kafka-go's API, used
// exactly as the kafka-go worker uses kafka-go's (this file is that one
// with the import changed), except that the Reader reads with ReadInto.
//
// The consumer is in client_zeroalloc_reader.go: it reads with the
// Reader's zero-allocation ReadInto into one reused Message.
func init() {
	register(&client{
		name:            "zeroalloc",
		order:           0,
		newProducer:     newZWProducer,
		newSyncProducer: newZWSync,
		settings: func(c *config) string {
			return fmt.Sprintf("Writer{Balancer: RoundRobin, BatchSize: %d, BatchBytes: %d, BatchTimeout: %v, RequiredAcks: %d, Compression: %s, Async: true (produce, e2e) | BatchSize: 1, Async: false (latency)}; DisableIdempotence: true (matched: no client is idempotent here); %s",
				batchMessages, batchBytes, linger, c.acks(), c.Codec, perPartitionText(c, fmt.Sprintf("NewReader(ReaderConfig{Partition: p, MinBytes: 1, MaxBytes: %d, MaxWait: %v}) + ReadInto(&m)", fetchMaxBytes, fetchMaxWait)))
		},
	})
}

// zwAcks maps Kafka's acks numbers to the Writer's constants (whose zero
// value means all).
func zwAcks(n int) kafka.RequiredAcks {
	switch n {
	case 0:
		return kafka.RequireNone
	case 1:
		return kafka.RequireOne
	}
	return kafka.RequireAll
}

func zwCompression(name string) kafka.Compression {
	switch name {
	case "lz4":
		return kafka.Lz4
	case "zstd":
		return kafka.Zstd
	}
	return 0
}

type zwProducer struct {
	w *kafka.Writer
	tally
}

func newZWriter(c *config) (*kafka.Writer, error) {
	tr, err := zTransport(c)
	if err != nil {
		return nil, err
	}
	w := &kafka.Writer{
		Addr:         kafka.TCP(c.Brokers...),
		Topic:        c.Topic,
		Balancer:     &kafka.RoundRobin{},
		BatchSize:    batchMessages,
		BatchBytes:   batchBytes,
		BatchTimeout: linger,
		RequiredAcks: zwAcks(c.acks()),
		Compression:  zwCompression(c.Codec),
		// Matched settings: no client runs idempotent here.
		DisableIdempotence: true,
	}
	if tr != nil {
		w.Transport = tr
	}
	return w, nil
}

func newZWProducer(_ context.Context, c *config) (producer, error) {
	w, err := newZWriter(c)
	if err != nil {
		return nil, err
	}
	p := &zwProducer{w: w}
	p.w.Async = true
	p.w.Completion = func(msgs []kafka.Message, err error) { p.done(int64(len(msgs)), err) }
	return p, nil
}

func (p *zwProducer) send(ctx context.Context, value []byte) error {
	p.sent++
	return p.w.WriteMessages(ctx, kafka.Message{Value: value})
}

// flush waits for the acknowledgements. kafka-go's Writer has no Flush
// (Close is the call that writes what is pending and waits); with Async
// it writes a partial batch after BatchTimeout, so flush waits until
// Completion has reported every message sent.
func (p *zwProducer) flush(ctx context.Context) error {
	return p.await(ctx)
}

func (p *zwProducer) close() error { return p.w.Close() }

type zwSync struct{ w *kafka.Writer }

func newZWSync(_ context.Context, c *config) (syncProducer, error) {
	w, err := newZWriter(c)
	if err != nil {
		return nil, err
	}
	w.BatchSize = 1 // a batch is full, hence sent, at once
	return &zwSync{w: w}, nil
}

func (p *zwSync) sendSync(ctx context.Context, value []byte) error {
	return p.w.WriteMessages(ctx, kafka.Message{Value: value})
}

func (p *zwSync) close() error { return p.w.Close() }
