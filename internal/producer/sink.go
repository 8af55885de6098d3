package producer

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/produce"
	"github.com/zeroalloc/kafka/wire"
)

// maxRequestBytes bounds the records of one Produce request (brokers
// refuse requests above socket.request.max.bytes, 100 MiB by default).
const maxRequestBytes = 32 << 20

// errConnLost is the error of batches whose connection failed before their
// answer came; they are retried.
var errConnLost = errors.New("kafka: connection to the broker lost")

// sink sends the batches of the partitions one broker leads. Whoever
// holds mu owns the connection's sending side and drains: the sink's run
// goroutine when woken, or, when they find mu free, the reader goroutine
// after an answer and a synchronous caller whose records wait (tryDrain),
// which saves the goroutine switches of waking the run goroutine. Each
// connection has a reader goroutine that takes the answers in order,
// except the answer a synchronous caller reads itself (see sinkConn.rmu).
type sink[M any] struct {
	p    *Producer[M]
	mu   sync.Mutex
	id   int32
	addr atomic.Pointer[string]
	kick chan struct{}
	// parts lists the partitions the broker leads, by topic then id.
	parts atomic.Pointer[[]*Partition[M]]

	conn *sinkConn[M]
	// live is conn for Close, which closes it without mu (a sender may
	// hold mu, blocked on the socket).
	live     atomic.Pointer[sinkConn[M]]
	inflight atomic.Int32
	freeCh   chan *request[M]
	timer    *time.Timer
	// armed is set while timer waits for a lingering batch: an
	// asynchronous write then needs no wake-up (see Sink.Nudge).
	armed    atomic.Bool
	fails    int
	nextDial time.Time
}

type sinkConn[M any] struct {
	bc      *broker.Conn
	version int16
	queue   chan *request[M]
	dead    atomic.Bool
	done    chan struct{}
	// reauthing is set while the connection re-authenticates (see
	// renewing): nothing else is sent on it meanwhile.
	reauthing atomic.Bool
	// awaiting is set, under mu, while the reader waits on the connection
	// with nothing in flight and no read deadline (nextRequest): a send
	// then arms the deadline.
	mu       sync.Mutex
	awaiting bool

	// rmu is held by whoever reads the socket: the reader goroutine for
	// each queued request, and a synchronous caller that sent a request
	// on a connection with nothing in flight (send's by), which reads
	// that answer itself (Call.ReadOwn): the answer then wakes the
	// caller, not the reader goroutine which would wake the caller in
	// turn. Such a request is not queued; as it is the oldest in flight,
	// the reader goroutine, which takes rmu for each queued one, reads
	// the answers after it in order. resp is the decoded answer, under
	// rmu.
	rmu  sync.Mutex
	resp wire.ProduceResponse
	// owns counts the answers callers read; yield is set by a caller
	// that found the reader waiting on the socket. Then the reader waits
	// on its queue instead (shallow, its own) while callers read their
	// answers, and for deepIdle after the last one (idle is its timer).
	owns    atomic.Uint32
	yield   atomic.Bool
	shallow bool
	idle    *time.Timer
	// orphan is a request whose answer a caller was to read itself and
	// left to the reader, its context ended (Call.ReadOwn); handed wakes
	// the reader for it.
	orphan atomic.Pointer[request[M]]
	handed chan struct{}
}

// request is one Produce request in flight.
type request[M any] struct {
	batches []*Batch[M]
	corr    int32
	version int16
	sent    time.Time
	vec     net.Buffers
	vecBack [][]byte
	cuts    []int
	// reauth marks the SaslHandshake of a re-authentication, whose
	// exchange the reader finishes in its turn (see renewing).
	reauth bool
}

func newSink[M any](p *Producer[M], id int32, addr string) *sink[M] {
	s := &sink[M]{p: p, id: id, kick: make(chan struct{}, 1), timer: time.NewTimer(time.Hour)}
	s.timer.Stop()
	s.addr.Store(&addr)
	empty := []*Partition[M]{}
	s.parts.Store(&empty)
	s.freeCh = make(chan *request[M], p.cfg.MaxInFlight+1)
	for range p.cfg.MaxInFlight + 1 {
		s.freeCh <- &request[M]{}
	}
	p.wg.Add(1)
	go s.run()
	return s
}

