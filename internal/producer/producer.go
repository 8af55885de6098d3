// Package producer is the engine behind the root package's Writer: records
// encoded once into per-partition batches as they are accepted, one sink
// per broker that sends every ready batch of the partitions it leads in one
// Produce request (up to MaxInFlight requests pipelined on its connection),
// idempotent sequences, retries that resend the same bytes in order, and
// a metadata manager that moves partitions when their leader changes.
//
// Goroutines: one metadata manager per Producer, and per broker one sink
// goroutine that sends and one that reads the answers of its current
// connection. None is started per batch or per message, and none outlives
// Close.
//
// The package is generic over the caller's message type M only so that an
// asynchronous producer can hand each batch's messages back to a completion
// callback; records are encoded from plain key, value and header slices.
package producer

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// Errors of the engine. Kafka errors come back as wire errors (errors.Is).
var (
	// ErrClosed is returned for writes after Close.
	ErrClosed = errors.New("kafka: writer closed")
	// ErrNoTopic means the metadata did not list the topic.
	ErrNoTopic = errors.New("kafka: topic not found in the cluster metadata")
)

// Config is the engine's configuration; the root package fills every field
// (its defaults live there).
type Config[M any] struct {
	// Bootstrap lists broker addresses to fetch metadata from.
	Bootstrap []string
	// Dial connects to a broker and returns a negotiated Conn (TLS and SASL
	// done).
	Dial func(ctx context.Context, addr string) (*broker.Conn, error)

	Acks       int16
	Idempotent bool
	Codec      wire.Codec
	Level      int

	// BatchSize and BatchBytes bound a batch's records and bytes; Linger is
	// how long an open batch waits for more records while its broker's
	// connection is busy (an idle connection sends at once).
	BatchSize  int
	BatchBytes int
	Linger     time.Duration

	// MaxInFlight bounds the requests pipelined on one connection (5 at
	// most with idempotence).
	MaxInFlight int
	// MaxAttempts bounds the sends of one batch; backoff between retries
	// grows from BackoffMin to BackoffMax.
	MaxAttempts            int
	BackoffMin, BackoffMax time.Duration
	// DeliveryTimeout bounds how long a batch may wait unsent (0: no
	// bound): one older fails with ErrDeliveryTimeout (see expire).
	DeliveryTimeout time.Duration
	// ReadTimeout bounds the wait for an answer; WriteTimeout a send, and
	// it is also the time the broker is given to replicate (acks=all).
	ReadTimeout, WriteTimeout time.Duration

	AutoCreate  bool
	BufferBytes int64
	// KeepCost is what a record kept for the completion callback (Append's
	// keep) costs beyond its encoded size: the buffer budget counts the
	// kept copy too. The caller acquires RecordSize plus KeepCost for such
	// a record.
	KeepCost    int64
	MetadataTTL time.Duration

	// OnBatch, when set, is called with every batch once its records are
	// settled (from the goroutine that read the answer: a connection's
	// reader, or a synchronous caller reading its own; one call at a time
	// per broker). The batch and its Msgs are valid during the call only.
	OnBatch func(b *Batch[M])
	// OnSeal, when set, is called when a partition's batch is closed
	// (under the partition's lock: it must not call back into the engine).
	OnSeal func(topic string, partition int32)
	// Errorf logs errors (nil: silent).
	Errorf func(format string, args ...any)
}

// Producer is the engine. Its methods are safe for concurrent use.
type Producer[M any] struct {
	cfg Config[M]

	mu     sync.Mutex // guards topics (writes), brokers, sinks
	topics atomic.Pointer[map[string]*Topic[M]]
	// lastTopic is the topic Topic found last.
	lastTopic atomic.Pointer[Topic[M]]
	brokers   map[int32]string
	sinks     map[int32]*sink[M]
	closed    atomic.Bool
	closeOnce atomic.Bool // Close has begun
	// acceptMu orders accepting against Close: writers hold it shared
	// while they append, Close takes it to set closed, so that nothing is
	// accepted after Close has begun flushing.
	acceptMu sync.RWMutex

	// closing is closed when Close begins: callers waiting to be accepted
	// give up. quit is closed when the goroutines must stop (Close has
	// flushed), life then cancelled: it bounds the dials.
	closing  chan struct{}
	quit     chan struct{}
	life     context.Context
	stop     context.CancelFunc
	metaKick chan struct{}
	wg       sync.WaitGroup
	// metaLive is the metadata manager's connection, for Close to close.
	metaLive atomic.Pointer[broker.Conn]

	// Idempotence: the producer id and epoch, published when ready.
	ready    chan struct{}
	isReady  atomic.Bool
	initErr  error
	pid      atomic.Int64
	epoch    atomic.Int32
	needBump atomic.Bool
	bumpGen  atomic.Int64
	// bumpMu is held shared by a sink from collect to the end of send,
	// and exclusively by bump: a bump never renumbers a batch that is
	// collected or being written.
	bumpMu    sync.RWMutex
	inflightB atomic.Int64 // batches sent and not answered, all sinks

	// budget bounds the bytes of accepted records not settled, and Flush
	// waits until none are held: a record takes its bytes before it is
	// appended and gives them back with its batch, so the budget is empty
	// exactly when every accepted record is settled (a count of records
	// beside it cost one more atomic add per record).
	settled  chan struct{} // cap 1: a record was settled (Flush waiters)
	flushing atomic.Int32
	budget   budget
	clock    clock

	batchMu sync.Mutex
	batches []*Batch[M] // recycled
	calls   sync.Pool

	stats Stats
}

