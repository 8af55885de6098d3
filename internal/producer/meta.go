package producer

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// kickMeta asks the metadata manager for a refresh (and, when one is due,
// an epoch bump).
func (p *Producer[M]) kickMeta() {
	select {
	case p.metaKick <- struct{}{}:
	default:
	}
}

// metaLoop is the metadata manager: it refreshes the metadata of every
// topic in use when asked and every MetadataTTL (every 100 ms while a
// topic or partition waits for a leader), gets the producer id, bumps the
// epoch when asked to once nothing is in flight, and expires batches that
// waited unsent past the delivery timeout.
func (p *Producer[M]) metaLoop() {
	defer p.wg.Done()
	var conn *broker.Conn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	timer := time.NewTimer(0)
	defer timer.Stop()
	fails := 0
	var next time.Time // of the next refresh
	for {
		select {
		case <-p.metaKick:
			next = time.Time{}
		case <-timer.C:
		case <-p.quit:
			return
		}
		now := time.Now()
		if p.cfg.DeliveryTimeout > 0 {
			p.expire(now)
		}
		if p.needBump.Load() && p.inflightB.Load() == 0 {
			p.bump()
		}
		if now.Before(next) { // woken to expire batches only
			timer.Reset(p.metaWait(next.Sub(now)))
			continue
		}
		var err error
		conn, err = p.metaConn(conn)
		p.metaLive.Store(conn)
		if conn != nil && p.stopped() {
			conn.Close() // Close may have looked before the store
		}
		if err == nil && p.cfg.Idempotent && p.pid.Load() < 0 {
			err = p.initProducerID(conn)
		}
		urgent := false
		if err == nil {
			urgent, err = p.refresh(conn)
		}
		if err != nil {
			if conn != nil {
				conn.Close()
				conn = nil
			}
			fails++
			if p.cfg.Errorf != nil && !p.stopped() { // Close cut it: no news
				p.cfg.Errorf("kafka: refreshing metadata: %v", err)
			}
			if fails >= p.cfg.MaxAttempts && p.cfg.Idempotent && p.pid.Load() < 0 {
				p.initErr = err
				p.readyOnce()
			}
			p.failWaiting(err, fails)
			next = time.Now().Add(p.backoff(fails))
			timer.Reset(p.metaWait(p.backoff(fails)))
			continue
		}
		fails = 0
		d := p.cfg.MetadataTTL
		if urgent {
			d = 100 * time.Millisecond
		}
		next = time.Now().Add(d)
		timer.Reset(p.metaWait(d))
	}
}

// metaWait is how long metaLoop sleeps before a refresh due in d: at most
// a quarter of the delivery timeout (and a second), to expire batches in
// time.
func (p *Producer[M]) metaWait(d time.Duration) time.Duration {
	if t := p.cfg.DeliveryTimeout; t > 0 {
		return min(d, max(t/4, time.Millisecond), time.Second)
	}
	return d
}

// expire fails, with ErrDeliveryTimeout, the batches that have waited
// longer than the delivery timeout without being sent: those of a
// partition without a leader, and those held while an epoch bump waits
// for such a partition's batch whose outcome is unknown (the bump goes on
// once that batch has failed, as ErrOutcomeUnknown). Only partitions with
// nothing in flight are looked at, and their batches from the oldest on,
// as a failed attempt would take them out: a batch in flight is bounded by
// the request timeouts instead.
func (p *Producer[M]) expire(now time.Time) {
	var expired []*Batch[M]
	p.eachPartition(func(part *Partition[M]) {
		part.mu.Lock()
		defer part.mu.Unlock()
		if part.sent > 0 {
			return
		}
		for {
			if len(part.queue) == 0 {
				if part.open == nil || now.Sub(part.open.created) <= p.cfg.DeliveryTimeout {
					return
				}
				if b := p.seal(part); b != nil { // a codec failure: it fails alone
					expired = append(expired, b)
					continue
				}
			}
			b := part.queue[0]
			if now.Sub(b.created) <= p.cfg.DeliveryTimeout {
				return
			}
			p.fail(part, b) // a bump it asks for follows in metaLoop
			b.Err = outcome(b, ErrDeliveryTimeout)
			expired = append(expired, b)
		}
	})
	for _, b := range expired {
		p.settle(b, b.Err)
	}
}

