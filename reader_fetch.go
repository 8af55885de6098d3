package kafka

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeroalloc/kafka/pool"
	"github.com/zeroalloc/kafka/wire"
)

// How the Reader fetches (see ../shared/DESIGN.md, "Fetch path"):
//
//   - Each partition read is a partReader: its fetch position and its
//     delivery position, no goroutine of its own.
//   - The router (reader_route.go) finds each partition's leader from
//     metadata and hands the partition to the source of that broker.
//   - A source (reader_source.go) is one goroutine and one connection per
//     broker. It sends one Fetch covering every partition it holds, in a
//     fetch session (KIP-227): after the first, full request, a request
//     names only the partitions whose position moved, and the broker
//     answers only for partitions with news. The answer is read whole into
//     a pooled buffer, never copied again: each partition's records in it
//     become a fetchItem, queued for the application.
//   - The read calls decode an item's records lazily, one record per call,
//     copying key, value and headers from the buffer into the caller's
//     Message. When the last item of a buffer is done, the buffer goes back
//     to the pool.
//
// Memory is bounded: a source has at most sourceBuffered answers waiting
// for the application, each at most FetchMaxBytes (plus the first batch of
// a partition, which the broker always sends whole).

// sourceBuffered is how many Fetch answers of a broker may wait for the
// application: one being read while the next is fetched.
const sourceBuffered = 2

// partReader is one partition the Reader reads.
type partReader struct {
	r  *Reader
	tp topicPartition

	// stopped is set (with the Reader's deliverMu held) when the partition
	// is no longer read: its items are dropped rather than delivered.
	stopped atomic.Bool
	// epoch changes when the fetch position is moved back (a corrupt
	// batch is fetched again): items of an older epoch are dropped.
	epoch atomic.Uint32
	// next is the offset after the last message delivered, -1 before the
	// first; guarded by the Reader's deliverMu.
	next int64

	// Guarded by the Reader's fetchMu.
	src         *source   // the leader's source; nil while unrouted
	offset      int64     // the next offset to fetch, or FirstOffset/LastOffset until resolved
	reset       bool      // out of range: look up the log start offset
	halted      bool      // out of range with OffsetOutOfRangeError: stopped until SetOffset
	retryAt     time.Time // no fetch before this, after an error
	fails       int       // errors in a row
	leaderEpoch int32     // from metadata, for fencing (-1 unknown)
	topicID     wire.UUID // from metadata (zero unknown)
	maxBytes    int32     // the partition's fetch limit
	inSession   bool      // the broker's fetch session holds the partition
	sessOffset  int64     // the offset the session holds for it
	begin       int64     // the first offset fetched, -1 until known
	hw          int64     // the high watermark of the last answer, -1 before
}

// fetchable reports whether the partition may be named in a Fetch now.
// Called with fetchMu held.
func (pr *partReader) fetchable(now time.Time) bool {
	return !pr.halted && !pr.reset && pr.offset >= 0 && !now.Before(pr.retryAt)
}

// startPartition starts reading tp at offset (an absolute offset, or
// FirstOffset or LastOffset, resolved by the partition's source).
func (r *Reader) startPartition(tp topicPartition, offset int64) *partReader {
	pr := &partReader{r: r, tp: tp, next: -1, offset: offset, leaderEpoch: -1,
		maxBytes: int32(r.config.MaxBytes), begin: max(offset, -1), hw: -1}
	r.mu.Lock()
	r.parts[tp] = pr
	r.mu.Unlock()
	r.kickRouter()
	return pr
}

// stop ends reading the partition: no message of it is delivered once stop
// returns. A Fetch in flight may still bring its records; they are dropped.
func (pr *partReader) stop() {
	r := pr.r
	r.deliverMu.Lock()
	pr.stopped.Store(true)
	r.deliverMu.Unlock()
	r.fetchMu.Lock()
	if s := pr.src; s != nil {
		s.remove(pr)
	}
	r.fetchMu.Unlock()
}

// PartitionLag is where the Reader stands in one partition it reads.
type PartitionLag struct {
	Topic     string
	Partition int
	// Offset is the offset of the next message the read calls return for
	// the partition: after the last one delivered, or where reading
	// starts; -1 while a FirstOffset or LastOffset start is not resolved.
	Offset int64
	// HighWaterMark is the partition's high watermark as of the last Fetch
	// answer for it, -1 before the first.
	HighWaterMark int64
	// Lag is HighWaterMark minus Offset, -1 when either is unknown.
	Lag int64
}