// Topic is a topic's routing state.
type Topic[M any] struct {
	Name  string
	ready chan struct{} // closed when meta is first set
	meta  atomic.Pointer[topicMeta[M]]
	// lookups counts metadata answers that did not list the topic.
	lookups int
}

type topicMeta[M any] struct {
	parts []*Partition[M]
	ids   []int
	err   error
}

// Partition is one partition's producing state.
type Partition[M any] struct {
	Topic string
	ID    int32

	mu     sync.Mutex
	leader int32
	sink   *sink[M]
	// open is the batch being filled; queue the closed batches not yet
	// acknowledged, in sequence order, queue[:sent] being in flight on
	// busy.
	open  *Batch[M]
	queue []*Batch[M]
	sent  int
	busy  *sink[M]
	// blocked stops sends until what is in flight is answered and retryAt
	// has passed; reseq asks for sequences to be renumbered from ackSeq
	// then (a batch before them failed for good).
	blocked bool
	reseq   bool
	retryAt time.Time
	nextSeq int32
	ackSeq  int32
	// confirmed is set once a batch is acknowledged under the current
	// epoch. Until then the broker may hold no state for the producer on
	// the partition, and it takes a first batch at any sequence: were a
	// second batch in flight when the first fails (a retriable error), the
	// second would be written first. So an idempotent partition sends one
	// batch at a time until confirmed.
	confirmed bool
	// sizeHint and countHint are the size and record count of the
	// partition's last batch: a new batch's buffers are given that much
	// room up front instead of growing record by record (a batch's Msgs
	// copies are large).
	countHint int
	// sizeHint: see countHint.
	// buffer is given that much room up front instead of growing.
	sizeHint int
}

// Batch is one record batch of a partition.
type Batch[M any] struct {
	part    *Partition[M]
	b       wire.RecordBatchBuilder
	buf     []byte
	ext     []wire.External // values sent from their owners' memory
	wireLen int             // len(buf) plus the external values
	n       int
	bytes   int // key and value bytes
	size    int64
	created time.Time
	tries   int
	baseSeq int32
	// unknown is set when an attempt reached the broker and its answer
	// was lost or a retriable error that may come after the append: the
	// broker may have written the batch. Such a batch is never
	// renumbered: it is resent under its numbers until the broker says
	// (see Partition.unresolved).
	unknown bool
	// refs names the synchronous call of each record; it is empty while
	// the batch has only asynchronous records (see addRef).
	refs []Ref[M]
	// Msgs holds the messages of an asynchronous writer with a completion
	// callback (see Append's keep).
	Msgs []M
	// BaseOffset is the offset of the first record once written, -1 when
	// unknown; Err the batch's error.
	BaseOffset int64
	Err        error
}

// Topic and Partition name the batch's partition.
func (b *Batch[M]) Topic() string    { return b.part.Topic }
func (b *Batch[M]) Partition() int32 { return b.part.ID }

// Ref names one message of a synchronous call.
type Ref[M any] struct {
	C *Call[M]
	I int32
}

