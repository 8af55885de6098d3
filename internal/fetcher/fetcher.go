// Package fetcher is the engine behind the root package's Reader: it
// fetches the partitions it is given ahead of the application and hands
// their records over as items, each the records of one partition in one
// Fetch answer (see ../../../shared/DESIGN.md, "Fetch path").
//
//   - Each partition fetched is a Partition: its fetch position, no
//     goroutine of its own.
//   - The router (route.go) finds each partition's leader from metadata
//     and hands the partition to the source of that broker.
//   - A source (source.go) is one goroutine and one connection per
//     broker. It sends one Fetch covering every partition it holds, in a
//     fetch session (KIP-227): after the first, full request, a request
//     names only the partitions whose position moved, and the broker
//     answers only for partitions with news. The answer is read whole into
//     a pooled buffer, never copied again: each partition's records in it
//     become an Item, queued on Items for the application.
//   - The caller decodes an item's records (lazily, one record per read
//     call, in the Reader) and calls Free when done: when the last item of
//     a buffer is freed, the buffer goes back to the pool.
//
// Memory is bounded: a source has at most sourceBuffered answers waiting
// for the application, each at most FetchMaxBytes (plus the first batch of
// a partition, which the broker always sends whole).
//
// Goroutines: one router per Fetcher, and one source per broker that leads
// a partition fetched. None is started per fetch or per message, and none
// outlives Close.
//
// Locks, in the order they may be taken: the caller's own locks (the
// Reader holds its partition map's lock while it calls Remove), the
// Fetcher's mu, a source's connMu; routeMu is taken alone. mu guards the
// partition set, the sources and what Partition and source say it guards;
// Logf and Errorf may be called with it held, so they must not call into
// the Fetcher. The Fetcher never calls back into the caller otherwise, and
// never blocks on Items with a lock held.
package fetcher

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/producer"
	"github.com/zeroalloc/kafka/wire"
)

// sourceBuffered is how many Fetch answers of a broker may wait for the
// application: one being read while the next is fetched.
const sourceBuffered = 2

// firstOffset is the offset Start takes for "the first offset still held
// by the partition" (the root package's FirstOffset); -1 (LastOffset) is
// the next offset to be written.
const firstOffset int64 = -2

// Config is the Fetcher's configuration; the Reader fills every field
// (its defaults live there), with the ReaderConfig fields of the same
// names.
type Config struct {
	// Brokers are the bootstrap addresses the router asks for metadata.
	Brokers []string
	// Dial connects to a broker and returns a negotiated Conn (TLS and
	// SASL done).
	Dial func(ctx context.Context, addr string) (*broker.Conn, error)

	// QueueCapacity is the capacity of Items.
	QueueCapacity int
	// MinBytes and MaxWait are the broker's wait for records; MaxBytes is
	// a partition's initial limit in one Fetch, FetchMaxBytes a whole
	// answer's.
	MinBytes, MaxBytes, FetchMaxBytes int
	MaxWait                           time.Duration
	// ReadBatchTimeout is how long an answer may take beyond MaxWait.
	ReadBatchTimeout time.Duration
	// IsolationLevel is sent with Fetch and ListOffsets (1: read_committed).
	IsolationLevel int8
	// MaxAttempts: every MaxAttempts connection failures in a row, an
	// error item is queued.
	MaxAttempts int
	// OffsetOutOfRangeError makes an out-of-range offset an error item
	// (the partition is then halted) instead of a reset.
	OffsetOutOfRangeError bool
	// BackoffMin, doubled per failure up to BackoffMax, is the wait before
	// trying again after an error.
	BackoffMin, BackoffMax time.Duration
	// Logf and Errorf receive logs and errors (both must be set). They may
	// be called with the Fetcher's lock held.
	Logf, Errorf func(format string, args ...any)
}

