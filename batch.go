package kafka

import (
	"errors"
	"io"
	"math"
	"sync"
	"time"

	"github.com/zeroalloc/kafka/internal/fetchstream"
	"github.com/zeroalloc/kafka/pool"
	"github.com/zeroalloc/kafka/wire"
)

// IsolationLevel says which records of transactions a fetch sees.
type IsolationLevel int8

const (
	// ReadUncommitted sees every record, including those of open and
	// aborted transactions.
	ReadUncommitted IsolationLevel = 0
	// ReadCommitted sees the records of committed transactions and
	// non-transactional ones, and stops at the last stable offset.
	ReadCommitted IsolationLevel = 1
)

// ReadBatchConfig configures ReadBatchWith.
type ReadBatchConfig struct {
	// MinBytes is how many bytes of records the broker waits for (up to
	// MaxWait) before answering.
	MinBytes int
	// MaxBytes bounds the records of the answer. The broker still returns a
	// first batch larger than it, so that a large message never blocks the
	// partition.
	MaxBytes int
	// IsolationLevel selects which transactional records are visible.
	IsolationLevel IsolationLevel
	// MaxWait is how long the broker may wait for MinBytes. Zero derives it
	// from the connection's read deadline (what is left of it, less a margin
	// for the round trip); either way it is clamped so that the answer comes
	// before the read deadline.
	MaxWait time.Duration
}

// Batch is the answer to one Fetch of a Conn's partition, read from the
// connection as the program consumes it. It holds the Conn until Close:
// other calls on the Conn wait meanwhile. A Batch is safe for concurrent
// use, though reading one from several goroutines makes little sense.
//
// Records come in offset order; control records and (with ReadCommitted)
// records of aborted transactions never appear. CRC-32C is checked for every
// batch; for uncompressed batches, whose values are streamed from the socket,
// a mismatch is reported by the read after the batch's last record.
type Batch struct {
	mu            sync.Mutex
	conn          *Conn
	fs            *fetchstream.Reader
	topic         string
	partition     int
	offset        int64 // the next offset to read
	highWaterMark int64
	throttle      time.Duration
	err           error
	view          *Message // ReadView's message, the Conn's
}

// batchBuffers holds the buffers that compressed, control and legacy record
// batches are read into whole, shared by every Conn; a buffer above 16 MiB
// is dropped when returned rather than kept.
var batchBuffers = pool.NewBuffers(16 << 20)

// maxFetchVersion caps the Fetch version a Conn uses: from v13 on a Fetch
// names topics by id, which a Conn would have to look up first.
const maxFetchVersion = 12

// ReadBatch fetches records of the Conn's partition from its offset, with
// the broker waiting for minBytes (up to the read deadline) and returning at
// most about maxBytes. It always returns a Batch; an error is reported by
// the Batch's Err, Read and Close.
func (c *Conn) ReadBatch(minBytes, maxBytes int) *Batch {
	return c.ReadBatchWith(ReadBatchConfig{MinBytes: minBytes, MaxBytes: maxBytes})
}

// ReadBatchWith is ReadBatch with every setting of the Fetch.
func (c *Conn) ReadBatchWith(cfg ReadBatchConfig) *Batch {
	b := new(Batch)
	c.readBatchInto(b, cfg)
	return b
}

// readBatchInto is ReadBatchWith into a Batch the caller recycles (the
// Reader keeps one per partition); b must be closed, or new.
func (c *Conn) readBatchInto(b *Batch, cfg ReadBatchConfig) {
	*b = Batch{topic: c.topic, partition: int(c.partition), highWaterMark: -1}
	if cfg.MinBytes < 0 || cfg.MaxBytes < 1 || cfg.MinBytes > cfg.MaxBytes {
		b.err = errors.New("kafka: ReadBatch needs 0 <= MinBytes <= MaxBytes and MaxBytes >= 1")
		return
	}
	c.offMu.Lock()
	offset := c.offset
	c.offMu.Unlock()
	if offset < 0 { // FirstOffset or LastOffset: ask the broker
		var err error
		if offset, err = c.readOffset(offset); err != nil {
			b.err = err
			return
		}
		c.offMu.Lock()
		c.offset = offset
		c.offMu.Unlock()
	}
	b.offset = offset

	c.mu.Lock()
	v, err := c.version(wire.KeyFetch)
	if err != nil {
		c.mu.Unlock()
		b.err = err
		return
	}
	v = min(v, maxFetchVersion)
	req := &c.fetchReq
	req.MaxWaitMs = c.maxWaitMs(cfg.MaxWait)
	req.MinBytes = int32(cfg.MinBytes)
	req.MaxBytes = int32(min(cfg.MaxBytes, math.MaxInt32))
	req.IsolationLevel = int8(cfg.IsolationLevel)
	p := &req.Topics[0].Partitions[0]
	p.FetchOffset = offset
	p.PartitionMaxBytes = req.MaxBytes
	buf := c.bc.StartRequest(wire.KeyFetch, v)
	corr, err := c.bc.SendRequest(req.AppendTo(buf, v))
	if err != nil {
		err = c.failed(err)
		c.mu.Unlock()
		b.err = err
		return
	}
	br, n, err := c.bc.ReceiveStream(corr, wire.KeyFetch, v)
	if err != nil {
		err = c.failed(err)
		c.mu.Unlock()
		b.err = err
		return
	}
	// The Batch owns the Conn (and its lock) from here to Close.
	b.conn, b.fs, b.view = c, &c.fs, &c.view
	c.fs.ReadCommitted = cfg.IsolationLevel == ReadCommitted
	c.fs.Buffers = batchBuffers
	err = c.fs.Begin(br, n, v, offset)
	b.highWaterMark = c.fs.HighWatermark()
	b.throttle = time.Duration(c.fs.ThrottleTimeMs()) * time.Millisecond
	if err != nil {
		b.err = err
	}
}