// New returns a Producer; its goroutines start with the first Topic call.
func New[M any](cfg Config[M]) *Producer[M] {
	p := &Producer[M]{
		cfg:      cfg,
		brokers:  map[int32]string{},
		sinks:    map[int32]*sink[M]{},
		closing:  make(chan struct{}),
		quit:     make(chan struct{}),
		metaKick: make(chan struct{}, 1),
		ready:    make(chan struct{}),
		settled:  make(chan struct{}, 1),
	}
	p.life, p.stop = context.WithCancel(context.Background())
	p.budget.init(cfg.BufferBytes)
	p.clock.init()
	m := map[string]*Topic[M]{}
	p.topics.Store(&m)
	p.pid.Store(-1)
	p.epoch.Store(-1)
	if !cfg.Idempotent {
		close(p.ready)
		p.isReady.Store(true)
	}
	p.wg.Add(1)
	go p.metaLoop()
	return p
}

// Stats returns the engine's counters (see Stats).
func (p *Producer[M]) Stats() *Stats { return &p.stats }

// Topic returns name's routing state, waiting (bounded by ctx) for its
// first metadata and, with idempotence, for the producer id. The returned
// partitions and ids are shared: read only.
func (p *Producer[M]) Topic(ctx context.Context, name string) (parts []*Partition[M], ids []int, err error) {
	// Most writers write to one topic: the last one found is checked
	// before the map (a string compare of the same bytes is a pointer
	// compare).
	t := p.lastTopic.Load()
	if t == nil || t.Name != name {
		if t = (*p.topics.Load())[name]; t != nil {
			p.lastTopic.Store(t)
		}
	}
	if t == nil {
		p.mu.Lock()
		if p.closed.Load() {
			p.mu.Unlock()
			return nil, nil, ErrClosed
		}
		m := *p.topics.Load()
		if t = m[name]; t == nil {
			nm := make(map[string]*Topic[M], len(m)+1)
			for k, v := range m {
				nm[k] = v
			}
			t = &Topic[M]{Name: name, ready: make(chan struct{})}
			nm[name] = t
			p.topics.Store(&nm)
		}
		p.mu.Unlock()
		p.kickMeta()
	}
	if t.meta.Load() != nil && p.isReady.Load() {
		// The fast path: both known already.
		if tm := t.meta.Load(); tm.err == nil {
			return tm.parts, tm.ids, nil
		}
	}
	for _, ch := range [2]chan struct{}{t.ready, p.ready} {
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-p.closing:
			return nil, nil, ErrClosed
		}
	}
	if p.initErr != nil {
		return nil, nil, p.initErr
	}
	tm := t.meta.Load()
	if tm.err != nil {
		p.kickMeta()
		return nil, nil, tm.err
	}
	return tm.parts, tm.ids, nil
}

// NowMilli returns the wall clock in Unix milliseconds, a record's
// timestamp, for one monotonic clock read (see clock).
func (p *Producer[M]) NowMilli() int64 { return p.clock.milli() }

// Acquire reserves n bytes of the buffer budget, waiting (bounded by ctx)
// for settled records to free them.
func (p *Producer[M]) Acquire(ctx context.Context, n int64) error {
	return p.budget.acquire(ctx, n, p.closing)
}

// RecordSize bounds the encoded size of a record of these parts from
// above: its bytes plus the widest varints a record can have (length,
// attributes, timestamp and offset deltas, key and value lengths, header
// count; key and value lengths per header). It is both the budget the
// record takes and what Append checks against BatchBytes, so the record is
// sized once; a batch may close up to a few dozen bytes before BatchBytes.
func RecordSize(key, value []byte, hdrs []wire.RecordHeader) int64 {
	n := 36 + len(key) + len(value)
	for i := range hdrs {
		n += 10 + len(hdrs[i].Key) + len(hdrs[i].Value)
	}
	return int64(n)
}

// ExternalMin is the size from which a value of a synchronous call is not
// copied into its batch: the request's vectored write sends it from the
// caller's memory (uncompressed batches only).
const ExternalMin = 8 << 10

