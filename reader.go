package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeroalloc/kafka/internal/fetcher"
	"github.com/zeroalloc/kafka/wire"
)

// ReaderConfig configures a Reader, with kafka-go's field names and
// defaults. Without GroupID the Reader reads Topic's Partition; with it,
// the partitions the group assigns it of Topic or GroupTopics.
type ReaderConfig struct {
	// Brokers are the bootstrap addresses ("host:port").
	Brokers []string
	// GroupID names the consumer group; empty reads a single partition.
	GroupID string
	// GroupTopics are the topics a group member subscribes to, instead of
	// Topic.
	GroupTopics []string
	// Topic is the topic to read.
	Topic string
	// Partition is the partition to read when GroupID is empty.
	Partition int
	// Dialer opens the connections; nil means DefaultDialer.
	Dialer *Dialer
	// QueueCapacity bounds how many fetched items (the records of one
	// partition in one Fetch answer each) wait for the application; 100 by
	// default. Memory is bounded by FetchMaxBytes instead: see there.
	QueueCapacity int
	// MinBytes is how many bytes of records the broker waits for before it
	// answers a Fetch; 1 by default.
	MinBytes int
	// MaxBytes bounds the records of one partition in one Fetch; 1 MB by
	// default. The broker still returns a first record batch larger than
	// it.
	MaxBytes int
	// FetchMaxBytes bounds the records of one Fetch answer, all the
	// partitions read from a broker together; 16 MiB by default, and never
	// below MaxBytes. kafka-go has no such field (it fetches each
	// partition on its own). A broker's answers are read whole into pooled
	// buffers and at most two wait for the application at a time, so the
	// Reader holds at most about 2 x FetchMaxBytes per broker it reads
	// from.
	FetchMaxBytes int
	// MaxWait is how long the broker waits for MinBytes; 10 s by default.
	MaxWait time.Duration
	// ReadBatchTimeout is how long a Fetch answer may take beyond MaxWait
	// before the connection is abandoned; 10 s by default.
	ReadBatchTimeout time.Duration
	// ReadLagInterval: a negative value disables lag reporting in Stats
	// (its Lag is then -1), as kafka-go documents. Any other value changes
	// nothing: where kafka-go refreshes Stats' lag with a ReadLag request
	// every ReadLagInterval, the Reader takes it from the high watermark
	// every fetch answer carries, which costs no request and is at least
	// as fresh. Lag() is not affected, as in kafka-go.
	ReadLagInterval time.Duration
	// GroupBalancers are the assignors offered to the group, in order of
	// preference; Range then RoundRobin by default.
	GroupBalancers []GroupBalancer
	// HeartbeatInterval is the group heartbeat period; 3 s by default.
	HeartbeatInterval time.Duration
	// CommitInterval is the period of offset commits in group mode; zero
	// commits synchronously in every ReadMessage and CommitMessages call.
	CommitInterval time.Duration
	// WatchPartitionChanges makes the group's leader look up the partition
	// counts of the subscribed topics every PartitionWatchInterval (5 s by
	// default) and start a rebalance when one changed (partitions added, a
	// topic created or deleted), so that new partitions are read without
	// waiting for a member to join or leave. Without it they wait for the
	// next rebalance.
	PartitionWatchInterval time.Duration
	WatchPartitionChanges  bool
	// SessionTimeout is the group session timeout; 30 s by default.
	SessionTimeout time.Duration
	// RebalanceTimeout is how long the group waits for members to rejoin;
	// 30 s by default.
	RebalanceTimeout time.Duration
	// JoinGroupBackoff is the wait before joining the group again after a
	// JoinGroup or SyncGroup that failed (the coordinator unreachable, a
	// timeout, the leader's assignment failing); 5 s by default, as in
	// kafka-go. The rejoins the coordinator asks for (MEMBER_ID_REQUIRED on
	// a first join, REBALANCE_IN_PROGRESS, a fenced generation) go out at
	// once, and a coordinator that moved or is loading (NOT_COORDINATOR,
	// COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, common on a
	// new group's first join) is retried after 100 ms, doubling up to 1 s.
	JoinGroupBackoff time.Duration
	// RetentionTime is kept for kafka-go compatibility: commits use the
	// broker's offsets.retention.minutes.
	RetentionTime time.Duration
	// StartOffset is where reading starts when no committed offset exists
	// (group mode) or, without a group, when nothing else says:
	// FirstOffset (the default) or LastOffset.
	StartOffset int64
	// ReadBackoffMin and ReadBackoffMax bound the wait between attempts
	// after an error; 100 ms and 1 s by default.
	ReadBackoffMin time.Duration
	ReadBackoffMax time.Duration
	// Logger and ErrorLogger receive the Reader's logs and errors.
	Logger      Logger
	ErrorLogger Logger
	// IsolationLevel: ReadCommitted hides records of aborted transactions
	// and stops at the last stable offset.
	IsolationLevel IsolationLevel
	// MaxAttempts is how many failed attempts in a row (to dial or fetch)
	// are retried silently before the error is also returned to the
	// application; 3 by default. The Reader keeps retrying either way.
	MaxAttempts int
	// OffsetOutOfRangeError makes an out-of-range offset an error returned
	// by the read calls (the partition then stops until SetOffset), instead
	// of resetting to the first offset when below it, or waiting for the
	// partition to grow when above it.
	OffsetOutOfRangeError bool

	// OnAssigned, OnRevoked and OnLost tell the application, in group
	// mode, which partitions (topic to partition numbers) the Reader gains
	// and gives up; kafka-go has no such hooks. They are called one at a
	// time, in order, on the Reader's group goroutine, and the group waits
	// for each to return: they must not call Close, and must not wait for
	// a read call to return. A hook may call CommitMessages.
	//
	// OnAssigned is called with the partitions new to the Reader after each
	// rebalance (all of its partitions under an eager balancer, only the
	// added ones under a cooperative one), before any message of them is
	// read.
	OnAssigned func(partitions map[string][]int)
	// OnRevoked is called with the partitions the Reader gives up in a
	// rebalance or at Close, once they are stopped and before their
	// offsets are committed: a read call that starts after OnRevoked is
	// called returns no message of them (one already in progress may still
	// return a message it took before). Messages of them passed to
	// CommitMessages are committed before the group moves on, also those
	// passed from within OnRevoked.
	OnRevoked func(partitions map[string][]int)
	// OnLost is called with partitions taken from the Reader without a
	// revocation (its generation was fenced, or the coordinator could not
	// be reached for a session timeout), once they are stopped, with the
	// same guarantee as OnRevoked; their uncommitted offsets are dropped,
	// as the coordinator would refuse them. Nil means OnRevoked is called
	// instead.
	OnLost func(partitions map[string][]int)
}

