package fetcher

import (
	"cmp"
	"errors"
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

// source fetches every partition the Fetcher holds of one broker, over
// one connection, in one Fetch per round (see the package comment).
type source struct {
	f  *Fetcher
	id int32

	wake     chan struct{} // poked when there may be work: a partition added, a buffer freed
	buffered atomic.Int32  // answers read and not yet fully delivered

	// Guarded by the Fetcher's mu.
	addr   string
	parts  map[key]*Partition
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
	resolving    []*Partition
	out          []*Item
	cur          *pool.Buffer
	alloc        func(n int) []byte
	timer        *time.Timer
	// maxWait is the long poll's wait: the configured MaxWait, or less on
	// a connection whose SASL session is short (see keepSession).
	maxWait time.Duration
}

type forgotten struct {
	k  key
	id wire.UUID
}

func newSource(f *Fetcher, id int32, addr string) *source {
	s := &source{f: f, id: id, addr: addr, wake: make(chan struct{}, 1),
		parts: map[key]*Partition{}, names: map[wire.UUID]string{}}
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

// add gives pr to the source. Called with mu held.
func (s *source) add(pr *Partition) {
	s.parts[pr.key()] = pr
	pr.src = s
	pr.inSession = false
	for i, fg := range s.forget {
		if fg.k == pr.key() {
			// The session still holds the partition at some offset: the
			// next request updates it rather than adding and forgetting it
			// at once (the broker applies the forgetting last).
			s.forget = append(s.forget[:i], s.forget[i+1:]...)
			pr.inSession, pr.sessOffset = true, math.MinInt64
			break
		}
	}
	if pr.topicID != (wire.UUID{}) {
		s.names[pr.topicID] = pr.Topic
	}
	s.poke()
}

// remove takes pr from the source. Called with mu held.
func (s *source) remove(pr *Partition) {
	if s.parts[pr.key()] != pr {
		return
	}
	delete(s.parts, pr.key())
	if pr.inSession {
		s.forget = append(s.forget, forgotten{pr.key(), pr.topicID})
	}
	pr.inSession, pr.src = false, nil
	s.poke()
}

// unroute takes pr from the source and has the router find its leader
// again. Called with mu held.
func (s *source) unroute(pr *Partition) {
	s.remove(pr)
	s.f.kickRouter()
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

// wait waits for a poke, for d when positive, or for the Fetcher to close.
func (s *source) wait(d time.Duration) {
	ctx := s.f.ctx
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

// sleep waits for d or for the Fetcher to close, ignoring pokes.
func (s *source) sleep(d time.Duration) {
	s.timer.Reset(d)
	select {
	case <-s.f.ctx.Done():
	case <-s.timer.C:
	}
	s.timer.Stop()
}

// run fetches until the Fetcher closes.
func (s *source) run() {
	f := s.f
	defer f.wg.Done()
	defer s.dropConn()
	for f.ctx.Err() == nil {
		s.connMu.Lock()
		conn := s.conn
		s.connMu.Unlock()
		if s.buffered.Load() >= sourceBuffered {
			// The application is behind: no fetch until it catches up,
			// but the connection's SASL session is kept alive meanwhile.
			if conn != nil && s.keepSession(conn) {
				s.wait(s.renewIn(conn))
			} else if conn == nil {
				s.wait(0)
			}
			continue
		}
		if conn == nil {
			f.mu.Lock()
			idle := len(s.parts) == 0
			f.mu.Unlock()
			if idle {
				s.wait(0)
				continue
			}
			if conn = s.dial(); conn == nil {
				continue
			}
		}
		if !s.keepSession(conn) {
			continue
		}
		if s.resolve(conn) {
			continue
		}
		n, wait := s.build()
		if n == 0 {
			if r := s.renewIn(conn); r > 0 && (wait <= 0 || r < wait) {
				wait = r
			}
			s.wait(wait)
			continue
		}
		s.fetch(conn)
	}
}

// dial connects to the broker; nil after a failure (handled).
func (s *source) dial() *broker.Conn {
	f := s.f
	f.mu.Lock()
	addr := s.addr
	f.mu.Unlock()
	t0 := time.Now()
	c, err := f.cfg.Dial(f.ctx, addr)
	f.stats.Dials.Add(1)
	f.stats.DialTime.Observe(int64(time.Since(t0)))
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
	f := s.f
	s.dropConn()
	if f.ctx.Err() != nil {
		return
	}
	s.fails++
	f.stats.Errors.Add(1)
	if isTimeout(err) {
		f.stats.Timeouts.Add(1)
	}
	f.cfg.Errorf("kafka: reader: broker %d: attempt %d: %v", s.id, s.fails, err)
	f.mu.Lock()
	for _, pr := range s.parts {
		s.remove(pr)
	}
	s.forget = s.forget[:0]
	f.mu.Unlock()
	f.kickRouter()
	if s.fails%f.cfg.MaxAttempts == 0 {
		f.deliver(newErrorItem(nil, err))
	}
	s.sleep(f.backoff(s.fails))
}

// keepSession keeps conn's SASL session alive through the next request
// and its long poll: it re-authenticates when that is due (KIP-368), and
// polls for at most a fifth of the session's lifetime, so that a poll never
// outlasts the time left to re-authenticate in. It reports false when the
// connection was dropped: it sat idle past its session's end, or the
// re-authentication failed.
func (s *source) keepSession(conn *broker.Conn) bool {
	f := s.f
	s.maxWait = f.cfg.MaxWait
	if l := conn.SessionLifetime(); l > 0 {
		s.maxWait = min(s.maxWait, l/5)
	}
	conn.NetConn().SetDeadline(time.Now().Add(f.cfg.ReadBatchTimeout))
	n := conn.Authentications()
	err := conn.Refresh(f.ctx, s.maxWait)
	switch {
	case err == nil:
		if conn.Authentications() != n {
			f.stats.Reauths.Add(1)
		}
		return true
	case errors.Is(err, broker.ErrSessionExpired):
		s.dropConn()
	default:
		s.failed(err)
	}
	return false
}

// renewIn returns how long until keepSession would re-authenticate conn,
// 0 if it never will: a source that waits wakes up in time to.
func (s *source) renewIn(conn *broker.Conn) time.Duration {
	at := conn.ReauthAt()
	if at.IsZero() {
		return 0
	}
	return max(time.Until(at.Add(-s.maxWait)), time.Millisecond)
}

// resetSession starts a new fetch session: the next request is full.
func (s *source) resetSession() {
	s.sessionID, s.sessionEpoch = 0, 0
	s.f.mu.Lock()
	for _, pr := range s.parts {
		pr.inSession = false
	}
	s.forget = s.forget[:0]
	s.f.mu.Unlock()
}

// resolve looks up the offsets of the partitions that need one (FirstOffset,
// LastOffset, or out of range), with one ListOffsets. It reports whether
// it sent one.
func (s *source) resolve(conn *broker.Conn) bool {
	f := s.f
	now := time.Now()
	req := &s.lreq
	req.ReplicaId, req.IsolationLevel = -1, f.cfg.IsolationLevel
	req.Topics = req.Topics[:0]
	s.resolving = s.resolving[:0]
	f.mu.Lock()
	for _, pr := range s.parts {
		if pr.halted || (pr.offset >= 0 && !pr.reset) || now.Before(pr.retryAt) {
			continue
		}
		ts := pr.offset // FirstOffset (-2, earliest) or LastOffset (-1, latest)
		if pr.reset {
			ts = firstOffset
		}
		s.resolving = append(s.resolving, pr)
		t := listTopic(req, pr.Topic)
		t.Partitions = append(t.Partitions, wire.ListOffsetsRequestPartition{
			PartitionIndex: int32(pr.Partition), CurrentLeaderEpoch: -1, Timestamp: ts})
	}
	f.mu.Unlock()
	if len(s.resolving) == 0 {
		return false
	}
	v, err := conn.Version(wire.KeyListOffsets)
	if err == nil {
		conn.NetConn().SetDeadline(now.Add(f.cfg.ReadBatchTimeout))
		err = conn.Exchange(v, req, &s.lresp)
	}
	if err != nil {
		s.failed(err)
		return true
	}
	s.out = s.out[:0]
	f.mu.Lock()
	for i := range s.lresp.Topics {
		t := &s.lresp.Topics[i]
		for j := range t.Partitions {
			p := &t.Partitions[j]
			pr := s.parts[key{t.Name, int(p.PartitionIndex)}]
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
				f.cfg.Logf("kafka: reader of %s/%d: offset %d out of range, skipping to the first offset %d", pr.Topic, pr.Partition, pr.offset, p.Offset)
				pr.offset, pr.reset = p.Offset, false
			default:
				// Ahead of the partition's end: wait for it to grow.
				pr.reset = false
				pr.retryAt = now.Add(f.backoff(1))
			}
		}
	}
	f.mu.Unlock()
	s.deliverOut()
	return true
}

func (s *source) isResolving(pr *Partition) bool {
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
// with mu held.
func (s *source) partitionError(pr *Partition, code wire.Error, now time.Time) {
	f := s.f
	switch {
	case code == wire.OffsetOutOfRange && f.cfg.OffsetOutOfRangeError:
		pr.halted = true
		f.cfg.Errorf("kafka: reader of %s/%d: offset %d out of range", pr.Topic, pr.Partition, pr.offset)
		s.out = append(s.out, newErrorItem(pr, fmt.Errorf("kafka: reading %s/%d at offset %d: %w", pr.Topic, pr.Partition, pr.offset, code)))
	case code == wire.OffsetOutOfRange:
		pr.reset = true
	case isRefreshError(code):
		f.cfg.Logf("kafka: reader of %s/%d: %v; looking up its leader", pr.Topic, pr.Partition, code)
		s.unroute(pr)
	default:
		// An error that finding the leader again does not fix: the
		// application hears of it.
		f.stats.Errors.Add(1)
		pr.fails++
		pr.retryAt = now.Add(f.backoff(pr.fails))
		s.out = append(s.out, newErrorItem(pr, fmt.Errorf("kafka: reading %s/%d: %w", pr.Topic, pr.Partition, code)))
	}
}

// build prepares the next Fetch in s.req. It returns how many partitions
// the fetch covers (0: nothing to fetch now) and, if some partition waits
// for a backoff, how long until the first may be fetched.
func (s *source) build() (n int, wait time.Duration) {
	f := s.f
	cfg := &f.cfg
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
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
		MaxWaitMs:      int32(min(s.maxWait.Milliseconds(), math.MaxInt32)),
		MinBytes:       int32(cfg.MinBytes),
		MaxBytes:       int32(min(cfg.FetchMaxBytes, math.MaxInt32)),
		IsolationLevel: cfg.IsolationLevel,
		SessionId:      s.sessionID,
		SessionEpoch:   s.sessionEpoch,
		Topics:         req.Topics[:0],

		ForgottenTopicsData: req.ForgottenTopicsData[:0],
	}
	for _, pr := range s.parts {
		if !pr.fetchable(now) {
			if pr.inSession && !full {
				s.forgetPartition(forgotten{pr.key(), pr.topicID})
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
		for _, fg := range s.forget {
			s.forgetPartition(fg)
		}
	}
	s.forget = s.forget[:0]
	return n, wait
}

func (s *source) fetchPartition(pr *Partition) {
	t, added := entry(&s.req.Topics, func(t *wire.FetchRequestTopic) bool { return t.Topic == pr.Topic })
	if added {
		t.Topic, t.TopicId, t.Partitions = pr.Topic, pr.topicID, t.Partitions[:0]
	}
	t.Partitions = append(t.Partitions, wire.FetchRequestPartition{
		Partition:          int32(pr.Partition),
		CurrentLeaderEpoch: pr.leaderEpoch,
		FetchOffset:        pr.offset,
		LastFetchedEpoch:   -1,
		LogStartOffset:     -1,
		PartitionMaxBytes:  pr.maxBytes,
	})
}

func (s *source) forgetPartition(fg forgotten) {
	t, added := entry(&s.req.ForgottenTopicsData, func(t *wire.FetchRequestForgottenTopic) bool { return t.Topic == fg.k.topic })
	if added {
		t.Topic, t.TopicId, t.Partitions = fg.k.topic, fg.id, t.Partitions[:0]
	}
	t.Partitions = append(t.Partitions, int32(fg.k.partition))
}

// fetch sends s.req, reads the answer into a pooled buffer and queues its
// records for the application.
func (s *source) fetch(conn *broker.Conn) {
	f := s.f
	cfg := &f.cfg
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
	f.stats.WaitTime.Observe(int64(t1.Sub(t0)))
	f.stats.Fetches.Add(1)
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
			f.cfg.Logf("kafka: reader: broker %d: %v; starting a new fetch session", s.id, code)
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
		f.stats.Incremental.Add(1)
		if s.sessionEpoch++; s.sessionEpoch < 0 {
			s.sessionEpoch = 1
		}
	}
	s.take(t1)
	f.stats.ReadTime.Observe(int64(time.Since(t1)))
}

func (s *source) putCur() {
	if s.cur != nil {
		fetchAnswers.Put(s.cur)
		s.cur = nil
	}
}

// take turns the decoded answer into items and queues them.
func (s *source) take(now time.Time) {
	f := s.f
	fb := fetchBufs.Get().(*fetchBuf)
	fb.buf, fb.src, s.cur = s.cur, s, nil
	s.out = s.out[:0]
	records, size := 0, 0
	f.mu.Lock()
	for i := range s.resp.Responses {
		t := &s.resp.Responses[i]
		name := t.Topic
		if s.reqVersion >= 13 {
			name = s.names[t.TopicId]
		}
		for j := range t.Partitions {
			p := &t.Partitions[j]
			pr := s.parts[key{name, int(p.PartitionIndex)}]
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
			next, n := BatchesEnd(p.Records)
			if next <= pr.offset {
				// Not one whole batch: the partition's limit is below the
				// size of its next batch (only legacy message sets can do
				// that), so double it, within the frame limit.
				pr.maxBytes = int32(min(int(pr.maxBytes)*2, broker.DefaultMaxFrame/2))
				f.cfg.Logf("kafka: reader of %s/%d: a batch at offset %d is larger than the fetch limit; raising it to %d", pr.Topic, pr.Partition, pr.offset, pr.maxBytes)
				continue
			}
			it := items.Get().(*Item)
			it.Part, it.buf, it.Records, it.From, it.End, it.Epoch, it.HighWaterMark = pr, fb, p.Records, pr.offset, next, pr.epoch.Load(), p.HighWatermark
			if len(p.AbortedTransactions) > 0 {
				// Brokers list aborted transactions in the order of their
				// abort markers; the read side wants them by first offset.
				it.Aborted = append(it.Aborted[:0], p.AbortedTransactions...)
				slices.SortFunc(it.Aborted, func(a, b wire.FetchResponseAbortedTransaction) int {
					return cmp.Compare(a.FirstOffset, b.FirstOffset)
				})
			}
			s.out = append(s.out, it)
			pr.offset = next
			records += n
			size += len(p.Records)
		}
	}
	f.mu.Unlock()
	f.stats.FetchSize.Observe(int64(records))
	f.stats.FetchBytes.Observe(int64(size))
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
		if !s.f.deliver(it) {
			for j, rest := range s.out[i+1:] {
				s.out[i+1+j] = nil
				rest.Free()
			}
			break
		}
	}
	s.out = s.out[:0]
}
