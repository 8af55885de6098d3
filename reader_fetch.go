package kafka

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// partReader fetches one partition ahead of the application, over its own
// connection to the partition's leader, into the chunks it cycles through.
type partReader struct {
	r      *Reader
	tp     topicPartition
	ctx    context.Context
	cancel context.CancelFunc
	free   chan *chunk // chunks ready to be filled
	batch  Batch       // the fetch's Batch, reused (only run uses it)
	done   chan struct{}

	// stopped is set (with the Reader's deliverMu held) when the partition
	// is no longer read: its chunks are dropped rather than delivered.
	stopped atomic.Bool
	// next is the offset after the last message delivered, -1 before the
	// first; guarded by the Reader's deliverMu.
	next int64

	connMu sync.Mutex
	conn   *Conn // the connection in use, closed by stop
}

// startPartition starts reading tp at offset (FirstOffset and LastOffset
// are resolved by the partition reader).
func (r *Reader) startPartition(tp topicPartition, offset int64) *partReader {
	pr := &partReader{r: r, tp: tp, free: make(chan *chunk, chunksPerPartition), done: make(chan struct{}), next: -1}
	pr.ctx, pr.cancel = context.WithCancel(r.ctx)
	for range chunksPerPartition {
		pr.free <- &chunk{pr: pr}
	}
	r.mu.Lock()
	r.parts[tp] = pr
	r.wg.Add(1)
	r.mu.Unlock()
	go pr.run(offset)
	return pr
}

// stop ends the partition reader and waits for its goroutine; no message
// of it is delivered once stop returns.
func (pr *partReader) stop() {
	pr.r.deliverMu.Lock()
	pr.stopped.Store(true)
	pr.r.deliverMu.Unlock()
	pr.cancel()
	pr.connMu.Lock()
	if pr.conn != nil {
		pr.conn.Close()
	}
	pr.connMu.Unlock()
	<-pr.done
}

// setConn makes c the connection stop closes; it closes c at once when
// the reader is stopping.
func (pr *partReader) setConn(c *Conn) bool {
	pr.connMu.Lock()
	defer pr.connMu.Unlock()
	if pr.ctx.Err() != nil {
		if c != nil {
			c.Close()
		}
		pr.conn = nil
		return false
	}
	pr.conn = c
	return true
}

// run fetches until the partition reader is stopped.
func (pr *partReader) run(offset int64) {
	defer pr.r.wg.Done()
	defer close(pr.done)
	defer pr.setConn(nil)
	r := pr.r
	cfg := &r.config
	var conn *Conn
	fails := 0
	for pr.ctx.Err() == nil {
		if fails > 0 {
			if !sleep(pr.ctx, r.backoff(fails)) {
				break
			}
		}
		if conn == nil {
			t0 := time.Now()
			c, err := r.dialLeader(pr.ctx, pr.tp.topic, pr.tp.partition)
			r.stats.dials.Add(1)
			r.stats.dialTime.Observe(int64(time.Since(t0)))
			if err != nil {
				fails = pr.failed(fails, err)
				continue
			}
			if !pr.setConn(c) {
				break
			}
			conn = c
		}
		if offset < 0 {
			resolved, err := conn.readOffset(offset)
			if err != nil {
				conn = pr.dropConn(conn)
				fails = pr.failed(fails, err)
				continue
			}
			offset = resolved
		}
		next, err := pr.fetch(conn, offset)
		offset = next
		if err == nil {
			fails = 0
			continue
		}
		if pr.ctx.Err() != nil {
			break
		}
		switch {
		case errors.Is(err, OffsetOutOfRange):
			if cfg.OffsetOutOfRangeError {
				pr.deliverError(err)
				pr.r.errorf("kafka: reader of %s/%d: offset %d out of range", pr.tp.topic, pr.tp.partition, offset)
				<-pr.ctx.Done() // stopped until SetOffset
				return
			}
			first, last, err2 := conn.ReadOffsets()
			switch {
			case err2 != nil:
				conn = pr.dropConn(conn)
				fails = pr.failed(fails, err2)
			case offset < first:
				r.logf("kafka: reader of %s/%d: offset %d out of range, skipping to the first offset %d", pr.tp.topic, pr.tp.partition, offset, first)
				offset, fails = first, 0
			case offset > last:
				// Ahead of the partition: wait for it to grow.
				fails = 1
			}
		case isRefreshError(err):
			r.logf("kafka: reader of %s/%d: %v; reconnecting to the leader", pr.tp.topic, pr.tp.partition, err)
			conn = pr.dropConn(conn)
			fails = pr.failed(fails, err)
		default:
			// A Kafka error that reconnecting does not fix: the
			// application hears of it.
			r.stats.errors.Add(1)
			pr.deliverError(err)
			fails++
		}
	}
	if conn != nil {
		conn.Close()
	}
}