// Stats are the Fetcher's live counters. The caller reads them (Swap(0)
// or Snapshot for the counters and summaries since its last read).
type Stats struct {
	Dials, Fetches, Timeouts, Errors atomic.Int64
	Reauths                          atomic.Int64     // SASL re-authentications (KIP-368)
	DialTime, ReadTime, WaitTime     producer.Summary // ns
	FetchSize, FetchBytes            producer.Summary // records, bytes per answer
	// Incremental counts the Fetch answers of an established session,
	// never reset by the Fetcher: the tests' evidence that sessions are
	// used.
	Incremental atomic.Int64
}

// Fetcher fetches partitions from their leaders and queues their records
// on Items. Its methods are safe for concurrent use.
type Fetcher struct {
	cfg    Config
	stats  Stats
	items  chan *Item
	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards parts, sources, and what Partition and source say it
	// guards.
	mu      sync.Mutex
	parts   map[*Partition]struct{}
	sources map[int32]*source

	// The router's state (route.go).
	routeKick chan struct{}
	routeMu   sync.Mutex
	routeConn *broker.Conn
	unrouted  []*Partition
	metaReq   wire.MetadataRequest
	metaResp  wire.MetadataResponse
}

// New returns a Fetcher for cfg, its router started. It fetches nothing
// until Start is called.
func New(cfg Config) *Fetcher {
	f := &Fetcher{
		cfg:       cfg,
		items:     make(chan *Item, cfg.QueueCapacity),
		parts:     map[*Partition]struct{}{},
		sources:   map[int32]*source{},
		routeKick: make(chan struct{}, 1),
	}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	f.wg.Add(1)
	go f.routeLoop()
	return f
}

// Items returns the queue of fetched items: the records of one partition
// in one answer, or an error. The receiver owns an item it takes and must
// call Free once done with it.
func (f *Fetcher) Items() <-chan *Item { return f.items }

// Stats returns the live counters.
func (f *Fetcher) Stats() *Stats { return &f.stats }

// Close stops fetching: it closes every connection, also in the middle of
// a long poll, waits for the Fetcher's goroutines to end and frees the
// items still queued. Start after Close fetches nothing.
func (f *Fetcher) Close() {
	f.cancel()
	f.mu.Lock()
	for _, s := range f.sources {
		s.shut()
	}
	f.mu.Unlock()
	f.setRouteConn(nil)
	f.wg.Wait()
	for {
		select {
		case it := <-f.items:
			it.Free()
		default:
			return
		}
	}
}

