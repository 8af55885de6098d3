package main

import (
	"context"

	kafka "github.com/zeroalloc/kafka"
)

func init() { clients["zeroalloc"].newConsumer = newZWConsumer }

// zwConsumer reads one partition. Without a group a Reader reads one
// partition (ReaderConfig.Partition), so a topic of several is read by a
// Reader per partition (readAll).
type zwConsumer struct {
	r *kafka.Reader
	m kafka.Message // reused: ReadInto appends into its capacity
}

func newZWConsumer(_ context.Context, c *config) (consumer, error) {
	d, err := zDialer(c)
	if err != nil {
		return nil, err
	}
	return openAll(c, func(p int) (consumer, error) {
		r := kafka.NewReader(kafka.ReaderConfig{
			Dialer:    d,
			Brokers:   c.Brokers,
			Topic:     c.Topic,
			Partition: p,
			MinBytes:  1,
			MaxBytes:  fetchMaxBytes,
			MaxWait:   fetchMaxWait,
		})
		if err := r.SetOffset(kafka.FirstOffset); err != nil {
			r.Close()
			return nil, err
		}
		return &zwConsumer{r: r}, nil
	}, nil)
}

// poll reads one message into the reused Message with ReadInto, the
// Reader's zero-allocation read.
func (k *zwConsumer) poll(ctx context.Context, fn msgFunc) error {
	if err := k.r.ReadInto(ctx, &k.m); err != nil {
		return err
	}
	fn(int32(k.m.Partition), k.m.Offset, k.m.Value)
	return nil
}

func (k *zwConsumer) close() error { return k.r.Close() }