func (p *Producer[M]) readyOnce() {
	closeOnce(p.ready)
	p.isReady.Store(true)
}

// metaConn returns a live connection for metadata: the one it has, else
// one to a known broker, else to a bootstrap address.
func (p *Producer[M]) metaConn(c *broker.Conn) (*broker.Conn, error) {
	if c != nil && c.Usable() && !c.SessionExpired(time.Now()) {
		return c, nil
	}
	if c != nil {
		c.Close()
	}
	p.mu.Lock()
	addrs := make([]string, 0, len(p.brokers)+len(p.cfg.Bootstrap))
	for _, a := range p.brokers {
		addrs = append(addrs, a)
	}
	p.mu.Unlock()
	addrs = append(addrs, p.cfg.Bootstrap...)
	var err error
	for _, a := range addrs {
		ctx, cancel := context.WithTimeout(p.life, p.cfg.WriteTimeout)
		c, err = p.cfg.Dial(ctx, a)
		cancel()
		if err == nil {
			return c, nil
		}
	}
	if err == nil {
		err = errors.New("kafka: no broker address to fetch metadata from")
	}
	return nil, err
}

// exchange sends req and reads resp on c, bounded by the timeouts.
func (p *Producer[M]) exchange(c *broker.Conn, req, resp wire.Message) error {
	v, err := c.Version(req.Key())
	if err != nil {
		return err
	}
	_ = c.NetConn().SetDeadline(time.Now().Add(p.cfg.ReadTimeout + p.cfg.WriteTimeout))
	// A SASL session with a lifetime is renewed before it ends (KIP-368).
	if err := c.Refresh(context.Background(), 0); err != nil {
		return err
	}
	return c.Exchange(v, req, resp)
}

// initProducerID gets the idempotent producer's id and epoch.
func (p *Producer[M]) initProducerID(c *broker.Conn) error {
	req := wire.InitProducerIdRequest{TransactionTimeoutMs: -1, ProducerId: -1, ProducerEpoch: -1}
	var resp wire.InitProducerIdResponse
	if err := p.exchange(c, &req, &resp); err != nil {
		return err
	}
	if resp.ErrorCode != 0 {
		return wire.ErrorForCode(resp.ErrorCode)
	}
	p.epoch.Store(int32(resp.ProducerEpoch))
	p.pid.Store(resp.ProducerId)
	p.eachPartition(func(part *Partition[M]) { // a new id: no broker holds its state
		part.mu.Lock()
		part.confirmed = false
		part.mu.Unlock()
	})
	p.readyOnce()
	return nil
}

// bump moves the idempotent producer to its next epoch, locally as
// KIP-360 allows for producers without a transactional id (a new id when
// the epoch is exhausted), and numbers every partition's queued batches
// from 0. It does nothing while a batch is collected, in flight, or may
// have been written by an attempt whose answer was lost: renumbered, such
// a batch would be written again under the new epoch. The sinks resend
// those under their old numbers meanwhile (collect), and the reader that
// hands the last of them back asks again.
func (p *Producer[M]) bump() {
	p.bumpMu.Lock() // no sink between collect and the end of send
	defer p.bumpMu.Unlock()
	// With bumpMu held nothing can be collected: a partition found
	// settled stays so.
	settled := true
	p.eachPartition(func(part *Partition[M]) {
		part.mu.Lock()
		if part.sent > 0 || part.unresolved(0) {
			settled = false
		}
		part.mu.Unlock()
	})
	if !settled {
		return
	}
	e := p.epoch.Load()
	if e >= 32766 {
		p.pid.Store(-1) // initProducerID runs next
		return
	}
	p.epoch.Store(e + 1)
	p.eachPartition(func(part *Partition[M]) {
		part.mu.Lock()
		part.ackSeq = 0
		part.nextSeq = 0
		part.confirmed = false
		p.renumber(part, 0)
		part.mu.Unlock()
	})
	p.bumpGen.Add(1)
	p.needBump.Store(false)
	p.wakeAll()
}