// Partition is one partition the Fetcher fetches: its fetch position, and
// its caller's delivery position (Next).
type Partition struct {
	f *Fetcher
	// Topic and Partition name the partition.
	Topic     string
	Partition int

	// Next is the caller's: the offset after the last record it delivered,
	// -1 before the first (Start sets it to -1). The Fetcher neither reads
	// nor writes it; the Reader guards it with its delivery lock.
	Next int64

	// stopped is set (with the caller's delivery lock held) when the
	// partition is no longer read: its items are dropped rather than
	// delivered.
	stopped atomic.Bool
	// epoch changes when the fetch position is moved back (a corrupt
	// batch is fetched again): items of an older epoch are dropped.
	epoch atomic.Uint32

	// Guarded by the Fetcher's mu.
	src         *source   // the leader's source; nil while unrouted
	offset      int64     // the next offset to fetch, or -2/-1 (first/last) until resolved
	reset       bool      // out of range: look up the log start offset
	halted      bool      // out of range with OffsetOutOfRangeError: stopped until moved
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

// key names a partition in a source's maps.
type key struct {
	topic     string
	partition int
}

func (p *Partition) key() key { return key{p.Topic, p.Partition} }

// Start starts fetching topic's partition at offset: an absolute offset,
// or -2 (the first offset) or -1 (the last), resolved by the partition's
// source.
func (f *Fetcher) Start(topic string, partition int, offset int64) *Partition {
	p := &Partition{f: f, Topic: topic, Partition: partition, Next: -1, offset: offset,
		leaderEpoch: -1, maxBytes: int32(f.cfg.MaxBytes), begin: max(offset, -1), hw: -1}
	f.mu.Lock()
	f.parts[p] = struct{}{}
	f.mu.Unlock()
	f.kickRouter()
	return p
}

// Remove ends fetching p. A Fetch in flight may still bring its records:
// their items are queued, and Stopped tells the receiver to drop them. It
// stops p if the caller has not (see Stop).
func (f *Fetcher) Remove(p *Partition) {
	p.stopped.Store(true)
	f.mu.Lock()
	delete(f.parts, p)
	if s := p.src; s != nil {
		s.remove(p)
	}
	f.mu.Unlock()
}

// Stop marks p stopped. The Reader calls it with its delivery lock held
// and then calls Remove: since it checks Stopped under the same lock
// before it delivers a record, no record of p is delivered once Stop
// returns.
func (p *Partition) Stop() { p.stopped.Store(true) }

// Stopped reports whether p was stopped.
func (p *Partition) Stopped() bool { return p.stopped.Load() }

// Epoch returns p's fetch epoch: an Item whose Epoch differs was fetched
// before a Rewind, and is to be dropped.
func (p *Partition) Epoch() uint32 { return p.epoch.Load() }

// fetchable reports whether the partition may be named in a Fetch now.
// Called with mu held.
func (p *Partition) fetchable(now time.Time) bool {
	return !p.halted && !p.reset && p.offset >= 0 && !now.Before(p.retryAt)
}

// Rewind makes the partition fetch again from offset, after a backoff,
// dropping what was fetched beyond it (after a corrupt batch): items
// fetched before carry an older Epoch.
func (p *Partition) Rewind(offset int64) {
	f := p.f
	f.mu.Lock()
	p.epoch.Add(1)
	p.offset = offset
	p.fails++
	p.retryAt = time.Now().Add(f.backoff(p.fails))
	s := p.src
	f.mu.Unlock()
	if s != nil {
		s.poke()
	}
}

// Snapshot returns the first offset fetched (-1 while a first or last
// offset start is not resolved) and the high watermark of the last answer
// for the partition (-1 before the first), for lag reports.
func (p *Partition) Snapshot() (begin, highWaterMark int64) {
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	return p.begin, p.hw
}

// deliver queues it for the application, waiting for room; false when
// the Fetcher closed first (it is then freed).
func (f *Fetcher) deliver(it *Item) bool {
	select {
	case f.items <- it:
		return true
	case <-f.ctx.Done():
		it.Free()
		return false
	}
}

// backoff is the wait before attempt n+1: BackoffMin doubled per failure,
// up to BackoffMax.
func (f *Fetcher) backoff(n int) time.Duration {
	d := f.cfg.BackoffMin
	for i := 1; i < n && d < f.cfg.BackoffMax; i++ {
		d *= 2
	}
	return min(d, f.cfg.BackoffMax)
}

// isRefreshError reports whether err calls for finding the partition's
// leader again: a leadership error, or anything that is not a Kafka error
// code (a broken or timed-out connection).
func isRefreshError(err error) bool {
	switch {
	case errors.Is(err, wire.NotLeaderOrFollower), errors.Is(err, wire.FencedLeaderEpoch),
		errors.Is(err, wire.UnknownLeaderEpoch), errors.Is(err, wire.LeaderNotAvailable),
		errors.Is(err, wire.UnknownTopicOrPartition), errors.Is(err, wire.ReplicaNotAvailable),
		errors.Is(err, wire.KafkaStorageError), errors.Is(err, wire.NetworkException),
		errors.Is(err, wire.RequestTimedOut), errors.Is(err, wire.UnknownTopicId),
		errors.Is(err, wire.InconsistentTopicId), errors.Is(err, wire.OffsetNotAvailable):
		return true
	}
	return !isKafkaError(err)
}

// isKafkaError reports whether err carries a Kafka error code. (errors.As
// with a local target would allocate it.)
func isKafkaError(err error) bool {
	for err != nil {
		switch err.(type) {
		case wire.Error, *wire.ErrorWithMessage:
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
