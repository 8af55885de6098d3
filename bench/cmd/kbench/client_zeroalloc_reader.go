package main

import (
	"context"

	kafka "github.com/zeroalloc/kafka"
)

func init() { clients["zeroalloc"].newConsumer = newZWConsumer }

type zwConsumer struct {
	r *kafka.Reader
	m kafka.Message // reused: ReadInto appends into its capacity
}

func newZWConsumer(_ context.Context, c *config) (consumer, error) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   c.Brokers,
		Topic:     c.Topic,
		Partition: 0,
		MinBytes:  1,
		MaxBytes:  fetchMaxBytes,
		MaxWait:   fetchMaxWait,
	})
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		r.Close()
		return nil, err
	}
	return &zwConsumer{r: r}, nil
}

// poll reads one message into the reused Message with ReadInto, the
// Reader's zero-allocation read.
func (k *zwConsumer) poll(ctx context.Context, fn func(int64, []byte)) error {
	if err := k.r.ReadInto(ctx, &k.m); err != nil {
		return err
	}
	fn(k.m.Offset, k.m.Value)
	return nil
}

func (k *zwConsumer) close() error { return k.r.Close() }