// Append encodes one record into part's open batch. The caller has
// acquired size (RecordSize) bytes of budget, released when the record is
// settled. ref names the synchronous call waiting for the record (C nil for
// none); keep, when not nil, is copied into the batch's Msgs for OnBatch.
// key and hdrs are only read, during the call; so is value, except for a
// synchronous call's value of ExternalMin bytes or more in an uncompressed
// batch when the call is Extern, which is read until the record is
// settled (the call waits for that) and must not change before.
//
// The record must fit a batch (Fits). Append returns the partition's
// sink, for Wake once the caller has appended what it had (waking it at
// every record would send batches of one record while the caller is still
// appending).
func (p *Producer[M]) Append(part *Partition[M], ts int64, key, value []byte, hdrs []wire.RecordHeader, size int64, ref Ref[M], keep *M) Sink[M] {
	var failed [2]*Batch[M]
	part.mu.Lock()
	b := part.open
	closed := false // the batch this record did not fit: sent as a full one
	if b != nil && (b.n >= p.cfg.BatchSize || b.b.Size()+int(size) > p.cfg.BatchBytes) {
		failed[0] = p.seal(part)
		b = nil
		closed = true
	}
	if b == nil {
		b = p.newBatch(part)
		part.open = b
	}
	if ref.C != nil && ref.C.Extern && len(value) >= ExternalMin && p.cfg.Codec == wire.CodecNone {
		// The caller waits until the batch is settled: its value can
		// be sent from where it is.
		b.b.AppendExternal(ts, key, value, hdrs)
	} else {
		b.b.Append(ts, key, value, hdrs)
	}
	b.n++
	b.bytes += len(key) + len(value)
	b.size += size
	if ref.C != nil || len(b.refs) > 0 {
		b.addRef(ref, part.countHint, p.cfg.BatchSize)
	}
	if keep != nil {
		b.Msgs = append(room(b.Msgs, p.cfg.BatchSize), *keep)
		b.size += p.cfg.KeepCost // acquired with the record, released with the batch
	}
	s := part.sink
	full := b.n >= p.cfg.BatchSize || b.b.Size() >= p.cfg.BatchBytes
	if full {
		failed[1] = p.seal(part)
	}
	part.mu.Unlock()
	p.settleFailed(failed[:])
	if (full || closed) && s != nil && (ref.C == nil || int(ref.I) != ref.C.n-1 || s.inflight.Load() > 0) {
		// A full batch goes at once, busy sink or not; but after the last
		// record of a synchronous call to an idle sink the caller sends
		// it itself next (Wake): with BatchSize 1 every synchronous write
		// woke the sink's goroutine for nothing.
		s.wake()
	}
	return Sink[M]{s}
}

// addRef notes ref for b's last record. A batch of asynchronous records
// only has no refs (their entries would all be empty, and an asynchronous
// writer would write and clear 16 bytes more per record); from the first
// record of a synchronous call on, refs has one entry per record, the
// earlier ones empty. hint is the partition's countHint, limit BatchSize.
func (b *Batch[M]) addRef(ref Ref[M], hint, limit int) {
	if len(b.refs) == 0 && cap(b.refs) < max(hint, b.n) {
		b.refs = slices.Grow(b.refs, max(hint, b.n))
	}
	for len(b.refs) < b.n-1 {
		b.refs = append(room(b.refs, limit), Ref[M]{})
	}
	b.refs = append(room(b.refs, limit), ref)
}

// room makes room for one more element of s, doubling its capacity when
// it is full, up to limit (a batch's records never exceed BatchSize).
// append grows a large slice by a quarter only, so while a partition's
// first batches find their size (countHint starts at one record) Msgs was
// copied into ever larger fresh memory a dozen times: append's growslice
// took 0.07 s of 1.63 s of CPU samples over six kbench runs of 500,000
// messages.
func room[T any](s []T, limit int) []T {
	if len(s) < cap(s) {
		return s
	}
	return slices.Grow(s, max(min(len(s), limit-len(s)), 16))
}

// Fits reports whether a record of size (RecordSize) fits a batch; one that
// does not fails alone, before taking any budget.
func (p *Producer[M]) Fits(size int64) bool {
	return wire.RecordBatchHeaderSize+int(size) <= p.cfg.BatchBytes
}

// Sink is the broker a record went to, for Wake.
type Sink[M any] struct{ s *sink[M] }

// Wake tells the broker that records of a synchronous call are waiting,
// when it has nothing in flight: a busy sink looks at its partitions again
// when an answer comes, and seals a full batch at once, so waking it at
// every write would only cost a goroutine switch per call.
func (k Sink[M]) Wake(c *Call[M]) {
	if k.s != nil && k.s.inflight.Load() == 0 {
		k.s.tryDrain(nil, c)
	}
}

// Nudge is Wake for asynchronous records, which linger: a sink whose timer
// already waits for a lingering batch collects them when it fires.
func (k Sink[M]) Nudge() {
	if k.s != nil && k.s.inflight.Load() == 0 && !k.s.armed.Load() {
		k.s.wake()
	}
}

// settleFailed settles the batches seal could not close (nil entries are
// skipped); the partition's lock is not held.
func (p *Producer[M]) settleFailed(bs []*Batch[M]) {
	for _, b := range bs {
		if b != nil {
			p.settle(b, b.Err)
		}
	}
}