// wake asks the sink to look for ready batches.
func (s *sink[M]) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *sink[M]) run() {
	defer s.p.wg.Done()
	defer func() {
		s.mu.Lock()
		s.closeConn()
		s.mu.Unlock()
	}()
	for {
		select {
		case <-s.kick:
		case <-s.timer.C:
		case <-s.p.quit:
			return
		}
		if testHookRunWoken != nil {
			testHookRunWoken()
		}
		s.mu.Lock()
		s.armed.Store(false)
		s.drain(nil, nil)
		s.mu.Unlock()
	}
}

// tryDrain drains on the calling goroutine if no one else does, else
// wakes the run goroutine, which drains once mu is free. reader is the
// connection whose reader goroutine calls, nil for others.
// by is the synchronous caller that calls, nil for others.
func (s *sink[M]) tryDrain(reader *sinkConn[M], by *Call[M]) {
	if s.p.stopped() {
		return // Close is past its flush: the run goroutine winds up
	}
	if !s.mu.TryLock() {
		s.wake()
		return
	}
	s.drain(reader, by)
	s.mu.Unlock()
}

func (s *sink[M]) closeConn() {
	if c := s.conn; c != nil {
		s.conn = nil
		s.live.Store(nil)
		s.lose(c, nil, false)
		close(c.queue)
		<-c.done
	}
}

// drain sends requests while there are ready batches and room in flight
// (mu held). On reader's own goroutine it leaves a failed reader's
// connection to the run goroutine to close: closing waits for the reader.
// by is the synchronous caller draining, nil for others.
func (s *sink[M]) drain(reader *sinkConn[M], by *Call[M]) {
	p := s.p
	for s.inflight.Load() < int32(p.cfg.MaxInFlight) {
		if c := s.conn; c != nil && s.renewing(c) {
			return // the reader drains again once re-authenticated
		}
		req := <-s.freeCh
		// From collect to the end of send the batches taken are neither
		// in a queue's free part nor counted in flight: no bump may
		// renumber them meanwhile (it would rewrite bytes being written).
		p.bumpMu.RLock()
		wait := s.collect(req)
		if len(req.batches) == 0 {
			p.bumpMu.RUnlock()
			s.freeCh <- req
			if wait > 0 {
				s.timer.Reset(wait)
				s.armed.Store(true)
			}
			return
		}
		if c := s.conn; c != nil && c.dead.Load() {
			// The connection failed since collect looked: closing it
			// hands its batches back, which may block partitions whose
			// next batch req holds. Such a batch must not overtake them
			// on a new connection: put req's batches back, look again.
			if c == reader || (by != nil && by.own.c == c) {
				// The reader (or a caller that reads its own answer)
				// fails what it has in flight when it goes on; closing
				// would wait for it. The run goroutine closes the
				// connection first and looks again.
				s.uncollect(req)
				p.bumpMu.RUnlock()
				s.freeCh <- req
				s.wake()
				return
			}
			s.closeConn()
			s.uncollect(req)
			p.bumpMu.RUnlock()
			s.freeCh <- req
			continue
		}
		if s.conn == nil && by != nil {
			// Dialing is left to the run goroutine: a caller must be free
			// to return when its context ends.
			s.uncollect(req)
			p.bumpMu.RUnlock()
			s.freeCh <- req
			s.wake()
			return
		}
		if !s.connect() {
			s.unsend(req, errConnLost, false)
			p.bumpMu.RUnlock()
			s.freeCh <- req
			s.timer.Reset(time.Until(s.nextDial))
			return
		}
		if testHookCollected != nil {
			testHookCollected()
		}
		s.send(req, by)
		p.bumpMu.RUnlock()
	}
}

