package kafka

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/pool"
	"github.com/zeroalloc/kafka/wire"
)

// fetchAnswers pools the buffers Fetch answers are read into. A buffer
// larger than its cap (an answer above 64 MiB) is dropped after use.
var fetchAnswers = pool.NewBuffers(64 << 20)

// source fetches every partition the Reader reads from one broker, over
// one connection, in one Fetch per round (see reader_fetch.go).
type source struct {
	r  *Reader
	id int32

	wake     chan struct{} // poked when there may be work: a partition added, a buffer freed
	buffered atomic.Int32  // answers read and not yet fully delivered

	// Guarded by the Reader's fetchMu.
	addr   string
	parts  map[topicPartition]*partReader
	forget []forgotten          // partitions removed that the session still holds
	names  map[wire.UUID]string // topic names by id, for Fetch v13+

	connMu sync.Mutex
	conn   *broker.Conn
	closed bool

	// Owned by run.
	fails        int
	sessionID    int32
	sessionEpoch int32
	version      int16 // the broker's highest Fetch version
	reqVersion   int16 // the version of the session's requests
	req          wire.FetchRequest
	resp         wire.FetchResponse
	lreq         wire.ListOffsetsRequest
	lresp        wire.ListOffsetsResponse
	resolving    []*partReader
	out          []*fetchItem
	cur          *pool.Buffer
	alloc        func(n int) []byte
	timer        *time.Timer
}

type forgotten struct {
	tp topicPartition
	id wire.UUID
}

func newSource(r *Reader, id int32, addr string) *source {
	s := &source{r: r, id: id, addr: addr, wake: make(chan struct{}, 1),
		parts: map[topicPartition]*partReader{}, names: map[wire.UUID]string{}}
	s.alloc = func(n int) []byte {
		s.cur = fetchAnswers.Get(n)
		s.cur.B = s.cur.B[:n]
		return s.cur.B
	}
	s.timer = time.NewTimer(time.Hour)
	s.timer.Stop()
	return s
}

// poke wakes the source if it waits.
func (s *source) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// add gives pr to the source. Called with fetchMu held.
func (s *source) add(pr *partReader) {
	s.parts[pr.tp] = pr
	pr.src = s
	pr.inSession = false
	for i, f := range s.forget {
		if f.tp == pr.tp {
			// The session still holds the partition at some offset: the
			// next request updates it rather than adding and forgetting it
			// at once (the broker applies the forgetting last).
			s.forget = append(s.forget[:i], s.forget[i+1:]...)
			pr.inSession, pr.sessOffset = true, math.MinInt64
			break
		}
	}
	if pr.topicID != (wire.UUID{}) {
		s.names[pr.topicID] = pr.tp.topic
	}
	s.poke()
}

// remove takes pr from the source. Called with fetchMu held.
func (s *source) remove(pr *partReader) {
	if s.parts[pr.tp] != pr {
		return
	}
	delete(s.parts, pr.tp)
	if pr.inSession {
		s.forget = append(s.forget, forgotten{pr.tp, pr.topicID})
	}
	pr.inSession, pr.src = false, nil
	s.poke()
}

// unroute takes pr from the source and has the router find its leader
// again. Called with fetchMu held.
func (s *source) unroute(pr *partReader) {
	s.remove(pr)
	s.r.kickRouter()
}

// shut closes the connection, also in the middle of a long poll, and keeps
// the source from dialing again.
func (s *source) shut() {
	s.connMu.Lock()
	s.closed = true
	if s.conn != nil {
		s.conn.Close()
	}
	s.connMu.Unlock()
}

func (s *source) dropConn() {
	s.connMu.Lock()
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
	s.connMu.Unlock()
}

// wait waits for a poke, for d when positive, or for the Reader to close.
func (s *source) wait(d time.Duration) {
	ctx := s.r.ctx
	if d <= 0 {
		select {
		case <-s.wake:
		case <-ctx.Done():
		}
		return
	}
	s.timer.Reset(d)
	select {
	case <-s.wake:
	case <-ctx.Done():
	case <-s.timer.C:
	}
	s.timer.Stop()
}

// sleep waits for d or for the Reader to close, ignoring pokes.
func (s *source) sleep(d time.Duration) {
	s.timer.Reset(d)
	select {
	case <-s.r.ctx.Done():
	case <-s.timer.C:
	}
	s.timer.Stop()
}