// Validate reports what makes config unusable, as kafka-go does.
func (config *ReaderConfig) Validate() error {
	switch {
	case len(config.Brokers) == 0:
		return errors.New("kafka: cannot create a Reader with an empty list of broker addresses")
	case config.Partition < 0 || config.Partition >= math.MaxInt32:
		return fmt.Errorf("kafka: partition number out of bounds: %d", config.Partition)
	case config.MinBytes < 0:
		return fmt.Errorf("kafka: invalid negative minimum batch size (min = %d)", config.MinBytes)
	case config.MaxBytes < 0 || config.FetchMaxBytes < 0:
		return fmt.Errorf("kafka: invalid negative maximum batch size (max = %d)", config.MaxBytes)
	case config.GroupID != "" && config.Partition != 0:
		return errors.New("kafka: either Partition or GroupID may be specified, but not both")
	case config.GroupID != "" && config.Topic == "" && len(config.GroupTopics) == 0:
		return errors.New("kafka: either Topic or GroupTopics must be specified with GroupID")
	case config.GroupID == "" && config.Topic == "":
		return errors.New("kafka: cannot create a Reader with an empty topic")
	case config.MinBytes > config.MaxBytes:
		return fmt.Errorf("kafka: minimum batch size greater than the maximum (min = %d, max = %d)", config.MinBytes, config.MaxBytes)
	case config.ReadBackoffMax < 0:
		return fmt.Errorf("kafka: ReadBackoffMax out of bounds: %d", config.ReadBackoffMax)
	case config.ReadBackoffMin < 0:
		return fmt.Errorf("kafka: ReadBackoffMin out of bounds: %d", config.ReadBackoffMin)
	}
	return nil
}