// newBatch returns a batch begun for part (part.mu held).
func (p *Producer[M]) newBatch(part *Partition[M]) *Batch[M] {
	p.batchMu.Lock()
	var b *Batch[M]
	if n := len(p.batches); n > 0 {
		b = p.batches[n-1]
		p.batches = p.batches[:n-1]
	}
	p.batchMu.Unlock()
	if b == nil {
		b = &Batch[M]{}
	}
	b.part = part
	b.created = time.Now()
	p.clock.sync(b.created)
	b.BaseOffset = -1
	opts := wire.ProducerBatchOptions()
	opts.Codec, opts.Level = p.cfg.Codec, p.cfg.Level
	buf := b.buf[:0]
	if part.sizeHint > cap(buf) {
		buf = slices.Grow(buf, min(part.sizeHint, p.cfg.BatchBytes+wire.RecordBatchHeaderSize))
	}
	n := min(part.countHint, p.cfg.BatchSize)
	if p.cfg.OnBatch != nil && n > cap(b.Msgs) {
		b.Msgs = slices.Grow(b.Msgs, n)
	}
	b.b.Begin(buf, opts)
	return b
}

// freeBatch recycles b, keeping its buffers unless they grew large.
func (p *Producer[M]) freeBatch(b *Batch[M]) {
	clear(b.refs)
	clear(b.Msgs)
	b.b.Release() // no reference to a caller's value outlives its batch
	*b = Batch[M]{buf: b.buf[:0], refs: b.refs[:0], Msgs: b.Msgs[:0], b: b.b}
	if cap(b.buf) > 4*p.cfg.BatchBytes {
		b.buf = nil
	}
	p.batchMu.Lock()
	if len(p.batches) < 4096 {
		p.batches = append(p.batches, b)
	}
	p.batchMu.Unlock()
}

// seal closes part's open batch into its queue, numbering it (part.mu
// held). A batch that cannot be closed (a codec failure) is returned, its
// Err set, for the caller to settle once it has let go of the lock; it
// fails alone and gives its sequence numbers back.
func (p *Producer[M]) seal(part *Partition[M]) (failed *Batch[M]) {
	b := part.open
	part.open = nil
	seq := int32(-1)
	if p.cfg.Idempotent {
		seq = part.nextSeq
		part.nextSeq = addSeq(seq, b.n)
	}
	b.baseSeq = seq
	b.b.SetProducer(p.pid.Load(), int16(p.epoch.Load()), seq)
	// The hint is for the batch's own buffer: external values are not in it.
	sz := b.b.Size()
	for _, e := range b.b.Externals() {
		sz -= len(e.B)
	}
	if sz > part.sizeHint || sz < part.sizeHint/4 {
		part.sizeHint, part.countHint = sz, b.n
	}
	if err := b.finish(); err != nil {
		b.Err = err
		if p.cfg.Idempotent {
			part.nextSeq = seq
		}
		return b
	}
	part.queue = append(part.queue, b)
	if p.cfg.OnSeal != nil {
		p.cfg.OnSeal(part.Topic, part.ID)
	}
	return nil
}

// finish ends b's builder into b.buf and notes its external values and
// its size on the wire.
func (b *Batch[M]) finish() error {
	buf, err := b.b.Finish()
	b.buf = buf
	b.ext = b.b.Externals()
	b.wireLen = len(buf)
	for _, e := range b.ext {
		b.wireLen += len(e.B)
	}
	return err
}

// addSeq advances a sequence number, wrapping at 2^31 as Kafka does.
func addSeq(seq int32, n int) int32 {
	return int32((int64(seq) + int64(n)) % (1 << 31))
}

// settle reports b's records to their calls and callback, frees their
// budget and recycles b.
func (p *Producer[M]) settle(b *Batch[M], err error) {
	b.Err = err
	for i := 0; i < len(b.refs); {
		c := b.refs[i].C
		j := i + 1
		if err == nil {
			// Consecutive records of one call settle together.
			for j < len(b.refs) && b.refs[j].C == c {
				j++
			}
		}
		if c != nil {
			c.settle(b.refs[i:j], err)
		}
		i = j
	}
	if err != nil {
		p.stats.Errors.Add(1)
		if p.cfg.Errorf != nil && p.cfg.OnBatch == nil {
			p.cfg.Errorf("kafka: writing %d messages to %s/%d: %v", b.n, b.part.Topic, b.part.ID, err)
		}
	} else {
		p.stats.Messages.Add(int64(b.n))
		p.stats.Bytes.Add(int64(b.bytes))
		p.stats.BatchTime.observe(time.Since(b.created))
	}
	if p.cfg.OnBatch != nil {
		p.cfg.OnBatch(b)
	}
	p.budget.release(b.size)
	select {
	case p.settled <- struct{}{}:
	default:
	}
	p.freeBatch(b)
}

