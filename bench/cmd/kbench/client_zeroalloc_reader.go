//go:build zeroalloc_reader

package main

import (
	"context"

	kafka "github.com/zeroalloc/kafka"
)

func init() { clients["zeroalloc"].newConsumer = newZWConsumer }

type zwConsumer struct{ r *kafka.Reader }

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

// poll reads one message: the Reader hands out one at a time, its
// prefetching hidden behind FetchMessage.
func (k *zwConsumer) poll(ctx context.Context, fn func(int64, []byte)) error {
	m, err := k.r.FetchMessage(ctx)
	if err != nil {
		return err
	}
	fn(m.Offset, m.Value)
	return nil
}

func (k *zwConsumer) close() error { return k.r.Close() }
