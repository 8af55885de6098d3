package main

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// franz-go: kgo.Client with Produce and a promise per record (its
// documented async path), ProduceSync for latency, and a client consuming
// every partition directly (ConsumePartitions, no group) with PollFetches.
func init() {
	register(&client{
		name:            "franz-go",
		order:           4,
		newProducer:     newFranzProducer,
		newSyncProducer: newFranzSync,
		newConsumer:     newFranzConsumer,
		settings: func(c *config) string {
			return fmt.Sprintf("RequiredAcks(%s), DisableIdempotentWrite(), ProducerBatchCompression(%s), ProducerBatchMaxBytes(%d), ProducerLinger(%v) (produce, e2e; 0 for latency), MaxBufferedRecords default (50000), no per-batch message cap (franz-go has none); ConsumePartitions(%s at start), FetchMinBytes(1), FetchMaxPartitionBytes(%d), FetchMaxWait(%v)",
				franzAcksName(c), c.Codec, batchBytes, linger, partitionList(c), fetchMaxBytes, fetchMaxWait)
		},
	})
}

func franzAcksName(c *config) string {
	if c.Acks == "all" {
		return "AllISRAcks()"
	}
	return "LeaderAck()"
}

func franzProducerOpts(c *config, lingerFor bool) []kgo.Opt {
	acks := kgo.LeaderAck()
	if c.Acks == "all" {
		acks = kgo.AllISRAcks()
	}
	codec := kgo.NoCompression()
	switch c.Codec {
	case "lz4":
		codec = kgo.Lz4Compression()
	case "zstd":
		codec = kgo.ZstdCompression()
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.DefaultProduceTopic(c.Topic),
		kgo.RequiredAcks(acks),
		kgo.DisableIdempotentWrite(),
		kgo.ProducerBatchCompression(codec),
		kgo.ProducerBatchMaxBytes(batchBytes),
	}
	// franz-go's default linger is 10ms; latency wants none.
	if lingerFor {
		opts = append(opts, kgo.ProducerLinger(linger))
	} else {
		opts = append(opts, kgo.ProducerLinger(0))
	}
	return opts
}

type franzProducer struct {
	cl *kgo.Client
	tally
	promise func(*kgo.Record, error)
}

func newFranzProducer(_ context.Context, c *config) (producer, error) {
	sec, err := franzSecurity(c)
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(append(franzProducerOpts(c, true), sec...)...)
	if err != nil {
		return nil, err
	}
	p := &franzProducer{cl: cl}
	p.promise = func(_ *kgo.Record, err error) { p.done(1, err) }
	return p, nil
}

func (p *franzProducer) send(ctx context.Context, value []byte) error {
	p.sent++
	p.cl.Produce(ctx, &kgo.Record{Value: value}, p.promise)
	return nil
}

func (p *franzProducer) flush(ctx context.Context) error {
	if err := p.cl.Flush(ctx); err != nil {
		return err
	}
	return p.await(ctx)
}

func (p *franzProducer) close() error { p.cl.Close(); return nil }

type franzSync struct{ cl *kgo.Client }

func newFranzSync(_ context.Context, c *config) (syncProducer, error) {
	sec, err := franzSecurity(c)
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(append(franzProducerOpts(c, false), sec...)...)
	if err != nil {
		return nil, err
	}
	return &franzSync{cl: cl}, nil
}

func (p *franzSync) sendSync(ctx context.Context, value []byte) error {
	return p.cl.ProduceSync(ctx, &kgo.Record{Value: value}).FirstErr()
}

func (p *franzSync) close() error { p.cl.Close(); return nil }

type franzConsumer struct{ cl *kgo.Client }

func newFranzConsumer(_ context.Context, c *config) (consumer, error) {
	parts := map[int32]kgo.Offset{}
	for p := range int32(c.Partitions) {
		parts[p] = kgo.NewOffset().AtStart()
	}
	sec, err := franzSecurity(c)
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{c.Topic: parts}),
		kgo.FetchMinBytes(1),
		kgo.FetchMaxPartitionBytes(fetchMaxBytes),
		kgo.FetchMaxWait(fetchMaxWait),
	}, sec...)...)
	if err != nil {
		return nil, err
	}
	return &franzConsumer{cl: cl}, nil
}

func (k *franzConsumer) poll(ctx context.Context, fn msgFunc) error {
	fs := k.cl.PollFetches(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	var ferr error
	fs.EachError(func(_ string, _ int32, err error) {
		if ferr == nil {
			ferr = err
		}
	})
	if ferr != nil {
		return ferr
	}
	fs.EachRecord(func(r *kgo.Record) { fn(r.Partition, r.Offset, r.Value) })
	return nil
}

func (k *franzConsumer) close() error { k.cl.Close(); return nil }