// run fetches until the Reader closes.
func (s *source) run() {
	r := s.r
	defer r.wg.Done()
	defer s.dropConn()
	for r.ctx.Err() == nil {
		if s.buffered.Load() >= sourceBuffered {
			s.wait(0)
			continue
		}
		s.connMu.Lock()
		conn := s.conn
		s.connMu.Unlock()
		if conn == nil {
			r.fetchMu.Lock()
			idle := len(s.parts) == 0
			r.fetchMu.Unlock()
			if idle {
				s.wait(0)
				continue
			}
			if conn = s.dial(); conn == nil {
				continue
			}
		}
		if s.resolve(conn) {
			continue
		}
		n, wait := s.build()
		if n == 0 {
			s.wait(wait)
			continue
		}
		s.fetch(conn)
	}
}

// dial connects to the broker; nil after a failure (handled).
func (s *source) dial() *broker.Conn {
	r := s.r
	r.fetchMu.Lock()
	addr := s.addr
	r.fetchMu.Unlock()
	t0 := time.Now()
	c, err := r.config.Dialer.dialBroker(r.ctx, addr)
	r.stats.dials.Add(1)
	r.stats.dialTime.Observe(int64(time.Since(t0)))
	if err == nil {
		if s.version, err = c.Version(wire.KeyFetch); err != nil {
			c.Close()
		}
	}
	if err != nil {
		s.failed(err)
		return nil
	}
	s.connMu.Lock()
	if s.closed {
		s.connMu.Unlock()
		c.Close()
		return nil
	}
	s.conn = c
	s.connMu.Unlock()
	s.resetSession()
	return c
}

// failed handles a connection-level failure: the connection is dropped,
// the partitions go back to the router (their leader may have moved), and
// the source waits before trying again. Every MaxAttempts failures in a
// row the application hears of it.
func (s *source) failed(err error) {
	r := s.r
	s.dropConn()
	if r.ctx.Err() != nil {
		return
	}
	s.fails++
	r.stats.errors.Add(1)
	if isTimeout(err) {
		r.stats.timeouts.Add(1)
	}
	r.errorf("kafka: reader: broker %d: attempt %d: %v", s.id, s.fails, err)
	r.fetchMu.Lock()
	for _, pr := range s.parts {
		s.remove(pr)
	}
	s.forget = s.forget[:0]
	r.fetchMu.Unlock()
	r.kickRouter()
	if s.fails%r.config.MaxAttempts == 0 {
		r.deliver(newErrorItem(nil, err))
	}
	s.sleep(r.backoff(s.fails))
}

// resetSession starts a new fetch session: the next request is full.
func (s *source) resetSession() {
	s.sessionID, s.sessionEpoch = 0, 0
	s.r.fetchMu.Lock()
	for _, pr := range s.parts {
		pr.inSession = false
	}
	s.forget = s.forget[:0]
	s.r.fetchMu.Unlock()
}

// resolve looks up the offsets of the partitions that need one (FirstOffset,
// LastOffset, or out of range), with one ListOffsets. It reports whether
// it sent one.
func (s *source) resolve(conn *broker.Conn) bool {
	r := s.r
	now := time.Now()
	req := &s.lreq
	req.ReplicaId, req.IsolationLevel = -1, int8(r.config.IsolationLevel)
	req.Topics = req.Topics[:0]
	s.resolving = s.resolving[:0]
	r.fetchMu.Lock()
	for _, pr := range s.parts {
		if pr.halted || (pr.offset >= 0 && !pr.reset) || now.Before(pr.retryAt) {
			continue
		}
		ts := pr.offset // FirstOffset (-2, earliest) or LastOffset (-1, latest)
		if pr.reset {
			ts = FirstOffset
		}
		s.resolving = append(s.resolving, pr)
		t := listTopic(req, pr.tp.topic)
		t.Partitions = append(t.Partitions, wire.ListOffsetsRequestPartition{
			PartitionIndex: int32(pr.tp.partition), CurrentLeaderEpoch: -1, Timestamp: ts})
	}
	r.fetchMu.Unlock()
	if len(s.resolving) == 0 {
		return false
	}
	v, err := conn.Version(wire.KeyListOffsets)
	if err == nil {
		conn.NetConn().SetDeadline(now.Add(r.config.ReadBatchTimeout))
		err = conn.Exchange(v, req, &s.lresp)
	}
	if err != nil {
		s.failed(err)
		return true
	}
	s.out = s.out[:0]
	r.fetchMu.Lock()
	for i := range s.lresp.Topics {
		t := &s.lresp.Topics[i]
		for j := range t.Partitions {
			p := &t.Partitions[j]
			pr := s.parts[topicPartition{t.Name, int(p.PartitionIndex)}]
			if pr == nil || !s.isResolving(pr) {
				continue
			}
			if code := wire.Error(p.ErrorCode); code != 0 {
				s.partitionError(pr, code, now)
				continue
			}
			pr.fails = 0
			switch {
			case !pr.reset:
				pr.offset = p.Offset
				if pr.begin < 0 {
					pr.begin = p.Offset
				}
			case pr.offset < p.Offset:
				r.logf("kafka: reader of %s/%d: offset %d out of range, skipping to the first offset %d", pr.tp.topic, pr.tp.partition, pr.offset, p.Offset)
				pr.offset, pr.reset = p.Offset, false
			default:
				// Ahead of the partition's end: wait for it to grow.
				pr.reset = false
				pr.retryAt = now.Add(r.backoff(1))
			}
		}
	}
	r.fetchMu.Unlock()
	s.deliverOut()
	return true
}