// ReaderStats are a Reader's statistics, as kafka-go reports them:
// counters and summaries since the previous Stats call, and gauges.
type ReaderStats struct {
	Dials      int64 `metric:"kafka.reader.dial.count"      type:"counter"`
	Fetches    int64 `metric:"kafka.reader.fetch.count"     type:"counter"`
	Messages   int64 `metric:"kafka.reader.message.count"   type:"counter"`
	Bytes      int64 `metric:"kafka.reader.message.bytes"   type:"counter"`
	Rebalances int64 `metric:"kafka.reader.rebalance.count" type:"counter"`
	Timeouts   int64 `metric:"kafka.reader.timeout.count"   type:"counter"`
	Errors     int64 `metric:"kafka.reader.error.count"     type:"counter"`
	// Reauthentications counts the SASL re-authentications of the
	// fetching connections (KIP-368; not in kafka-go).
	Reauthentications int64 `metric:"kafka.reader.reauthentication.count" type:"counter"`

	DialTime   DurationStats `metric:"kafka.reader.dial.seconds"`
	ReadTime   DurationStats `metric:"kafka.reader.read.seconds"`
	WaitTime   DurationStats `metric:"kafka.reader.wait.seconds"`
	FetchSize  SummaryStats  `metric:"kafka.reader.fetch.size"`
	FetchBytes SummaryStats  `metric:"kafka.reader.fetch.bytes"`

	Offset        int64         `metric:"kafka.reader.offset"          type:"gauge"`
	Lag           int64         `metric:"kafka.reader.lag"             type:"gauge"`
	MinBytes      int64         `metric:"kafka.reader.fetch_bytes.min" type:"gauge"`
	MaxBytes      int64         `metric:"kafka.reader.fetch_bytes.max" type:"gauge"`
	MaxWait       time.Duration `metric:"kafka.reader.fetch_wait.max"  type:"gauge"`
	QueueLength   int64         `metric:"kafka.reader.queue.length"    type:"gauge"`
	QueueCapacity int64         `metric:"kafka.reader.queue.capacity"  type:"gauge"`

	ClientID  string `tag:"client_id"`
	Topic     string `tag:"topic"`
	Partition string `tag:"partition"`

	// DeprecatedFetchesWithTypo is kafka-go's misspelt metric, the same
	// count as Fetches.
	DeprecatedFetchesWithTypo int64 `metric:"kafak.reader.fetch.count" type:"counter"`
}

// readerStats are the live counters behind ReaderStats that the read
// calls and the group keep; the fetcher keeps the others (fetcher.Stats).
type readerStats struct {
	messages, bytes, rebalances, errors atomic.Int64
}

// Reader reads messages from Kafka, as kafka-go's Reader does: from one
// partition, or as a member of a consumer group. It fetches ahead of the
// application with one goroutine and one connection per broker, one Fetch
// covering every partition it reads from that broker, in a fetch session
// (KIP-227), and follows leader changes and connection errors without
// losing its place (see internal/fetcher). The read methods are safe for
// concurrent use. Close must be called to release the connections and
// goroutines.
type Reader struct {
	config ReaderConfig
	stats  readerStats

	// fetch fetches the partitions in parts ahead of the application;
	// items is its queue of fetched items (fetch.Items()).
	fetch *fetcher.Fetcher
	items <-chan *fetcher.Item
	// reading is held by the goroutine in ReadInto; readWaiters count the
	// goroutines waiting for it, woken through readWake (see ReadInto).
	reading     atomic.Bool
	readWaiters atomic.Int32
	readWake    chan struct{}
	ctx         context.Context // ends at Close
	cancel      context.CancelFunc
	closed      atomic.Bool

	// deliverMu serializes delivery with partition changes (SetOffset,
	// revocation): a message is only handed out while its partition is
	// current, and once a partition is stopped (Stop, under deliverMu) no
	// message of it is. It also guards each partition's Next. It is never
	// held while calling into the fetcher, except for Partition.Stop.
	deliverMu sync.Mutex
	offset    int64 // single-partition mode: the next offset to deliver
	lag       atomic.Int64

	// With reading held: the item being read and the decoding state.
	cur         *fetcher.Item
	iter        wire.RecordIter
	abortedPIDs []int64 // read_committed: producers whose records are dropped
	abortIdx    int     // the next of cur.aborted to consider
	// back is a message ReadMessage gave back (its commit failed), which
	// the next read call returns first, not before backAt, while backPart,
	// its partition, is still read from it; backPart is nil when there is
	// none. backFails counts the commits refused in a row, for backAt.
	back      Message
	backPart  *fetcher.Partition
	backAt    time.Time
	backFails int

	// mu guards parts. It may be held while taking deliverMu or calling
	// into the fetcher (Remove), never the other way round.
	mu    sync.Mutex
	parts map[topicPartition]*fetcher.Partition
	wg    sync.WaitGroup // the group's goroutines

	group *readerGroup // nil without GroupID

	// failed is closed by fail once failErr is set: the read calls then
	// return failErr instead of waiting (see reader_fail.go).
	failed   chan struct{}
	failErr  error
	failOnce sync.Once
	// notices holds an error for the next read call that waits, one the
	// Reader recovers from on its own (see notify); nil without GroupID.
	notices chan error
}