// Lags returns the lag of every partition the Reader reads now (in group
// mode, those assigned to it), sorted by topic and partition. It is
// kafka-go's Lag for group mode, where Lag returns -1. The slice is the
// caller's.
func (r *Reader) Lags() []PartitionLag {
	r.mu.Lock()
	prs := make([]*partReader, 0, len(r.parts))
	for _, pr := range r.parts {
		prs = append(prs, pr)
	}
	r.mu.Unlock()
	out := make([]PartitionLag, 0, len(prs))
	for _, pr := range prs {
		r.deliverMu.Lock()
		next := pr.next
		r.deliverMu.Unlock()
		r.fetchMu.Lock()
		if next < 0 {
			next = pr.begin
		}
		l := PartitionLag{Topic: pr.tp.topic, Partition: pr.tp.partition, Offset: next, HighWaterMark: pr.hw, Lag: -1}
		r.fetchMu.Unlock()
		if l.Offset >= 0 && l.HighWaterMark >= 0 {
			l.Lag = max(l.HighWaterMark-l.Offset, 0)
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b PartitionLag) int {
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		return a.Partition - b.Partition
	})
	return out
}

// fetchBuf is one Fetch answer read whole, shared by the items that point
// into it.
type fetchBuf struct {
	buf  *pool.Buffer
	refs atomic.Int32
	src  *source
}

var fetchBufs = sync.Pool{New: func() any { return new(fetchBuf) }}

// release drops one reference; the last gives the memory back to the pool
// and lets the source fetch again.
func (fb *fetchBuf) release() {
	if fb.refs.Add(-1) != 0 {
		return
	}
	s := fb.src
	fetchAnswers.Put(fb.buf)
	fb.buf, fb.src = nil, nil
	fetchBufs.Put(fb)
	s.buffered.Add(-1)
	s.poke()
}

// fetchItem is the records of one partition in one Fetch answer, or an
// error for the application.
type fetchItem struct {
	pr      *partReader // nil for an error of no partition
	buf     *fetchBuf
	records []byte // in buf
	from    int64  // the fetch offset: records before it are skipped
	epoch   uint32 // pr's epoch when fetched
	hw      int64
	aborted []wire.FetchResponseAbortedTransaction // read_committed only; capacity reused
	err     error
}

var fetchItems = sync.Pool{New: func() any { return new(fetchItem) }}

func newErrorItem(pr *partReader, err error) *fetchItem {
	it := fetchItems.Get().(*fetchItem)
	it.pr, it.err = pr, err
	return it
}

// free releases the item's buffer and recycles it.
func (it *fetchItem) free() {
	if it.buf != nil {
		it.buf.release()
	}
	it.pr, it.buf, it.records, it.err = nil, nil, nil, nil
	it.aborted = it.aborted[:0]
	fetchItems.Put(it)
}

// deliver queues it for the application, waiting for room; false when
// the Reader closed first (it is then freed).
func (r *Reader) deliver(it *fetchItem) bool {
	select {
	case r.msgs <- it:
		return true
	case <-r.ctx.Done():
		it.free()
		return false
	}
}

// nextRecord reads the next record of it into m; false at the item's end
// (err says why when it ended early). Called with deliverMu held; r.iter
// was reset to it.records when the item was taken.
func (r *Reader) nextRecord(it *fetchItem, m *Message) (bool, error) {
	iter := &r.iter
	skip := false // the current batch is dropped whole
	for {
		if !skip && iter.NextRecord() {
			rec := iter.Record()
			if rec.Offset < it.from {
				continue // the batch began before the fetch offset
			}
			fillMessage(m, it, rec)
			return true, nil
		}
		if !iter.NextBatch() {
			return false, iter.Err()
		}
		b := iter.Batch()
		skip = b.LastOffset() < it.from
		if skip {
			continue
		}
		if len(it.aborted) > 0 || len(r.abortedPIDs) > 0 {
			// read_committed: a transaction's records are dropped from the
			// first offset the broker lists for its abort up to its abort
			// marker (the broker lists them in offset order).
			for r.abortIdx < len(it.aborted) && it.aborted[r.abortIdx].FirstOffset <= b.LastOffset() {
				r.abortedPIDs = append(r.abortedPIDs, it.aborted[r.abortIdx].ProducerId)
				r.abortIdx++
			}
			if b.Control() {
				r.dropAborted(b.ProducerID)
			} else if b.Transactional() && r.isAborted(b.ProducerID) {
				skip = true
			}
		}
		skip = skip || b.Control()
	}
}

