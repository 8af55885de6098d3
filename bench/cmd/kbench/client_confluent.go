package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// confluent: confluent-kafka-go (cgo over its bundled librdkafka) with
// Produce and delivery reports read from the Events channel (its
// documented async path), a delivery channel per message for latency, and a
// consumer assigned every partition and read with Poll. CPU time counts
// librdkafka's threads, which run in the worker process; its C heap is not
// in the Go allocation figures.
func init() {
	register(&client{
		name:            "confluent",
		order:           6,
		newProducer:     newConfluentProducer,
		newSyncProducer: newConfluentSync,
		newConsumer:     newConfluentConsumer,
		settings: func(c *config) string {
			c2 := *c
			c2.Topic = "<topic>"
			c = &c2
			return fmt.Sprintf("librdkafka %s; producer %s (produce, e2e; linger.ms=0 for latency); consumer %s + Assign(%s at beginning) + Poll",
				confluentLibVersion(), confMapString(confluentProducerConf(c, true)), confMapString(confluentConsumerConf(c)), partitionList(c))
		},
	})
}

func confluentLibVersion() string {
	_, s := ckafka.LibraryVersion()
	return s
}

func confluentProducerConf(c *config, async bool) *ckafka.ConfigMap {
	cm := &ckafka.ConfigMap{
		"bootstrap.servers":  strings.Join(c.Brokers, ","),
		"client.id":          "kbench",
		"acks":               c.Acks,
		"compression.type":   c.Codec,
		"enable.idempotence": false,
		// Delivery reports carry no copy of key and value: the runner
		// only counts them.
		"go.delivery.report.fields": "none",
		"linger.ms":                 0,
	}
	if async {
		(*cm)["linger.ms"] = int(linger / time.Millisecond)
		(*cm)["batch.size"] = batchBytes
		(*cm)["batch.num.messages"] = batchMessages
	}
	confluentSecurity(c, func(k string, v any) { (*cm)[k] = v })
	return cm
}

func confluentConsumerConf(c *config) *ckafka.ConfigMap {
	cm := &ckafka.ConfigMap{
		"bootstrap.servers": strings.Join(c.Brokers, ","),
		"client.id":         "kbench",
		// librdkafka wants a group even for assigned partitions; nothing
		// is committed to it.
		"group.id":                  "kbench-" + c.Topic,
		"enable.auto.commit":        false,
		"auto.offset.reset":         "earliest",
		"fetch.min.bytes":           1,
		"fetch.wait.max.ms":         int(fetchMaxWait / time.Millisecond),
		"max.partition.fetch.bytes": fetchMaxBytes,
	}
	confluentSecurity(c, func(k string, v any) { (*cm)[k] = v })
	return cm
}

// confMapString prints a ConfigMap with sorted keys, bootstrap.servers
// sasl.password and ssl.ca.location (a local path) left out.
func confMapString(cm *ckafka.ConfigMap) string {
	var parts []string
	for k, v := range *cm {
		if k != "bootstrap.servers" && k != "sasl.password" && k != "ssl.ca.location" {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	slices.Sort(parts)
	return "{" + strings.Join(parts, ", ") + "}"
}

type confluentProducer struct {
	p *ckafka.Producer
	tally
	topic  string
	wg     sync.WaitGroup
	closed bool
}

func newConfluentProducer(_ context.Context, c *config) (producer, error) {
	pp, err := ckafka.NewProducer(confluentProducerConf(c, true))
	if err != nil {
		return nil, err
	}
	p := &confluentProducer{p: pp, topic: c.Topic}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for e := range pp.Events() {
			if m, ok := e.(*ckafka.Message); ok {
				p.done(1, m.TopicPartition.Error)
			}
		}
	}()
	return p, nil
}

func (p *confluentProducer) send(ctx context.Context, value []byte) error {
	p.sent++
	for {
		err := p.p.Produce(&ckafka.Message{
			TopicPartition: ckafka.TopicPartition{Topic: &p.topic, Partition: ckafka.PartitionAny},
			Value:          value,
		}, nil)
		var kerr ckafka.Error
		if err == nil || !errors.As(err, &kerr) || kerr.Code() != ckafka.ErrQueueFull {
			return err
		}
		// The local queue is full: let librdkafka send and report, as
		// its documentation advises, then retry.
		if err := ctx.Err(); err != nil {
			return err
		}
		p.p.Flush(1)
	}
}

func (p *confluentProducer) flush(ctx context.Context) error {
	for p.p.Flush(100) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return p.await(ctx)
}

func (p *confluentProducer) close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	p.p.Close() // closes the Events channel
	p.wg.Wait()
	return nil
}

type confluentSync struct {
	p      *ckafka.Producer
	topic  string
	report chan ckafka.Event
}

func newConfluentSync(_ context.Context, c *config) (syncProducer, error) {
	pp, err := ckafka.NewProducer(confluentProducerConf(c, false))
	if err != nil {
		return nil, err
	}
	return &confluentSync{p: pp, topic: c.Topic, report: make(chan ckafka.Event, 1)}, nil
}

func (p *confluentSync) sendSync(ctx context.Context, value []byte) error {
	err := p.p.Produce(&ckafka.Message{
		TopicPartition: ckafka.TopicPartition{Topic: &p.topic, Partition: ckafka.PartitionAny},
		Value:          value,
	}, p.report)
	if err != nil {
		return err
	}
	select {
	case e := <-p.report:
		if m, ok := e.(*ckafka.Message); ok {
			return m.TopicPartition.Error
		}
		return fmt.Errorf("confluent: unexpected delivery event %v", e)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *confluentSync) close() error {
	// Drain the default Events channel so Close does not wait on it.
	go func() {
		for range p.p.Events() {
		}
	}()
	p.p.Close()
	return nil
}

type confluentConsumer struct{ c *ckafka.Consumer }

func newConfluentConsumer(_ context.Context, c *config) (consumer, error) {
	cc, err := ckafka.NewConsumer(confluentConsumerConf(c))
	if err != nil {
		return nil, err
	}
	topic := c.Topic
	parts := make([]ckafka.TopicPartition, c.Partitions)
	for p := range parts {
		parts[p] = ckafka.TopicPartition{Topic: &topic, Partition: int32(p), Offset: ckafka.OffsetBeginning}
	}
	if err := cc.Assign(parts); err != nil {
		cc.Close()
		return nil, err
	}
	return &confluentConsumer{c: cc}, nil
}

// poll handles the events of one Poll: messages, and errors that are not
// the partition-EOF notice.
func (k *confluentConsumer) poll(ctx context.Context, fn msgFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch e := k.c.Poll(100).(type) {
	case *ckafka.Message:
		if e.TopicPartition.Error != nil {
			return e.TopicPartition.Error
		}
		fn(e.TopicPartition.Partition, int64(e.TopicPartition.Offset), e.Value)
	case ckafka.Error:
		if e.IsFatal() {
			return e
		}
	}
	return nil
}

func (k *confluentConsumer) close() error { return k.c.Close() }