// testHookCollected, set by tests before a Producer starts, is called
// between collect and send; testHookRunWoken each time a sink's run
// goroutine wakes.
var testHookCollected, testHookRunWoken func()

// collect takes at most one ready batch of each partition into req, and
// returns how long to wait for the next batch to become ready when none
// is. While an epoch bump or a partition's renumbering waits, only the
// batches whose outcome is unknown go (with those before them, in order),
// under their old numbers, until the broker says whether it holds them.
func (s *sink[M]) collect(req *request[M]) (wait time.Duration) {
	p := s.p
	bumping := p.needBump.Load()
	now := time.Now()
	p.clock.sync(now)
	idle := s.inflight.Load() == 0
	flushing := p.flushing.Load() > 0 || p.closed.Load()
	total := 0
	later := func(d time.Duration) {
		if d <= 0 {
			d = time.Millisecond
		}
		if wait == 0 || d < wait {
			wait = d
		}
	}
	for _, part := range *s.parts.Load() {
		part.mu.Lock()
		if part.sink != s || (part.busy != nil && part.busy != s) {
			part.mu.Unlock()
			continue
		}
		if part.blocked {
			if part.sent > 0 {
				part.mu.Unlock()
				continue
			}
			if d := part.retryAt.Sub(now); d > 0 {
				later(d)
				part.mu.Unlock()
				continue
			}
			part.blocked = false
		}
		if part.reseq && part.sent == 0 && !part.unresolved(0) {
			p.renumber(part, part.ackSeq)
		}
		resolving := bumping || part.reseq
		if part.sent >= p.cfg.MaxInFlight || (resolving && !part.unresolved(part.sent)) ||
			(p.cfg.Idempotent && !part.confirmed && part.sent > 0) {
			part.mu.Unlock()
			continue
		}
		if !resolving && part.sent == len(part.queue) && part.open != nil {
			// An idle connection sends a batch a synchronous call waits for
			// at once; asynchronous records linger up to Linger, as the
			// application asked, so that they travel together.
			if age := now.Sub(part.open.created); (idle && len(part.open.refs) > 0) || flushing || age >= p.cfg.Linger {
				if b := p.seal(part); b != nil {
					part.mu.Unlock()
					p.settle(b, b.Err)
					continue
				}
			} else {
				later(p.cfg.Linger - age)
			}
		}
		if part.sent < len(part.queue) {
			b := part.queue[part.sent]
			part.sent++
			part.busy = s
			if b.tries > 0 {
				p.stats.Retries.Add(1)
			}
			b.tries++
			req.batches = append(req.batches, b)
			total += b.wireLen
		}
		part.mu.Unlock()
		if total >= maxRequestBytes {
			break
		}
	}
	return wait
}

// uncollect gives req's batches back to their partitions as if collect
// had not taken them: each is the last its partition has in flight.
func (s *sink[M]) uncollect(req *request[M]) {
	p := s.p
	for _, b := range req.batches {
		part := b.part
		part.mu.Lock()
		part.sent--
		if part.sent == 0 {
			part.busy = nil
		}
		b.tries--
		if b.tries > 0 {
			p.stats.Retries.Add(-1)
		}
		part.mu.Unlock()
	}
	req.batches = req.batches[:0]
}

// renumber gives part's queued batches sequences from seq on, in order,
// rewriting their headers (part.mu held, nothing collected or in flight,
// no batch whose outcome is unknown).
func (p *Producer[M]) renumber(part *Partition[M], seq int32) {
	pid, epoch := p.pid.Load(), int16(p.epoch.Load())
	for _, b := range part.queue {
		b.baseSeq = seq
		_ = wire.SetBatchProducerExternal(b.buf, b.ext, pid, epoch, seq)
		seq = addSeq(seq, b.n)
	}
	part.nextSeq = seq
	part.ackSeq = part.queue0Seq(seq)
	part.reseq = false
}

// queue0Seq is the sequence the broker expects next: the first queued
// batch's, or next when the queue is empty.
func (part *Partition[M]) queue0Seq(next int32) int32 {
	if len(part.queue) > 0 {
		return part.queue[0].baseSeq
	}
	return next
}