func (r *Reader) isAborted(pid int64) bool {
	for _, p := range r.abortedPIDs {
		if p == pid {
			return true
		}
	}
	return false
}

func (r *Reader) dropAborted(pid int64) {
	for i, p := range r.abortedPIDs {
		if p == pid {
			r.abortedPIDs = append(r.abortedPIDs[:i], r.abortedPIDs[i+1:]...)
			return
		}
	}
}

// fillMessage copies rec into m, reusing m's memory: key and value are
// appended to m.Key[:0] and m.Value[:0] (nil stays nil), headers to
// m.Headers[:0], a header key string kept when unchanged.
func fillMessage(m *Message, it *fetchItem, rec *wire.Record) {
	m.Topic, m.Partition, m.Offset, m.HighWaterMark = it.pr.tp.topic, it.pr.tp.partition, rec.Offset, it.hw
	m.Time = time.UnixMilli(rec.Timestamp)
	if rec.Key == nil {
		m.Key = nil
	} else {
		m.Key = append(reuse(m.Key), rec.Key...)
	}
	if rec.Value == nil {
		m.Value = nil
	} else {
		m.Value = append(reuse(m.Value), rec.Value...)
	}
	if rec.NumHeaders == 0 {
		if m.Headers != nil {
			m.Headers = m.Headers[:0]
		}
		return
	}
	m.Headers = growHeaders(m.Headers, rec.NumHeaders)
	hs := rec.Headers()
	for i := range m.Headers {
		k, v, _ := hs.Next()
		h := &m.Headers[i]
		if h.Key != string(k) {
			h.Key = string(k)
		}
		if v == nil {
			h.Value = nil
		} else {
			h.Value = append(reuse(h.Value), v...)
		}
	}
}

// rewind makes the partition fetch again from offset, dropping what was
// fetched beyond it (after a corrupt batch).
func (pr *partReader) rewind(offset int64) {
	r := pr.r
	r.fetchMu.Lock()
	pr.epoch.Add(1)
	pr.offset = offset
	pr.fails++
	pr.retryAt = time.Now().Add(r.backoff(pr.fails))
	s := pr.src
	r.fetchMu.Unlock()
	if s != nil {
		s.poke()
	}
}

// corruptError names the partition and offset of a batch that failed its
// checks.
func corruptError(pr *partReader, err error) error {
	return fmt.Errorf("kafka: reading %s/%d: %w", pr.tp.topic, pr.tp.partition, err)
}

// isRefreshError reports whether err calls for finding the partition's
// leader again: a leadership error, or anything that is not a Kafka error
// code (a broken or timed-out connection).
func isRefreshError(err error) bool {
	switch {
	case errors.Is(err, NotLeaderForPartition), errors.Is(err, FencedLeaderEpoch),
		errors.Is(err, UnknownLeaderEpoch), errors.Is(err, LeaderNotAvailable),
		errors.Is(err, UnknownTopicOrPartition), errors.Is(err, ReplicaNotAvailable),
		errors.Is(err, KafkaStorageError), errors.Is(err, NetworkException),
		errors.Is(err, RequestTimedOut), errors.Is(err, wire.UnknownTopicId),
		errors.Is(err, wire.InconsistentTopicId), errors.Is(err, wire.OffsetNotAvailable):
		return true
	}
	return !isKafkaError(err)
}

// backoff is the wait before attempt n+1: ReadBackoffMin doubled per
// failure, up to ReadBackoffMax.
func (r *Reader) backoff(n int) time.Duration {
	d := r.config.ReadBackoffMin
	for i := 1; i < n && d < r.config.ReadBackoffMax; i++ {
		d *= 2
	}
	return min(d, r.config.ReadBackoffMax)
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