// Flush sends every open batch at once and waits until every record
// accepted so far is settled, or ctx is done.
func (p *Producer[M]) Flush(ctx context.Context) error {
	p.flushing.Add(1)
	defer p.flushing.Add(-1)
	p.wakeAll()
	for p.budget.Used() > 0 {
		select {
		case <-p.settled:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
			// Several Flush callers share one signal: look again.
			p.wakeAll()
		}
	}
	// Pass the signal on to another Flush caller.
	select {
	case p.settled <- struct{}{}:
	default:
	}
	return nil
}

func (p *Producer[M]) wakeAll() {
	p.mu.Lock()
	for _, s := range p.sinks {
		s.wake()
	}
	p.mu.Unlock()
}

// Close stops accepting records, flushes what was accepted (bounded by
// ctx) and stops every goroutine. Writers waiting to be accepted (for
// metadata, for room in the budget) fail with ErrClosed at once. When ctx
// ends first, what is left fails with ErrClosed (wrapped in
// ErrOutcomeUnknown when an attempt's answer was lost), and Close returns
// an error that says how many, wrapping ctx's. Then the goroutines stop
// promptly whatever the brokers do: every connection is closed under them
// and every dial cancelled.
func (p *Producer[M]) Close(ctx context.Context) error {
	if !p.closeOnce.CompareAndSwap(false, true) {
		return nil
	}
	close(p.closing)
	p.acceptMu.Lock()
	p.closed.Store(true)
	p.acceptMu.Unlock()
	err := p.Flush(ctx)
	close(p.quit)
	p.stop()
	p.mu.Lock()
	for _, s := range p.sinks {
		if c := s.live.Load(); c != nil {
			s.lose(c, nil, false)
		}
	}
	p.mu.Unlock()
	if c := p.metaLive.Load(); c != nil {
		c.Close()
	}
	p.wg.Wait()
	// Whatever is left (ctx expired, or no broker could be reached) fails.
	left := 0
	for _, t := range *p.topics.Load() {
		tm := t.meta.Load()
		if tm == nil {
			continue
		}
		for _, part := range tm.parts {
			part.mu.Lock()
			var failed *Batch[M]
			if part.open != nil {
				failed = p.seal(part)
			}
			q := part.queue
			part.queue = nil
			part.mu.Unlock()
			if failed != nil {
				left += failed.n
			}
			p.settleFailed([]*Batch[M]{failed})
			for _, b := range q {
				left += b.n
				p.settle(b, outcome(b, ErrClosed))
			}
		}
	}
	if err != nil && left > 0 {
		return &closeError{left: left, err: err}
	}
	return nil
}

// closeError is Close's error when its context ended before every record
// accepted was written: left records failed (with ErrClosed) instead.
// errors.Is sees the context's error inside.
type closeError struct {
	left int
	err  error
}

func (e *closeError) Error() string {
	what := " messages"
	if e.left == 1 {
		what = " message"
	}
	return "kafka: closing the writer: " + strconv.Itoa(e.left) + what + " not written when the flush ended: " + e.err.Error()
}

func (e *closeError) Unwrap() error { return e.err }

// BeginAccept must precede Append calls, and EndAccept follow them; it
// fails with ErrClosed once Close has begun.
func (p *Producer[M]) BeginAccept() error {
	p.acceptMu.RLock()
	if p.closed.Load() {
		p.acceptMu.RUnlock()
		return ErrClosed
	}
	return nil
}

// EndAccept ends what BeginAccept began.
func (p *Producer[M]) EndAccept() { p.acceptMu.RUnlock() }

// Closed reports whether Close has been called.
func (p *Producer[M]) Closed() bool { return p.closed.Load() }

// sortParts orders partitions by topic then id, the order a request
// groups them in.
func sortParts[M any](ps []*Partition[M]) {
	slices.SortFunc(ps, func(a, b *Partition[M]) int {
		if a.Topic != b.Topic {
			if a.Topic < b.Topic {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	})
}