// eachPartition calls fn with every partition of every topic in use.
func (p *Producer[M]) eachPartition(fn func(*Partition[M])) {
	for _, t := range *p.topics.Load() {
		if tm := t.meta.Load(); tm != nil {
			for _, part := range tm.parts {
				fn(part)
			}
		}
	}
}

// refresh fetches the metadata of the topics in use and routes their
// partitions. urgent says a topic or partition still waits for a leader.
func (p *Producer[M]) refresh(c *broker.Conn) (urgent bool, err error) {
	topics := *p.topics.Load()
	req := wire.MetadataRequest{Topics: make([]wire.MetadataRequestTopic, 0, len(topics)), AllowAutoTopicCreation: p.cfg.AutoCreate}
	for name := range topics {
		req.Topics = append(req.Topics, wire.MetadataRequestTopic{Name: wire.NewNullString(name)})
	}
	var resp wire.MetadataResponse
	if err := p.exchange(c, &req, &resp); err != nil {
		return false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range resp.Brokers {
		addr := net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
		p.brokers[b.NodeId] = addr
		if s := p.sinks[b.NodeId]; s != nil {
			if *s.addr.Load() != addr {
				s.addr.Store(&addr)
			}
		} else if !p.stopped() {
			p.sinks[b.NodeId] = newSink(p, b.NodeId, addr)
		}
	}
	led := map[int32][]*Partition[M]{}
	for i := range resp.Topics {
		rt := &resp.Topics[i]
		t := topics[rt.Name.String]
		if t == nil {
			continue
		}
		if rt.ErrorCode != 0 {
			code := wire.Error(rt.ErrorCode)
			t.lookups++
			if code.Retriable() && t.lookups < p.cfg.MaxAttempts {
				urgent = true
				continue
			}
			if old := t.meta.Load(); old == nil || len(old.parts) == 0 {
				t.meta.Store(&topicMeta[M]{err: code})
				closeOnce(t.ready)
			}
			continue
		}
		t.lookups = 0
		old := t.meta.Load()
		var parts []*Partition[M]
		if old != nil {
			parts = old.parts
		}
		n := len(rt.Partitions)
		if n > len(parts) || old == nil || old.err != nil {
			np := make([]*Partition[M], max(n, len(parts)))
			copy(np, parts)
			ids := make([]int, len(np))
			for j := range np {
				if np[j] == nil {
					np[j] = &Partition[M]{Topic: t.Name, ID: int32(j), leader: -1}
				}
				ids[j] = j
			}
			parts = np
			t.meta.Store(&topicMeta[M]{parts: np, ids: ids})
		}
		for j := range rt.Partitions {
			rp := &rt.Partitions[j]
			if int(rp.PartitionIndex) >= len(parts) || rp.PartitionIndex < 0 {
				continue
			}
			part := parts[rp.PartitionIndex]
			leader := rp.LeaderId
			if rp.ErrorCode != 0 && wire.Error(rp.ErrorCode) != wire.ReplicaNotAvailable {
				leader = -1
			}
			s := p.sinks[leader]
			if s == nil {
				leader = -1
				urgent = true
			} else {
				led[leader] = append(led[leader], part)
			}
			part.mu.Lock()
			moved := part.sink != s
			part.leader, part.sink = leader, s
			part.mu.Unlock()
			if moved && s != nil {
				defer s.wake()
			}
		}
		closeOnce(t.ready)
	}
	for id, s := range p.sinks {
		ps := led[id]
		sortParts(ps)
		if ps == nil {
			ps = []*Partition[M]{}
		}
		s.parts.Store(&ps)
	}
	return urgent, nil
}

// failWaiting gives topics still waiting for their first metadata the
// error once the attempts are spent.
func (p *Producer[M]) failWaiting(err error, fails int) {
	if fails < p.cfg.MaxAttempts {
		return
	}
	for _, t := range *p.topics.Load() {
		if t.meta.Load() == nil {
			t.meta.Store(&topicMeta[M]{err: err})
			closeOnce(t.ready)
		}
	}
}

// stopped reports whether the goroutines were told to stop (Close has
// flushed): no sink may start after that.
func (p *Producer[M]) stopped() bool {
	select {
	case <-p.quit:
		return true
	default:
		return false
	}
}

func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}