// isRefreshError reports whether err calls for a new connection to the
// partition's (possibly new) leader: a leadership error, or anything that
// is not a Kafka error code (a broken or timed-out connection).
func isRefreshError(err error) bool {
	switch {
	case errors.Is(err, NotLeaderForPartition), errors.Is(err, FencedLeaderEpoch),
		errors.Is(err, UnknownLeaderEpoch), errors.Is(err, LeaderNotAvailable),
		errors.Is(err, UnknownTopicOrPartition), errors.Is(err, ReplicaNotAvailable),
		errors.Is(err, KafkaStorageError), errors.Is(err, NetworkException),
		errors.Is(err, RequestTimedOut):
		return true
	}
	return !isKafkaError(err)
}

// failed counts a failed attempt, logs it, and hands it to the application
// every MaxAttempts failures in a row.
func (pr *partReader) failed(fails int, err error) int {
	r := pr.r
	if pr.ctx.Err() != nil {
		return fails
	}
	r.stats.errors.Add(1)
	fails++
	r.errorf("kafka: reader of %s/%d: attempt %d: %v", pr.tp.topic, pr.tp.partition, fails, err)
	if fails%r.config.MaxAttempts == 0 {
		pr.deliverError(err)
	}
	return fails
}

// dropConn closes conn and returns nil.
func (pr *partReader) dropConn(conn *Conn) *Conn {
	conn.Close()
	pr.setConn(nil)
	return nil
}

// deliverError queues err for the application, waiting for room.
func (pr *partReader) deliverError(err error) {
	c := &chunk{pr: pr, err: err}
	select {
	case pr.r.msgs <- c:
	case <-pr.ctx.Done():
	}
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

// chunkRecords and chunkBytes bound one chunk: a fetch whose records go
// beyond them (a compressed batch can decompress into hundreds of
// thousands) is handed to the application chunk by chunk, the fetch
// waiting for a free chunk meanwhile, so a partition holds at most
// chunksPerPartition chunks of records however large its fetches are.
const (
	chunkRecords = 4096
	chunkBytes   = 1 << 20
)

// fetch sends one Fetch at offset and reads its records into chunks,
// which it queues for the application. It returns the offset to fetch
// next.
func (pr *partReader) fetch(conn *Conn, offset int64) (int64, error) {
	r := pr.r
	cfg := &r.config
	conn.Seek(offset, SeekAbsolute|SeekDontCheck)
	conn.SetReadDeadline(time.Now().Add(cfg.MaxWait + cfg.ReadBatchTimeout))
	t0 := time.Now()
	b := &pr.batch // recycled: a fetch allocates nothing
	conn.readBatchInto(b, ReadBatchConfig{MinBytes: cfg.MinBytes, MaxBytes: cfg.MaxBytes, MaxWait: cfg.MaxWait, IsolationLevel: cfg.IsolationLevel})
	r.stats.waitTime.Observe(int64(time.Since(t0)))
	r.stats.fetches.Add(1)
	if err := b.Err(); err != nil && err != io.EOF {
		b.Close()
		if isTimeout(err) {
			r.stats.timeouts.Add(1)
		}
		return offset, err
	}
	t1 := time.Now()
	total, size := 0, 0
	var err error
	for err == nil {
		var c *chunk
		select {
		case c = <-pr.free:
		case <-pr.ctx.Done():
			b.Close()
			return offset, pr.ctx.Err()
		}
		if total > 0 {
			// The application took its time with the previous chunk:
			// give the rest of the response its own time.
			conn.SetReadDeadline(time.Now().Add(cfg.ReadBatchTimeout))
		}
		var n, nb int
		n, nb, err = pr.fill(c, b)
		total, size = total+n, size+nb
		if n == 0 {
			c.release()
			break
		}
		c.n = n
		select {
		case r.msgs <- c:
		case <-pr.ctx.Done():
			b.Close()
			return offset, pr.ctx.Err()
		}
	}
	next := max(b.Offset(), offset)
	closeErr := b.Close()
	r.stats.readTime.Observe(int64(time.Since(t1)))
	r.stats.fetchSize.Observe(int64(total))
	r.stats.fetchBytes.Observe(int64(size))
	if errors.Is(err, io.EOF) {
		err = closeErr
	}
	return next, err
}

// fill reads records of b into c, up to chunkRecords of them and
// chunkBytes of their bytes, and returns how many records and key and
// value bytes it read, and the error that ended b (io.EOF at its end).
// The chunk's messages point into its two arenas, one for key, value and
// header bytes, one for headers, which keep their capacity from fetch to
// fetch: once warm, filling a chunk allocates nothing.
func (pr *partReader) fill(c *chunk, b *Batch) (n, size int, err error) {
	if c.bytes == nil {
		// Never nil, so that empty keys and values slice to empty, not
		// null.
		c.bytes = make([]byte, 0, 64<<10)
	}
	c.bytes, c.hdrs = c.bytes[:0], c.hdrs[:0]
	for n < chunkRecords && len(c.bytes) < chunkBytes {
		if n == len(c.msgs) {
			c.msgs = append(c.msgs, Message{})
		}
		m := &c.msgs[n]
		if c.bytes, c.hdrs, err = b.readArena(m, c.bytes, c.hdrs); err != nil {
			return n, size, err
		}
		n++
		size += len(m.Key) + len(m.Value)
	}
	return n, size, nil
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// dialLeader connects to the leader of topic's partition through the
// first bootstrap broker that answers.
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