func (s *source) isResolving(pr *partReader) bool {
	for _, p := range s.resolving {
		if p == pr {
			return pr.offset < 0 || pr.reset
		}
	}
	return false
}

func listTopic(req *wire.ListOffsetsRequest, name string) *wire.ListOffsetsRequestTopic {
	t, added := entry(&req.Topics, func(t *wire.ListOffsetsRequestTopic) bool { return t.Name == name })
	if added {
		t.Name, t.Partitions = name, t.Partitions[:0]
	}
	return t
}

// entry returns the element of *s that match accepts, or else a new one
// appended to *s (added true). Within the capacity the new element is the
// old one there, so the slices it holds keep their memory for reuse.
func entry[T any](s *[]T, match func(*T) bool) (e *T, added bool) {
	for i := range *s {
		if match(&(*s)[i]) {
			return &(*s)[i], false
		}
	}
	if len(*s) < cap(*s) {
		*s = (*s)[:len(*s)+1]
	} else {
		var zero T
		*s = append(*s, zero)
	}
	return &(*s)[len(*s)-1], true
}

// partitionError handles a partition's error code: a leadership error
// sends it back to the router, an out-of-range offset is reset or
// reported, anything else is reported and retried after a backoff. Called
// with fetchMu held.
func (s *source) partitionError(pr *partReader, code wire.Error, now time.Time) {
	r := s.r
	switch {
	case code == OffsetOutOfRange && r.config.OffsetOutOfRangeError:
		pr.halted = true
		r.errorf("kafka: reader of %s/%d: offset %d out of range", pr.tp.topic, pr.tp.partition, pr.offset)
		s.out = append(s.out, newErrorItem(pr, fmt.Errorf("kafka: reading %s/%d at offset %d: %w", pr.tp.topic, pr.tp.partition, pr.offset, code)))
	case code == OffsetOutOfRange:
		pr.reset = true
	case isRefreshError(code):
		r.logf("kafka: reader of %s/%d: %v; looking up its leader", pr.tp.topic, pr.tp.partition, code)
		s.unroute(pr)
	default:
		// An error that finding the leader again does not fix: the
		// application hears of it.
		r.stats.errors.Add(1)
		pr.fails++
		pr.retryAt = now.Add(r.backoff(pr.fails))
		s.out = append(s.out, newErrorItem(pr, fmt.Errorf("kafka: reading %s/%d: %w", pr.tp.topic, pr.tp.partition, code)))
	}
}