// topicPartition names a partition.
type topicPartition struct {
	topic     string
	partition int
}

// NewReader returns a Reader for config, with kafka-go's defaults for what
// it leaves zero. It panics when config is invalid, as kafka-go does.
// Without GroupID it starts fetching at once (from StartOffset); with it,
// it joins the group.
func NewReader(config ReaderConfig) *Reader {
	if err := config.Validate(); err != nil {
		panic(err)
	}
	if config.GroupID != "" && len(config.GroupBalancers) == 0 {
		config.GroupBalancers = []GroupBalancer{RangeGroupBalancer{}, RoundRobinGroupBalancer{}}
	}
	if config.Dialer == nil {
		config.Dialer = DefaultDialer
	}
	setDefault(&config.MaxBytes, 1e6)
	setDefault(&config.FetchMaxBytes, 16<<20)
	config.FetchMaxBytes = max(config.FetchMaxBytes, config.MaxBytes)
	setDefault(&config.MinBytes, 1)
	setDefault(&config.QueueCapacity, 100)
	setDefault(&config.MaxAttempts, 3)
	setDefault(&config.MaxWait, 10*time.Second)
	setDefault(&config.ReadBatchTimeout, 10*time.Second)
	setDefault(&config.ReadLagInterval, time.Minute)
	setDefault(&config.ReadBackoffMin, 100*time.Millisecond)
	setDefault(&config.ReadBackoffMax, time.Second)
	if config.ReadBackoffMax < config.ReadBackoffMin {
		panic(fmt.Errorf("kafka: ReadBackoffMax %d smaller than ReadBackoffMin %d", config.ReadBackoffMax, config.ReadBackoffMin))
	}
	if config.StartOffset == 0 {
		config.StartOffset = FirstOffset
	}
	r := &Reader{
		config:   config,
		readWake: make(chan struct{}, 1),
		offset:   config.StartOffset,
		parts:    map[topicPartition]*fetcher.Partition{},
		failed:   make(chan struct{}),
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.lag.Store(-1)
	r.fetch = fetcher.New(fetcher.Config{
		Brokers:               config.Brokers,
		Dial:                  config.Dialer.dialBroker,
		QueueCapacity:         config.QueueCapacity,
		MinBytes:              config.MinBytes,
		MaxBytes:              config.MaxBytes,
		FetchMaxBytes:         config.FetchMaxBytes,
		MaxWait:               config.MaxWait,
		ReadBatchTimeout:      config.ReadBatchTimeout,
		IsolationLevel:        int8(config.IsolationLevel),
		MaxAttempts:           config.MaxAttempts,
		OffsetOutOfRangeError: config.OffsetOutOfRangeError,
		BackoffMin:            config.ReadBackoffMin,
		BackoffMax:            config.ReadBackoffMax,
		Logf:                  r.logf,
		Errorf:                r.errorf,
	})
	r.items = r.fetch.Items()
	if config.GroupID != "" {
		r.notices = make(chan error, 1)
		r.startGroup()
		return r
	}
	r.startPartition(topicPartition{config.Topic, config.Partition}, config.StartOffset)
	return r
}

func setDefault[T int | time.Duration](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

// Config returns the Reader's configuration, defaults filled in.
func (r *Reader) Config() ReaderConfig { return r.config }

// Close stops the Reader: it ends every fetch at once (closing its
// connection, also in the middle of a long poll), commits in group mode
// what was delivered and not yet committed, leaves the group, and returns
// once every goroutine has ended. Read calls then return io.EOF.
func (r *Reader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	var err error
	if r.group != nil {
		err = r.group.close()
	}
	r.cancel()
	r.mu.Lock()
	for tp, pr := range r.parts {
		r.stopPartition(pr)
		delete(r.parts, tp)
	}
	r.mu.Unlock()
	r.fetch.Close()
	r.wg.Wait()
	return err
}

// ReadMessage returns the next message, with its key, value and headers in
// new slices the caller owns. In group mode it also commits the message's
// offset: synchronously when CommitInterval is zero, else with the next
// periodic commit. After Close it returns io.EOF.
//
// A synchronous commit that fails (ctx ends first, a rebalance makes the
// coordinator refuse it, the coordinator cannot be reached) never costs
// the message: ReadMessage returns the error and a zero Message, as
// kafka-go does, and gives the message back, so that the next read call
// returns it again (a loop that goes on after an error loses nothing; the
// message is delivered again, at least once, never skipped). If the failed
// commit may have reached the coordinator, the partition's next commit
// sends the message's own offset again before anything after it (see
// README, "Commits"). The message is not returned with the error: kafka-go
// programs drop the Message when err is not nil.
func (r *Reader) ReadMessage(ctx context.Context) (Message, error) {
	var m Message
	if r.group == nil || r.config.CommitInterval > 0 {
		if err := r.ReadInto(ctx, &m); err != nil {
			return Message{}, err
		}
		if r.group != nil {
			r.group.commit(ctx, false, m) // only records the offset: cannot fail
		}
		return m, nil
	}
	// The read and its commit make one turn: no other read call returns a
	// later message of the partition (whose commit would cover this one)
	// before this one is committed or given back.
	if !r.reading.CompareAndSwap(false, true) {
		if err := r.awaitTurn(ctx); err != nil {
			return Message{}, err
		}
	}
	err := r.readInto(ctx, &m)
	if err == nil {
		err = r.group.commitRead(ctx, &m)
	}
	r.endTurn()
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

// FetchMessage returns the next message, with its key, value and headers in
// new slices the caller owns, without committing it (see CommitMessages).
// After Close it returns io.EOF.
func (r *Reader) FetchMessage(ctx context.Context) (Message, error) {
	var m Message
	if err := r.ReadInto(ctx, &m); err != nil {
		return Message{}, err
	}
	return m, nil
}

// ReadInto is the allocation-free FetchMessage: it reads the next message
// into m, appending the key and value to m.Key[:0] and m.Value[:0] and the
// headers to m.Headers[:0] (a header key string is kept when unchanged, a
// header value appended to the old one's memory), so that a Message reused
// for every call allocates nothing once its slices are large enough. The
// slices are m's and stay valid after the next call: the Reader copies from
// its own buffers, which it reuses, and keeps no reference to m. A null key
// or value leaves m.Key or m.Value nil. Like FetchMessage it does not
// commit. After Close it returns io.EOF.
func (r *Reader) ReadInto(ctx context.Context, m *Message) error {
	// Concurrent readers take turns, each honouring its context while it
	// waits. Uncontended, a turn costs one compare-and-swap and one store
	// (a channel used as a semaphore cost 15% of a read in profiles).
	if !r.reading.CompareAndSwap(false, true) {
		if err := r.awaitTurn(ctx); err != nil {
			return err
		}
	}
	err := r.readInto(ctx, m)
	r.endTurn()
	return err
}

// endTurn hands the read turn back, waking a waiting read call.
func (r *Reader) endTurn() {
	r.reading.Store(false)
	if r.readWaiters.Load() > 0 {
		select {
		case r.readWake <- struct{}{}:
		default:
		}
	}
}

// awaitTurn waits until it takes reading, or ctx ends. A turn handed back
// after a waiter registered always leaves a token in readWake, so no
// waiter sleeps while reading is free.
func (r *Reader) awaitTurn(ctx context.Context) error {
	r.readWaiters.Add(1)
	defer r.readWaiters.Add(-1)
	for !r.reading.CompareAndSwap(false, true) {
		select {
		case <-r.readWake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// readInto is ReadInto with reading held.
func (r *Reader) readInto(ctx context.Context, m *Message) error {
	if r.backPart != nil {
		if ok, err := r.takeBack(ctx, m); ok || err != nil {
			return err
		}
	}
	for {
		if it := r.cur; it != nil {
			pr := it.Part
			if it.Err != nil {
				r.cur = nil
				err := it.Err
				it.Free()
				if pr != nil && pr.Stopped() {
					continue
				}
				return err
			}
			r.deliverMu.Lock()
			if !pr.Stopped() && it.Epoch == pr.Epoch() {
				ok, err := r.nextRecord(it, m)
				if ok {
					pr.Next = m.Offset + 1
					if r.group == nil {
						r.offset = m.Offset + 1
					}
					r.deliverMu.Unlock()
					r.lag.Store(max(it.HighWaterMark-m.Offset-1, 0))
					r.stats.messages.Add(1)
					r.stats.bytes.Add(int64(len(m.Key) + len(m.Value)))
					return nil
				}
				if err != nil {
					// A batch failed its checks (CRC, decompression limit,
					// bad lengths): fetch again from the first record not
					// delivered, and tell the application.
					from := max(it.From, pr.Next)
					r.deliverMu.Unlock()
					r.cur = nil
					it.Free()
					pr.Rewind(from)
					r.stats.errors.Add(1)
					return corruptError(pr, err)
				}
			}
			r.deliverMu.Unlock()
			r.cur = nil
			it.Free()
			continue
		}
		if r.closed.Load() {
			return io.EOF
		}
		select {
		case it := <-r.items:
			r.cur = it
			if it.Err == nil {
				r.iter.Reset(it.Records)
				r.abortedPIDs, r.abortIdx = r.abortedPIDs[:0], 0
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-r.ctx.Done():
			return io.EOF
		case <-r.failed:
			return r.failErr
		case err := <-r.notices:
			r.stats.errors.Add(1)
			return err
		}
	}
}

// growHeaders returns hs with length n, keeping the elements within its
// capacity so their memory is reused.
func growHeaders(hs []Header, n int) []Header {
	if cap(hs) >= n {
		return hs[:n]
	}
	return append(hs[:cap(hs)], make([]Header, n-cap(hs))...)
}

// Offset returns the offset of the next message ReadMessage or
// FetchMessage will return (StartOffset before the first). In group mode
// it returns -1.
func (r *Reader) Offset() int64 {
	if r.group != nil {
		return -1
	}
	r.deliverMu.Lock()
	defer r.deliverMu.Unlock()
	return r.offset
}

// Lag returns how many messages follow the last one returned, as of the
// fetch that brought it: the high watermark minus the next offset; -1
// before the first message. In group mode it returns -1.
func (r *Reader) Lag() int64 {
	if r.group != nil {
		return -1
	}
	return r.lag.Load()
}

// ReadLag asks the partition's leader for its last offset and returns how
// far the Reader's position is behind it. It is not available in group
// mode.
func (r *Reader) ReadLag(ctx context.Context) (int64, error) {
	if r.group != nil {
		return 0, errNotAvailableWithGroup
	}
	conn, err := r.dialLeader(ctx, r.config.Topic, r.config.Partition)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	stop := bindContext(ctx, conn.nc)
	defer stop()
	first, last, err := conn.ReadOffsets()
	if err != nil {
		return 0, contextError(ctx, err)
	}
	offset := r.Offset()
	switch offset {
	case FirstOffset:
		offset = first
	case LastOffset:
		offset = last
	}
	return last - offset, nil
}

var (
	errOnlyAvailableWithGroup = errors.New("kafka: unavailable when GroupID is not set")
	errNotAvailableWithGroup  = errors.New("kafka: unavailable when GroupID is set")
)

// SetOffset moves the Reader to offset (an absolute offset, FirstOffset or
// LastOffset): messages fetched ahead from the old position are dropped,
// and the next read returns the message at offset. It is not available in
// group mode; after Close it returns io.ErrClosedPipe.
func (r *Reader) SetOffset(offset int64) error {
	if r.group != nil {
		return errNotAvailableWithGroup
	}
	if r.closed.Load() {
		return io.ErrClosedPipe
	}
	tp := topicPartition{r.config.Topic, r.config.Partition}
	r.mu.Lock()
	if pr := r.parts[tp]; pr != nil {
		r.stopPartition(pr)
	}
	r.mu.Unlock()
	r.deliverMu.Lock()
	r.offset = offset
	r.lag.Store(-1)
	r.deliverMu.Unlock()
	r.startPartition(tp, offset)
	return nil
}

// SetOffsetAt moves the Reader to the first message whose timestamp is at
// or after t (see SetOffset). It is not available in group mode.
func (r *Reader) SetOffsetAt(ctx context.Context, t time.Time) error {
	if r.group != nil {
		return errNotAvailableWithGroup
	}
	conn, err := r.dialLeader(ctx, r.config.Topic, r.config.Partition)
	if err != nil {
		return err
	}
	stop := bindContext(ctx, conn.nc)
	offset, err := conn.ReadOffset(t)
	stop()
	conn.Close()
	if err != nil {
		return contextError(ctx, err)
	}
	if offset < 0 {
		offset = LastOffset
	}
	return r.SetOffset(offset)
}

// dialLeader connects to the leader of topic's partition through the
// first bootstrap broker that answers (for ReadLag and SetOffsetAt).
func (r *Reader) dialLeader(ctx context.Context, topic string, partition int) (*Conn, error) {
	var err error
	for _, addr := range r.config.Brokers {
		var c *Conn
		if c, err = r.config.Dialer.DialLeader(ctx, "tcp", addr, topic, partition); err == nil {
			return c, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return nil, err
}

// Stats returns the statistics since the previous call.
func (r *Reader) Stats() ReaderStats {
	s, fs := &r.stats, r.fetch.Stats()
	fetches := fs.Fetches.Swap(0)
	partition := strconv.Itoa(r.config.Partition)
	var offset, lag int64 = -1, -1
	if r.group == nil {
		offset, lag = r.Offset(), r.Lag()
	} else {
		partition = "-1"
	}
	if r.config.ReadLagInterval < 0 {
		lag = -1 // lag reporting disabled
	}
	return ReaderStats{
		Dials:                     fs.Dials.Swap(0),
		Reauthentications:         fs.Reauths.Swap(0),
		Fetches:                   fetches,
		Messages:                  s.messages.Swap(0),
		Bytes:                     s.bytes.Swap(0),
		Rebalances:                s.rebalances.Swap(0),
		Timeouts:                  fs.Timeouts.Swap(0),
		Errors:                    s.errors.Swap(0) + fs.Errors.Swap(0),
		DialTime:                  durationStats(&fs.DialTime),
		ReadTime:                  durationStats(&fs.ReadTime),
		WaitTime:                  durationStats(&fs.WaitTime),
		FetchSize:                 summaryStats(&fs.FetchSize),
		FetchBytes:                summaryStats(&fs.FetchBytes),
		Offset:                    offset,
		Lag:                       lag,
		MinBytes:                  int64(r.config.MinBytes),
		MaxBytes:                  int64(r.config.MaxBytes),
		MaxWait:                   r.config.MaxWait,
		QueueLength:               int64(len(r.items)),
		QueueCapacity:             int64(cap(r.items)),
		ClientID:                  r.config.Dialer.ClientID,
		Topic:                     r.config.Topic,
		Partition:                 partition,
		DeprecatedFetchesWithTypo: fetches,
	}
}

// logf writes to the Logger.
func (r *Reader) logf(format string, args ...any) {
	if l := r.config.Logger; l != nil {
		l.Printf(format, args...)
	}
}

// errorf writes to the ErrorLogger, else to the Logger.
func (r *Reader) errorf(format string, args ...any) {
	if l := r.config.ErrorLogger; l != nil {
		l.Printf(format, args...)
	} else {
		r.logf(format, args...)
	}
}