// connect makes sure the sink has a connection, dialing with backoff. drain
// has closed a failed one before: one that fails after is still used (its
// reader fails what is sent on it after what it failed before, in order).
func (s *sink[M]) connect() bool {
	if s.conn != nil {
		return true
	}
	if time.Now().Before(s.nextDial) {
		return false
	}
	p := s.p
	ctx, cancel := context.WithTimeout(p.life, p.cfg.WriteTimeout)
	start := time.Now()
	bc, err := p.cfg.Dial(ctx, *s.addr.Load())
	cancel()
	p.stats.Dials.Add(1)
	p.stats.DialTime.observe(time.Since(start))
	var v int16
	if err == nil {
		v, err = bc.Version(wire.KeyProduce)
		if err != nil {
			bc.Close()
		}
	}
	if err != nil {
		s.fails++
		s.nextDial = time.Now().Add(p.backoff(s.fails))
		if p.cfg.Errorf != nil {
			p.cfg.Errorf("kafka: connecting to broker %d at %s: %v", s.id, *s.addr.Load(), err)
		}
		p.kickMeta() // the broker may have moved or gone
		return false
	}
	s.fails = 0
	c := &sinkConn[M]{bc: bc, version: v, queue: make(chan *request[M], p.cfg.MaxInFlight), done: make(chan struct{}),
		idle: time.NewTimer(time.Hour), handed: make(chan struct{}, 1)}
	c.idle.Stop()
	s.conn = c
	s.live.Store(c)
	if p.stopped() {
		s.lose(c, nil, false) // Close may have looked before the store
	}
	p.wg.Add(1)
	go s.read(c)
	return true
}

// backoff is the wait before attempt n+1.
func (p *Producer[M]) backoff(n int) time.Duration {
	d := p.cfg.BackoffMin
	for i := 1; i < n && d < p.cfg.BackoffMax; i++ {
		d *= 2
	}
	return min(d, p.cfg.BackoffMax)
}