// build prepares the next Fetch in s.req. It returns how many partitions
// the fetch covers (0: nothing to fetch now) and, if some partition waits
// for a backoff, how long until the first may be fetched.
func (s *source) build() (n int, wait time.Duration) {
	r := s.r
	cfg := &r.config
	now := time.Now()
	r.fetchMu.Lock()
	defer r.fetchMu.Unlock()
	v := s.version
	if v >= 13 {
		for _, pr := range s.parts {
			if pr.topicID == (wire.UUID{}) {
				v = 12 // a topic without a known id: fetch by name
				break
			}
		}
	}
	if v != s.reqVersion {
		s.sessionID, s.sessionEpoch, s.reqVersion = 0, 0, v
	}
	full := s.sessionEpoch == 0
	req := &s.req
	*req = wire.FetchRequest{
		ReplicaId:      -1,
		ReplicaState:   wire.FetchRequestReplicaState{ReplicaId: -1, ReplicaEpoch: -1},
		MaxWaitMs:      int32(min(cfg.MaxWait.Milliseconds(), math.MaxInt32)),
		MinBytes:       int32(cfg.MinBytes),
		MaxBytes:       int32(min(cfg.FetchMaxBytes, math.MaxInt32)),
		IsolationLevel: int8(cfg.IsolationLevel),
		SessionId:      s.sessionID,
		SessionEpoch:   s.sessionEpoch,
		Topics:         req.Topics[:0],

		ForgottenTopicsData: req.ForgottenTopicsData[:0],
	}
	for _, pr := range s.parts {
		if !pr.fetchable(now) {
			if pr.inSession && !full {
				s.forgetPartition(forgotten{pr.tp, pr.topicID})
			}
			pr.inSession = false
			if pr.retryAt.After(now) && (wait == 0 || pr.retryAt.Sub(now) < wait) {
				wait = pr.retryAt.Sub(now)
			}
			continue
		}
		n++
		if full || !pr.inSession || pr.sessOffset != pr.offset {
			s.fetchPartition(pr)
			pr.inSession, pr.sessOffset = true, pr.offset
		}
	}
	if !full {
		for _, f := range s.forget {
			s.forgetPartition(f)
		}
	}
	s.forget = s.forget[:0]
	return n, wait
}

func (s *source) fetchPartition(pr *partReader) {
	t, added := entry(&s.req.Topics, func(t *wire.FetchRequestTopic) bool { return t.Topic == pr.tp.topic })
	if added {
		t.Topic, t.TopicId, t.Partitions = pr.tp.topic, pr.topicID, t.Partitions[:0]
	}
	t.Partitions = append(t.Partitions, wire.FetchRequestPartition{
		Partition:          int32(pr.tp.partition),
		CurrentLeaderEpoch: pr.leaderEpoch,
		FetchOffset:        pr.offset,
		LastFetchedEpoch:   -1,
		LogStartOffset:     -1,
		PartitionMaxBytes:  pr.maxBytes,
	})
}

func (s *source) forgetPartition(f forgotten) {
	t, added := entry(&s.req.ForgottenTopicsData, func(t *wire.FetchRequestForgottenTopic) bool { return t.Topic == f.tp.topic })
	if added {
		t.Topic, t.TopicId, t.Partitions = f.tp.topic, f.id, t.Partitions[:0]
	}
	t.Partitions = append(t.Partitions, int32(f.tp.partition))
}

// fetch sends s.req, reads the answer into a pooled buffer and queues its
// records for the application.
func (s *source) fetch(conn *broker.Conn) {
	r := s.r
	cfg := &r.config
	t0 := time.Now()
	conn.NetConn().SetDeadline(t0.Add(cfg.MaxWait + cfg.ReadBatchTimeout))
	v := s.reqVersion
	corr, err := conn.Send(wire.KeyFetch, v, &s.req)
	var body []byte
	if err == nil {
		body, err = conn.ReceiveOwned(corr, wire.KeyFetch, v, s.alloc)
	}
	if err == nil {
		if err = s.resp.DecodeFrom(body, v); err != nil {
			err = fmt.Errorf("kafka: reader: broker %d sent a Fetch answer that does not decode: %w", s.id, err)
		}
	}
	t1 := time.Now()
	r.stats.waitTime.Observe(int64(t1.Sub(t0)))
	r.stats.fetches.Add(1)
	if err != nil {
		s.putCur()
		s.failed(err)
		return
	}
	s.fails = 0
	if code := wire.Error(s.resp.ErrorCode); code != 0 {
		s.putCur()
		switch code {
		case wire.FetchSessionIdNotFound, wire.InvalidFetchSessionEpoch, wire.FetchSessionTopicIdError:
			r.logf("kafka: reader: broker %d: %v; starting a new fetch session", s.id, code)
			s.resetSession()
		default:
			s.failed(code)
		}
		return
	}
	if s.sessionEpoch == 0 {
		s.sessionID = s.resp.SessionId
		if s.sessionID != 0 {
			s.sessionEpoch = 1
		}
	} else {
		r.stats.incremental.Add(1)
		if s.sessionEpoch++; s.sessionEpoch < 0 {
			s.sessionEpoch = 1
		}
	}
	s.take(t1)
	r.stats.readTime.Observe(int64(time.Since(t1)))
}