// maxWaitMs is the Fetch MaxWaitMs: maxWait if set, else what is left of the
// read deadline; always leaving the round trip a margin before the read
// deadline (a second, or a quarter of the time left when that is short).
func (c *Conn) maxWaitMs(maxWait time.Duration) int32 {
	if dl := c.rdeadline.Load(); dl != 0 {
		left := time.Until(time.Unix(0, dl))
		left -= min(time.Second, left/4)
		if maxWait <= 0 || maxWait > left {
			maxWait = left
		}
	}
	if maxWait <= 0 {
		if c.rdeadline.Load() != 0 {
			return 0
		}
		return math.MaxInt32
	}
	return int32(min(maxWait.Milliseconds(), math.MaxInt32))
}

// Throttle returns how long the broker throttled the request (quotas).
func (b *Batch) Throttle() time.Duration { return b.throttle }

// HighWaterMark returns the partition's high watermark when the broker
// answered: the offset the next record written will get.
func (b *Batch) HighWaterMark() int64 { return b.highWaterMark }

// Partition returns the partition the batch was read from.
func (b *Batch) Partition() int { return b.partition }

// Offset returns the offset of the next record to read.
func (b *Batch) Offset() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.offset
}

// Err returns the error that ended the batch, or nil; io.EOF once every
// record was read.
func (b *Batch) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// next moves to the next record. Called with b.mu held.
func (b *Batch) next() (fetchstream.Record, bool) {
	if b.err != nil || b.fs == nil {
		if b.err == nil {
			b.err = io.EOF
		}
		return fetchstream.Record{}, false
	}
	rec, err := b.fs.Next()
	if err != nil {
		if err == io.EOF {
			b.offset = max(b.offset, b.fs.NextOffset())
		}
		b.err = err
		return rec, false
	}
	return rec, true
}

// Read copies the value of the next message into p and returns its length:
// the value goes from the socket straight into p, with no copy in between
// for uncompressed batches. When p is too short it copies what fits and
// fails with io.ErrShortBuffer; that ends the batch, and the message will be
// read again by the next ReadBatch. After the last message Read returns
// io.EOF. p is the caller's; the Batch does not keep it.
func (b *Batch) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	rec, ok := b.next()
	if !ok {
		return 0, b.err
	}
	n, err := b.fs.ReadValue(p)
	if err != nil {
		b.err = err
		return n, err
	}
	b.offset = rec.Offset + 1
	return n, nil
}

// ReadMessage returns the next message with its key, value and headers
// copied into new slices the caller owns (ReadInto and ReadView avoid those
// allocations). After the last message it returns io.EOF.
func (b *Batch) ReadMessage() (Message, error) {
	var m Message
	err := b.ReadInto(&m)
	return m, err
}

// ReadInto reads the next message into m, reusing m's memory: the key and
// value are appended to m.Key[:0] and m.Value[:0], the headers to
// m.Headers[:0] (a header key string is kept when it has not changed), so
// a message reused for every read allocates nothing once its slices are
// large enough. m owns its slices: they stay valid after the next read. A
// null key or value leaves m.Key or m.Value nil; an empty one, non-nil and
// empty. After the last message it returns io.EOF.
func (b *Batch) ReadInto(m *Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.readInto(m, true)
}

