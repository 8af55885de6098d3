package producer

import (
	"context"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// testProducer returns an idempotent Producer (acks all) on the test
// cluster, every connection through via unless it is empty, its Config
// changed by each of opts; the caller closes it.
func testProducer(t testing.TB, via string, opts ...func(*Config[struct{}])) *Producer[struct{}] {
	bootstrap := kafkatest.Brokers(t)
	if via != "" {
		bootstrap = []string{via}
	}
	cfg := Config[struct{}]{
		Bootstrap: bootstrap,
		Dial: func(ctx context.Context, addr string) (*broker.Conn, error) {
			if via != "" {
				addr = via
			}
			c, err := broker.Dial(ctx, addr, "producer-test")
			if err == nil {
				_ = c.NetConn().SetDeadline(time.Now().Add(10 * time.Second))
				if err = c.Negotiate(); err != nil {
					c.Close()
					c = nil
				}
			}
			return c, err
		},
		Acks: -1, Idempotent: true,
		BatchSize: 100, BatchBytes: 1 << 20, Linger: time.Millisecond,
		MaxInFlight: 5, MaxAttempts: 10,
		BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
		AutoCreate: true, BufferBytes: 1 << 22, MetadataTTL: time.Minute,
	}
	for _, o := range opts {
		o(&cfg)
	}
	return New(cfg)
}

// writeSync writes v to partition i (in the order Topic lists them) of
// topic and waits for it, as the Writer's synchronous WriteMessages does.
func writeSync(ctx context.Context, p *Producer[struct{}], topic string, i int, v string) error {
	parts, _, err := p.Topic(ctx, topic)
	if err != nil {
		return err
	}
	call, err := startSync(ctx, p, parts[i], v)
	if err != nil {
		return err
	}
	call.ReadOwn(ctx)
	call.Wait(ctx)
	if call.Errs != nil {
		err = call.Errs[0]
	}
	p.Free(call)
	return err
}

// startSync appends v to part as a synchronous call of one record and
// wakes its sink, as WriteMessages does before it reads its answer
// (Call.ReadOwn) and waits.
func startSync(ctx context.Context, p *Producer[struct{}], part *Partition[struct{}], v string) (*Call[struct{}], error) {
	value := []byte(v)
	size := RecordSize(nil, value, nil)
	if err := p.Acquire(ctx, size); err != nil {
		return nil, err
	}
	if err := p.BeginAccept(); err != nil {
		return nil, err
	}
	call := p.NewCall(1)
	call.Add()
	sk := p.Append(part, p.NowMilli(), nil, value, nil, size, Ref[struct{}]{C: call}, nil)
	p.EndAccept()
	sk.Wake(call)
	return call, nil
}

// ownReads returns how many answers callers have read themselves on the
// sinks' current connections.
func ownReads(p *Producer[struct{}]) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.sinks {
		s.mu.Lock()
		if c := s.conn; c != nil {
			n += int(c.owns.Load())
		}
		s.mu.Unlock()
	}
	return n
}