func (s *source) putCur() {
	if s.cur != nil {
		fetchAnswers.Put(s.cur)
		s.cur = nil
	}
}

// take turns the decoded answer into items and queues them.
func (s *source) take(now time.Time) {
	r := s.r
	fb := fetchBufs.Get().(*fetchBuf)
	fb.buf, fb.src, s.cur = s.cur, s, nil
	s.out = s.out[:0]
	records, size := 0, 0
	r.fetchMu.Lock()
	for i := range s.resp.Responses {
		t := &s.resp.Responses[i]
		name := t.Topic
		if s.reqVersion >= 13 {
			name = s.names[t.TopicId]
		}
		for j := range t.Partitions {
			p := &t.Partitions[j]
			pr := s.parts[topicPartition{name, int(p.PartitionIndex)}]
			if pr == nil || !pr.inSession || pr.offset != pr.sessOffset {
				continue // no longer read here, or moved since the request
			}
			if code := wire.Error(p.ErrorCode); code != 0 {
				s.partitionError(pr, code, now)
				continue
			}
			pr.fails = 0
			pr.hw = p.HighWatermark
			if len(p.Records) == 0 {
				continue
			}
			next, n := batchesEnd(p.Records)
			if next <= pr.offset {
				// Not one whole batch: the partition's limit is below the
				// size of its next batch (only legacy message sets can do
				// that), so double it, within the frame limit.
				pr.maxBytes = int32(min(int(pr.maxBytes)*2, broker.DefaultMaxFrame/2))
				r.logf("kafka: reader of %s/%d: a batch at offset %d is larger than the fetch limit; raising it to %d", pr.tp.topic, pr.tp.partition, pr.offset, pr.maxBytes)
				continue
			}
			it := fetchItems.Get().(*fetchItem)
			it.pr, it.buf, it.records, it.from, it.epoch, it.hw = pr, fb, p.Records, pr.offset, pr.epoch.Load(), p.HighWatermark
			if len(p.AbortedTransactions) > 0 {
				// Brokers list aborted transactions in the order of their
				// abort markers; the read side wants them by first offset.
				it.aborted = append(it.aborted[:0], p.AbortedTransactions...)
				slices.SortFunc(it.aborted, func(a, b wire.FetchResponseAbortedTransaction) int {
					return cmp.Compare(a.FirstOffset, b.FirstOffset)
				})
			}
			s.out = append(s.out, it)
			pr.offset = next
			records += n
			size += len(p.Records)
		}
	}
	r.fetchMu.Unlock()
	r.stats.fetchSize.Observe(int64(records))
	r.stats.fetchBytes.Observe(int64(size))
	refs := 0
	for _, it := range s.out {
		if it.buf != nil {
			refs++
		}
	}
	if refs == 0 {
		fetchAnswers.Put(fb.buf)
		fb.buf, fb.src = nil, nil
		fetchBufs.Put(fb)
	} else {
		fb.refs.Store(int32(refs))
		s.buffered.Add(1)
	}
	s.deliverOut()
}

// deliverOut queues the items of s.out for the application.
func (s *source) deliverOut() {
	for i, it := range s.out {
		s.out[i] = nil
		if !s.r.deliver(it) {
			for j, rest := range s.out[i+1:] {
				s.out[i+1+j] = nil
				rest.free()
			}
			break
		}
	}
	s.out = s.out[:0]
}

// batchesEnd returns the offset after the last whole batch of a record
// set, and how many records its whole batches hold (legacy messages count
// one each). It reads only the batches' headers.
func batchesEnd(b []byte) (next int64, records int) {
	next = -1
	for len(b) >= 17 {
		base := int64(binary.BigEndian.Uint64(b))
		size := int(int32(binary.BigEndian.Uint32(b[8:])))
		if size < 0 || size > len(b)-12 {
			break
		}
		if b[16] == wire.RecordBatchMagic && size >= 49 {
			lastDelta := int64(int32(binary.BigEndian.Uint32(b[23:])))
			next = base + lastDelta + 1
			records += int(int32(binary.BigEndian.Uint32(b[57:])))
		} else {
			// Legacy message: its offset is the last of a compressed
			// wrapper's inner messages.
			next = base + 1
			records++
		}
		b = b[12+size:]
	}
	return next, records
}
