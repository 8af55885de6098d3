package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/IBM/sarama"
)

// sarama: IBM/sarama's AsyncProducer (Successes and Errors read by one
// goroutine each), SyncProducer for latency, and a PartitionConsumer per
// partition reading its Messages channel.
func init() {
	register(&client{
		name:            "sarama",
		order:           5,
		newProducer:     newSaramaProducer,
		newSyncProducer: newSaramaSync,
		newConsumer:     newSaramaConsumer,
		settings: func(c *config) string {
			return fmt.Sprintf("Version %s; Producer{RequiredAcks: %d, Compression: %s, Idempotent: false, Flush{Bytes: %d, Messages: %d, Frequency: %v} (produce, e2e; no flush settings for latency), MaxMessageBytes default (1000000), Return.Successes: true}, Net.MaxOpenRequests default (5); Fetch{Min: 1, Default: %d}, MaxWaitTime %v; one Consumer, %s",
				saramaVersion, c.acks(), c.Codec, batchBytes, batchMessages, linger, fetchMaxBytes, fetchMaxWait, perPartitionText(c, "ConsumePartition(p, OffsetOldest)"))
		},
	})
}

// saramaVersion is the protocol level sarama is told the broker has; 3.0
// is understood by every broker the test script runs (3.9 and 4.x).
var saramaVersion = sarama.V3_0_0_0

func saramaConfig(c *config) (*sarama.Config, error) {
	cfg := sarama.NewConfig()
	cfg.Version = saramaVersion
	cfg.ClientID = "kbench"
	cfg.Producer.RequiredAcks = sarama.RequiredAcks(c.acks())
	switch c.Codec {
	case "lz4":
		cfg.Producer.Compression = sarama.CompressionLZ4
	case "zstd":
		cfg.Producer.Compression = sarama.CompressionZSTD
	}
	cfg.Producer.Return.Successes = true
	cfg.Producer.Return.Errors = true
	cfg.Consumer.Fetch.Min = 1
	cfg.Consumer.Fetch.Default = fetchMaxBytes
	cfg.Consumer.MaxWaitTime = fetchMaxWait
	return cfg, saramaSecurity(c, cfg)
}

type saramaProducer struct {
	p sarama.AsyncProducer
	tally
	topic  string
	wg     sync.WaitGroup
	closed bool
}

func newSaramaProducer(_ context.Context, c *config) (producer, error) {
	cfg, err := saramaConfig(c)
	if err != nil {
		return nil, err
	}
	cfg.Producer.Flush.Bytes = batchBytes
	cfg.Producer.Flush.Messages = batchMessages
	cfg.Producer.Flush.Frequency = linger
	ap, err := sarama.NewAsyncProducer(c.Brokers, cfg)
	if err != nil {
		return nil, err
	}
	p := &saramaProducer{p: ap, topic: c.Topic}
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		for range ap.Successes() {
			p.done(1, nil)
		}
	}()
	go func() {
		defer p.wg.Done()
		for e := range ap.Errors() {
			p.done(1, e.Err)
		}
	}()
	return p, nil
}

func (p *saramaProducer) send(ctx context.Context, value []byte) error {
	p.sent++
	select {
	case p.p.Input() <- &sarama.ProducerMessage{Topic: p.topic, Value: sarama.ByteEncoder(value)}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *saramaProducer) flush(ctx context.Context) error { return p.await(ctx) }

func (p *saramaProducer) close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	p.p.AsyncClose()
	p.wg.Wait()
	return nil
}

type saramaSync struct {
	p     sarama.SyncProducer
	topic string
}

func newSaramaSync(_ context.Context, c *config) (syncProducer, error) {
	cfg, err := saramaConfig(c)
	if err != nil {
		return nil, err
	}
	sp, err := sarama.NewSyncProducer(c.Brokers, cfg)
	if err != nil {
		return nil, err
	}
	return &saramaSync{p: sp, topic: c.Topic}, nil
}

func (p *saramaSync) sendSync(_ context.Context, value []byte) error {
	_, _, err := p.p.SendMessage(&sarama.ProducerMessage{Topic: p.topic, Value: sarama.ByteEncoder(value)})
	return err
}

func (p *saramaSync) close() error { return p.p.Close() }

// saramaConsumer reads one partition: sarama reads a topic without a
// group through a PartitionConsumer per partition, each with channels of
// its own (readAll).
type saramaConsumer struct{ pc sarama.PartitionConsumer }

func newSaramaConsumer(_ context.Context, c *config) (consumer, error) {
	cfg, err := saramaConfig(c)
	if err != nil {
		return nil, err
	}
	sc, err := sarama.NewConsumer(c.Brokers, cfg)
	if err != nil {
		return nil, err
	}
	return openAll(c, func(p int) (consumer, error) {
		pc, err := sc.ConsumePartition(c.Topic, int32(p), sarama.OffsetOldest)
		if err != nil {
			return nil, err
		}
		return &saramaConsumer{pc: pc}, nil
	}, sc.Close)
}

// poll takes what the partition consumer has buffered, waiting for at
// least one message.
func (k *saramaConsumer) poll(ctx context.Context, fn msgFunc) error {
	select {
	case m := <-k.pc.Messages():
		fn(m.Partition, m.Offset, m.Value)
	case err := <-k.pc.Errors():
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
	for {
		select {
		case m := <-k.pc.Messages():
			fn(m.Partition, m.Offset, m.Value)
		default:
			return nil
		}
	}
}

func (k *saramaConsumer) close() error { return k.pc.Close() }