// send encodes req's request around its batches and writes it with one
// vectored write: the batches are not copied. A synchronous caller (by)
// whose records all went to this broker, that sends on a connection with
// nothing in flight, while its reader goroutine is not on the socket,
// reads the answer itself (Call.ReadOwn).
func (s *sink[M]) send(req *request[M], by *Call[M]) {
	p := s.p
	c := s.conn
	v := c.version
	flex := wire.IsFlexible(wire.KeyProduce, v)
	topics := 0
	for i, b := range req.batches {
		if i == 0 || b.part.Topic != req.batches[i-1].part.Topic {
			topics++
		}
	}
	timeoutMs := int32(p.cfg.WriteTimeout / time.Millisecond)
	buf := c.bc.StartRequest(wire.KeyProduce, v)
	buf = wire.AppendProduceRequestHead(buf, v, wire.NullString{}, p.cfg.Acks, timeoutMs, topics)
	req.cuts = req.cuts[:0]
	for i, b := range req.batches {
		if i > 0 && flex {
			buf = append(buf, 0) // the previous partition's tags
		}
		if i == 0 || b.part.Topic != req.batches[i-1].part.Topic {
			if i > 0 {
				buf = wire.AppendProduceTopicEnd(buf, v)
			}
			n := 1
			for j := i + 1; j < len(req.batches) && req.batches[j].part.Topic == b.part.Topic; j++ {
				n++
			}
			buf = wire.AppendProduceTopicHead(buf, v, b.part.Topic, n)
		}
		buf = wire.AppendInt32(buf, b.part.ID)
		if flex {
			buf = wire.AppendUvarint(buf, uint32(b.wireLen)+1)
		} else {
			buf = wire.AppendInt32(buf, int32(b.wireLen))
		}
		req.cuts = append(req.cuts, len(buf))
		p.stats.BatchSize.Observe(int64(b.n))
		p.stats.BatchByte.Observe(int64(b.wireLen))
	}
	if flex {
		buf = append(buf, 0)
	}
	buf = wire.AppendProduceTopicEnd(buf, v)
	buf = wire.AppendProduceRequestEnd(buf, v)
	vec := req.vecBack[:0]
	prev := 0
	for i, b := range req.batches {
		vec = append(vec, buf[prev:req.cuts[i]])
		from := 0
		for _, e := range b.ext {
			vec = append(vec, b.buf[from:e.At], e.B)
			from = e.At
		}
		vec = append(vec, b.buf[from:])
		prev = req.cuts[i]
	}
	vec = append(vec, buf[prev:])
	req.vecBack = vec
	req.vec = vec
	req.version = v
	req.sent = time.Now()
	wdl := req.sent.Add(p.cfg.WriteTimeout)
	if by != nil && !by.Deadline.IsZero() && by.Deadline.Before(wdl) {
		wdl = by.Deadline // a caller writing is bound by its context
	}
	_ = c.bc.NetConn().SetWriteDeadline(wdl)
	own := false
	if by != nil && len(by.Sinks) <= 1 && by.own.c == nil && p.cfg.Acks != 0 && s.inflight.Load() == 0 {
		if own = c.rmu.TryLock(); !own {
			c.yield.Store(true) // the reader waits on the socket: next time, not
		}
	}
	if p.cfg.Acks != 0 {
		p.inflightB.Add(int64(len(req.batches)))
		s.inflight.Add(1)
	}
	corr, err := c.bc.SendBuffers(&req.vec)
	clear(req.vecBack)
	p.stats.Writes.Add(1)
	if err != nil {
		if own {
			c.rmu.Unlock()
		}
		s.lose(c, err, false)
		n := int64(len(req.batches))
		s.unsend(req, err, true)
		if p.cfg.Acks != 0 {
			p.inflightB.Add(-n)
			s.inflight.Add(-1)
		}
		s.freeCh <- req
		return
	}
	if p.cfg.Acks == 0 {
		// Nothing will answer: the batches are done once written.
		for _, b := range req.batches {
			p.finish(s, b, 0, -1, nil)
		}
		req.batches = req.batches[:0]
		s.freeCh <- req
		return
	}
	req.corr = corr
	if own {
		c.owns.Add(1)
		by.own = owned[M]{s: s, c: c, req: req}
		return
	}
	c.queue <- req // never blocks: inflight < MaxInFlight
	c.mu.Lock()
	if c.awaiting {
		_ = c.bc.NetConn().SetReadDeadline(time.Now().Add(p.cfg.ReadTimeout + p.cfg.WriteTimeout))
	}
	c.mu.Unlock()
}

// unsend puts req's batches back for a retry after err: they were not sent
// (or their fate is unknown when sent is true).
func (s *sink[M]) unsend(req *request[M], err error, sent bool) {
	for _, b := range req.batches {
		s.p.retry(s, b, err, sent)
	}
	req.batches = req.batches[:0]
}

// read takes the answers of c's queued requests in order.
func (s *sink[M]) read(c *sinkConn[M]) {
	defer s.p.wg.Done()
	defer close(c.done)
	defer c.idle.Stop()
	for {
		req, ok := s.nextRequest(c)
		if !ok {
			// closeConn waits for the reader's exit: a caller still
			// reading its own answer on c (closeConn closed the socket,
			// so not for long) must hand its batches back before, or
			// leave them as c's orphan, which fails as c has.
			c.rmu.Lock()
			s.adopt(c)
			c.rmu.Unlock()
			return
		}
		c.rmu.Lock()
		s.adopt(c) // an orphan is older than req
		switch {
		case req == nil:
		case req.reauth:
			s.reauthenticate(c, req)
		default:
			n := len(req.batches) // receive may put them back
			s.receive(c, req, time.Now().Add(s.p.cfg.ReadTimeout+s.p.cfg.WriteTimeout))
			c.rmu.Unlock()
			s.answered(c, req, n, c)
			continue
		}
		c.rmu.Unlock()
	}
}