// ReadView returns the next message as a view owned by the Conn: the
// Message and its Key, Value and header values live in buffers the Conn
// reuses, valid until the next call on the Batch or the Conn (copy them to
// keep them). It allocates nothing in steady state. After the last message
// it returns nil and io.EOF.
func (b *Batch) ReadView() (*Message, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.view == nil {
		if b.err == nil {
			b.err = io.EOF
		}
		return nil, b.err
	}
	if err := b.readInto(b.view, false); err != nil {
		return nil, err
	}
	return b.view, nil
}

// readInto reads the next record into m; owned copies the header values
// (for ReadInto) rather than aliasing them. Called with b.mu held.
func (b *Batch) readInto(m *Message, owned bool) error {
	rec, ok := b.next()
	if !ok {
		return b.err
	}
	m.Topic, m.Partition, m.Offset, m.HighWaterMark = b.topic, b.partition, rec.Offset, b.highWaterMark
	m.Time = time.UnixMilli(rec.Timestamp)
	if rec.Key == nil {
		m.Key = nil
	} else {
		m.Key = append(reuse(m.Key), rec.Key...)
	}
	var err error
	if rec.ValueLen < 0 {
		m.Value = nil
		err = b.fs.SkipValue()
	} else {
		m.Value, err = b.fs.AppendValue(reuse(m.Value))
	}
	if err != nil {
		b.err = err
		return err
	}
	hs := b.fs.Headers()
	// Grow keeps the old headers within capacity, so their key strings and
	// value buffers are reused.
	m.Headers = wire.Grow(m.Headers, len(hs))
	for i := range hs {
		h := &m.Headers[i]
		h.Key = keepString(h.Key, hs[i].Key)
		switch {
		case hs[i].Value == nil:
			h.Value = nil
		case owned:
			h.Value = append(reuse(h.Value), hs[i].Value...)
		default:
			h.Value = hs[i].Value
		}
	}
	if len(hs) == 0 && m.Headers != nil {
		m.Headers = m.Headers[:0]
	}
	b.offset = rec.Offset + 1
	return nil
}

// reuse returns s emptied, non-nil, keeping its capacity.
func reuse(s []byte) []byte {
	if s == nil {
		return []byte{}
	}
	return s[:0]
}

// keepString returns old when it holds the bytes of b, else a new string.
func keepString(old string, b []byte) string {
	if string(b) == old {
		return old
	}
	return string(b)
}

// Close ends the batch: it consumes what is left of the answer, so the
// Conn stays usable, moves the Conn's offset to the next unread record and
// releases the Conn. It returns the error that ended the batch, if any,
// except io.EOF. A protocol error (corrupt data, a broken connection)
// closes the Conn; a Kafka error or io.ErrShortBuffer does not.
func (b *Batch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.conn
	if c == nil {
		if errors.Is(b.err, io.EOF) {
			return nil
		}
		return b.err
	}
	b.conn = nil
	drainErr := b.fs.Drain()
	c.bc.EndStream(drainErr == nil)
	b.fs = nil
	err := b.err
	if errors.Is(err, io.EOF) {
		err = nil
	}
	c.offMu.Lock()
	c.offset = b.offset
	c.offMu.Unlock()
	if drainErr != nil {
		c.failed(drainErr)
	} else if err != nil && !isKafkaError(err) && !errors.Is(err, io.ErrShortBuffer) {
		// Corrupt data: the stream is in step, but the broker or the path
		// to it is not to be trusted.
		c.err = errClosedAfter(err)
		c.nc.Close()
	}
	c.mu.Unlock()
	return err
}

// isKafkaError reports whether err carries a Kafka error code. (errors.As
// with a local target would make every Close allocate it.)
func isKafkaError(err error) bool {
	for err != nil {
		switch err.(type) {
		case Error, *wire.ErrorWithMessage:
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}

// Read reads the value of the message at the Conn's offset into p, as
// Batch.Read does, fetching with MinBytes 1 and MaxBytes len(p); it is there
// to satisfy net.Conn. When no message came before the read deadline's
// margin it returns 0 and no error, as kafka-go does. ReadBatch reads many
// messages per round trip.
func (c *Conn) Read(p []byte) (int, error) {
	b := c.ReadBatch(1, max(len(p), 1))
	n, err := b.Read(p)
	return n, firstError(err, b.Close())
}

// ReadMessage returns the message at the Conn's offset, fetching at most
// maxBytes, with its slices owned by the caller. When no message came
// before the read deadline's margin it returns a zero Message and no error,
// as kafka-go does.
func (c *Conn) ReadMessage(maxBytes int) (Message, error) {
	b := c.ReadBatch(1, maxBytes)
	m, err := b.ReadMessage()
	return m, firstError(err, b.Close())
}

// firstError returns the read's error, io.EOF excepted, else Close's.
func firstError(read, closeErr error) error {
	if read != nil && !errors.Is(read, io.EOF) {
		return read
	}
	return closeErr
}