// renewing keeps c's SASL session alive (KIP-368) and reports whether c
// re-authenticates, so that drain sends nothing on it (mu held). When the
// session is due for renewal, it sends the SaslHandshake behind the
// requests in flight and queues it as a request: the reader, having read
// their answers in order, finishes the exchange (reauthenticate) and drains
// again. The requests in flight are neither failed nor reordered; the
// requests after wait for the few round trips of the exchange. A session
// that ended already (the connection sat idle past it) marks c dead, once
// the answers in flight are in: drain replaces it.
func (s *sink[M]) renewing(c *sinkConn[M]) bool {
	if c.reauthing.Load() {
		return true
	}
	if c.bc.SessionLifetime() == 0 || c.dead.Load() {
		return false
	}
	now := time.Now()
	if !c.bc.ReauthDue(now) {
		return false
	}
	if c.bc.SessionExpired(now) {
		if s.inflight.Load() > 0 {
			return true // their answers still come; then c is replaced
		}
		s.lose(c, broker.ErrSessionExpired, false)
		return false
	}
	p := s.p
	req := <-s.freeCh
	_ = c.bc.NetConn().SetWriteDeadline(now.Add(p.cfg.WriteTimeout))
	corr, err := c.bc.StartReauth()
	if err != nil {
		s.lose(c, err, true)
		s.freeCh <- req
		return false
	}
	req.reauth, req.corr, req.sent = true, corr, now
	c.reauthing.Store(true)
	s.inflight.Add(1)
	c.queue <- req // never blocks: inflight < MaxInFlight
	c.mu.Lock()
	if c.awaiting {
		_ = c.bc.NetConn().SetReadDeadline(now.Add(p.cfg.ReadTimeout + p.cfg.WriteTimeout))
	}
	c.mu.Unlock()
	return true
}

// reauthenticate finishes the re-authentication renewing began, on c's
// reader goroutine once the answers before it are read (c.rmu held), and
// lets drain send again.
func (s *sink[M]) reauthenticate(c *sinkConn[M], req *request[M]) {
	p := s.p
	err := errConnLost
	if !c.dead.Load() {
		deadline := time.Now().Add(p.cfg.ReadTimeout + p.cfg.WriteTimeout)
		_ = c.bc.NetConn().SetDeadline(deadline)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err = c.bc.FinishReauth(ctx, req.corr)
		cancel()
		if err == nil {
			p.stats.Reauths.Add(1)
		}
	}
	if err != nil {
		s.lose(c, err, true)
	}
	req.reauth = false
	c.reauthing.Store(false)
	s.inflight.Add(-1)
	s.freeCh <- req
	s.resume(c, c)
}

// resume sends what waits once a request of c is done: the run goroutine
// replaces c if it died, else the caller drains if it can (reader is c on
// its reader goroutine, nil for a caller that read its own answer).
func (s *sink[M]) resume(c, reader *sinkConn[M]) {
	if c.dead.Load() {
		s.wake()
	} else {
		s.tryDrain(reader, nil)
	}
}

// adopt reads the answer a caller left to c's reader, if any (c.rmu held,
// on the reader goroutine).
func (s *sink[M]) adopt(c *sinkConn[M]) {
	req := c.orphan.Swap(nil)
	if req == nil {
		return
	}
	n := len(req.batches)
	s.receive(c, req, time.Now().Add(s.p.cfg.ReadTimeout+s.p.cfg.WriteTimeout))
	c.rmu.Unlock()
	s.answered(c, req, n, c)
	c.rmu.Lock()
}

// receive reads the answer to req, bounded by until (zero: the answer is
// buffered whole, nothing to wait for), and settles or retries its
// batches (c.rmu held).
func (s *sink[M]) receive(c *sinkConn[M], req *request[M], until time.Time) {
	p := s.p
	var err error
	if c.dead.Load() {
		err = errConnLost
	} else {
		if !until.IsZero() {
			_ = c.bc.NetConn().SetReadDeadline(until)
		}
		err = c.bc.ReceiveInto(req.corr, req.version, &c.resp)
	}
	if err != nil {
		s.lose(c, err, true)
		s.unsend(req, errConnLost, true)
		return
	}
	p.stats.WriteTime.observe(time.Since(req.sent))
	s.results(req, &c.resp)
}

// lose marks c dead and closes it, once, logging err if log is set.
func (s *sink[M]) lose(c *sinkConn[M], err error, log bool) {
	if c.dead.Swap(true) {
		return
	}
	c.bc.Close()
	if p := s.p; log && p.cfg.Errorf != nil {
		p.cfg.Errorf("kafka: connection to broker %d lost: %v", s.id, err)
	}
}

// answered counts req and its n batches out of flight once received, and
// drains (reader is c on its reader goroutine, nil for a caller that read
// its own answer).
func (s *sink[M]) answered(c *sinkConn[M], req *request[M], n int, reader *sinkConn[M]) {
	p := s.p
	// Counted out once their partitions have them back: a bump waits
	// for that.
	p.inflightB.Add(-int64(n))
	req.batches = req.batches[:0]
	s.inflight.Add(-1)
	s.freeCh <- req
	s.resume(c, reader)
	if p.needBump.Load() && p.inflightB.Load() == 0 {
		p.kickMeta()
	}
}

// nextRequest returns the oldest queued request on c, or nil when a caller
// left an answer to adopt (see handOver), false once c is closed. With
// nothing queued it waits on the connection, with no
// deadline, until an answer begins to arrive: the answer to the next
// request then wakes the reader once, where waiting on the queue would
// wake it at the send and again at the answer, and a connection that
// fails while idle (the broker closes idle connections) is noticed and
// marked dead for drain to replace. A send arms the read deadline
// meanwhile. While it waits so it holds rmu, and synchronous callers
// leave their answers to it; one that finds it there sets yield, and from
// then on the reader waits on its queue, leaving the connection to the
// callers, until deepIdle passes with none of them reading an answer.
func (s *sink[M]) nextRequest(c *sinkConn[M]) (*request[M], bool) {
	select {
	case req, ok := <-c.queue:
		return req, ok
	default:
	}
	if c.yield.Swap(false) {
		c.shallow = true
	}
	for c.shallow {
		seen := c.owns.Load()
		c.idle.Reset(deepIdle)
		select {
		case req, ok := <-c.queue:
			c.idle.Stop()
			return req, ok
		case <-c.handed:
			c.idle.Stop()
			return nil, true // an orphan to adopt
		case <-c.idle.C:
		}
		if c.owns.Load() == seen && !c.yield.Swap(false) {
			c.shallow = false
		}
	}
	c.rmu.Lock()
	if c.orphan.Load() != nil {
		c.rmu.Unlock()
		return nil, true // its answer comes first
	}
	if !c.dead.Load() {
		c.mu.Lock()
		wait := len(c.queue) == 0
		if wait {
			c.awaiting = true
			_ = c.bc.NetConn().SetReadDeadline(time.Time{})
		}
		c.mu.Unlock()
		if wait {
			err := c.bc.AwaitResponse()
			c.mu.Lock()
			c.awaiting = false
			c.mu.Unlock()
			if err != nil {
				s.lose(c, err, len(c.queue) > 0) // an idle one dying is no news
			}
		}
	}
	c.rmu.Unlock()
	req, ok := <-c.queue
	return req, ok
}

// deepIdle is how long a connection's reader waits on its queue, with
// callers reading their own answers, after the last one before it waits on
// the connection again (see nextRequest).
const deepIdle = time.Second

// results settles or retries each batch of req from resp.
func (s *sink[M]) results(req *request[M], resp *wire.ProduceResponse) {
	var at produce.Cursor
	for _, b := range req.batches {
		r := produce.FindPartition(resp, b.part.Topic, b.part.ID, &at)
		if r == nil {
			s.p.retry(s, b, produce.ErrNoPartition, true)
			continue
		}
		s.p.finish(s, b, wire.Error(r.ErrorCode), r.BaseOffset, produce.PartitionError(r))
	}
}
