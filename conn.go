package kafka

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/fetchstream"
	"github.com/zeroalloc/kafka/internal/produce"
	"github.com/zeroalloc/kafka/wire"
)

// Special offsets, for Seek, ReadOffset and the Reader's StartOffset.
const (
	LastOffset  int64 = -1 // the next offset to be written: the end of the partition
	FirstOffset int64 = -2 // the first offset still held by the partition
)

// Whence values of Seek. They differ from io.Seeker's (kafka-go's
// historical choice, kept for compatibility).
const (
	SeekStart    = 0 // relative to the first offset of the partition
	SeekAbsolute = 1 // an absolute offset
	SeekEnd      = 2 // relative to the last offset (counting backwards)
	SeekCurrent  = 3 // relative to the connection's offset

	// SeekDontCheck, OR-ed into SeekAbsolute or SeekCurrent, makes Seek
	// skip the ListOffsets round trips that check the offset against the
	// partition's bounds.
	SeekDontCheck = 1 << 30
)

// DefaultClientID is the client id of connections made without one:
// "program@host (github.com/zeroalloc/kafka)".
var DefaultClientID string

func init() {
	host, _ := os.Hostname()
	DefaultClientID = filepath.Base(os.Args[0]) + "@" + host + " (github.com/zeroalloc/kafka)"
}

// ConnConfig configures a Conn made by NewConnWith.
type ConnConfig struct {
	// ClientID is sent with every request (DefaultClientID when empty).
	ClientID string
	// Topic and Partition are those the Conn reads and writes.
	Topic     string
	Partition int
	// Broker and Rack describe the broker the Conn is connected to, as
	// Conn.Broker reports it.
	Broker int
	Rack   string
	// TransactionalID is the transactional id of transactional writes;
	// empty means the Conn is not transactional.
	TransactionalID string
}

// Conn is a connection to one Kafka broker, bound to a topic and partition
// for the offset, read and write methods (kafka-go's Conn).
//
// A Conn is safe for concurrent use: each request/response exchange holds
// the Conn's lock, so calls from several goroutines run one after another.
// The deadlines set with SetDeadline, SetReadDeadline and SetWriteDeadline
// bound every exchange; a call that passes one fails with an error that
// satisfies net.Error with Timeout() true.
//
// A protocol error (an I/O error in the middle of an exchange, a
// correlation mismatch, an oversized or undecodable response) closes the
// connection and is returned; later calls fail with an error matching
// net.ErrClosed. Kafka error codes in answers leave it open.
//
// API versions are negotiated once per connection: by the Dialer right after
// connecting, or by the first request on a Conn made with NewConn.
type Conn struct {
	mu  sync.Mutex // held for a whole exchange; guards everything below it up to offMu
	bc  *broker.Conn
	err error // set once a protocol error closed the connection

	listReq  wire.ListOffsetsRequest
	listResp [2]wire.ListOffsetsResponse
	metaReq  wire.MetadataRequest
	metaResp wire.MetadataResponse
	penc     produce.Encoder
	fetchReq wire.FetchRequest
	fs       fetchstream.Reader
	view     Message // Batch.ReadView's message, reused batch after batch
	prodResp wire.ProduceResponse
	txnID    wire.NullString

	offMu  sync.Mutex
	offset int64

	nc              net.Conn
	clientID        string
	topic           string
	partition       int32
	broker          int32
	rack            string
	transactionalID string
	requiredAcks    atomic.Int32
	// Deadlines as set by the user, in Unix nanoseconds (0: none), to size
	// the broker-side timeouts of requests that carry one.
	rdeadline, wdeadline atomic.Int64
}

// NewConn returns a Conn over conn for topic and partition. It negotiates
// API versions on its first request.
func NewConn(conn net.Conn, topic string, partition int) *Conn {
	return NewConnWith(conn, ConnConfig{Topic: topic, Partition: partition})
}

// NewConnWith returns a Conn over conn configured by config. Its offset
// starts at FirstOffset. It panics if config.Partition is negative or above
// math.MaxInt32, as kafka-go does.
func NewConnWith(conn net.Conn, config ConnConfig) *Conn {
	if config.Partition < 0 || config.Partition > math.MaxInt32 {
		panic("kafka: invalid partition number: " + strconv.Itoa(config.Partition))
	}
	if config.ClientID == "" {
		config.ClientID = DefaultClientID
	}
	c := &Conn{
		bc:              broker.NewConn(conn, config.ClientID),
		offset:          FirstOffset,
		nc:              conn,
		clientID:        config.ClientID,
		topic:           config.Topic,
		partition:       int32(config.Partition),
		broker:          int32(config.Broker),
		rack:            config.Rack,
		transactionalID: config.TransactionalID,
	}
	if config.TransactionalID != "" {
		c.txnID = wire.NewNullString(config.TransactionalID)
	}
	c.requiredAcks.Store(-1)
	// The ListOffsets request always names the Conn's one partition;
	// only its Timestamp changes.
	c.listReq.ReplicaId = -1
	c.listReq.Topics = []wire.ListOffsetsRequestTopic{{
		Name:       config.Topic,
		Partitions: []wire.ListOffsetsRequestPartition{{PartitionIndex: int32(config.Partition), CurrentLeaderEpoch: -1}},
	}}
	// So does the Fetch request: only offsets, sizes and waits change.
	c.fetchReq = wire.FetchRequest{
		ReplicaId:    -1,
		ReplicaState: wire.FetchRequestReplicaState{ReplicaId: -1, ReplicaEpoch: -1},
		SessionEpoch: -1, // no fetch session: a Conn fetches one partition
		Topics: []wire.FetchRequestTopic{{Topic: config.Topic, Partitions: []wire.FetchRequestPartition{{
			Partition: int32(config.Partition), CurrentLeaderEpoch: -1, LastFetchedEpoch: -1, LogStartOffset: -1,
		}}}},
	}
	return c
}

// errClosedAfter is what calls return once a protocol error has closed the
// connection.
func errClosedAfter(cause error) error {
	return fmt.Errorf("kafka: %w after an earlier error: %v", net.ErrClosed, cause)
}

// failed records err and closes the connection if the exchange left it out
// of step with the broker; it returns err. Called with mu held.
func (c *Conn) failed(err error) error {
	if c.err == nil && !c.bc.Usable() {
		c.err = errClosedAfter(err)
		c.nc.Close()
	}
	return err
}

// version returns the version of key to use, negotiating API versions first
// if this connection has not yet, and re-authenticating if its SASL session
// is due for it. Called with mu held before every request.
func (c *Conn) version(key int16) (int16, error) {
	if c.err != nil {
		return -1, c.err
	}
	if !c.bc.Negotiated() {
		if err := c.bc.Negotiate(); err != nil {
			return -1, c.failed(err)
		}
	}
	// A SASL session the broker gave a lifetime is renewed before it
	// ends (KIP-368), bounded by the Conn's deadlines.
	if err := c.bc.Refresh(context.Background(), 0); err != nil {
		return -1, c.failed(err)
	}
	return c.bc.Version(key)
}

// exchange sends req at the negotiated version of its API and decodes the
// answer into resp. Called with mu held.
func (c *Conn) exchange(req, resp wire.Message) error {
	v, err := c.version(req.Key())
	if err != nil {
		return err
	}
	if err := c.bc.Exchange(v, req, resp); err != nil {
		return c.failed(err)
	}
	return nil
}

// Close closes the connection. A call blocked in an exchange on another
// goroutine returns with an error.
func (c *Conn) Close() error { return c.nc.Close() }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the broker's network address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// SetDeadline sets both the read and the write deadline, as net.Conn's
// SetDeadline: every exchange, pending or future, fails with a timeout once
// it passes. The zero time means no deadline. After a timeout in the middle
// of an exchange the connection is closed (the answer may still be on its
// way); one that struck before anything was sent leaves it usable.
func (c *Conn) SetDeadline(t time.Time) error {
	c.rdeadline.Store(unixNano(t))
	c.wdeadline.Store(unixNano(t))
	return c.nc.SetDeadline(t)
}

// SetReadDeadline sets the deadline for reading answers; see SetDeadline.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.rdeadline.Store(unixNano(t))
	return c.nc.SetReadDeadline(t)
}

// SetWriteDeadline sets the deadline for sending requests; see SetDeadline.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.wdeadline.Store(unixNano(t))
	return c.nc.SetWriteDeadline(t)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// requestTimeoutMs sizes the broker-side timeout of an admin request from
// the write deadline, keeping a second (or a quarter of what is left) for
// the round trip; with no deadline the broker may take as long as it needs.
func (c *Conn) requestTimeoutMs() int32 {
	dl := c.wdeadline.Load()
	if dl == 0 {
		return math.MaxInt32
	}
	left := time.Until(time.Unix(0, dl))
	rtt := time.Second
	if left < 4*rtt {
		rtt = left / 4
	}
	ms := (left - rtt).Milliseconds()
	return int32(max(min(ms, math.MaxInt32), 0))
}

// Offset returns the connection's offset and how to read it: (0, SeekStart)
// for FirstOffset, (0, SeekEnd) for LastOffset, else (offset, SeekAbsolute).
func (c *Conn) Offset() (offset int64, whence int) {
	c.offMu.Lock()
	offset = c.offset
	c.offMu.Unlock()
	switch offset {
	case FirstOffset:
		return 0, SeekStart
	case LastOffset:
		return 0, SeekEnd
	}
	return offset, SeekAbsolute
}

// Seek sets the offset of the next read according to whence (SeekStart,
// SeekAbsolute, SeekEnd or SeekCurrent, optionally OR-ed with SeekDontCheck)
// and returns the new absolute offset. SeekEnd counts backwards: offset is
// subtracted from the last offset. Unless SeekDontCheck is given (with
// SeekAbsolute or SeekCurrent), the new offset is checked against the
// partition's first and last offsets, and an offset outside them fails with
// OffsetOutOfRange, leaving the connection's offset unchanged.
func (c *Conn) Seek(offset int64, whence int) (int64, error) {
	dontCheck := whence&SeekDontCheck != 0
	whence &^= SeekDontCheck
	switch whence {
	case SeekStart, SeekAbsolute, SeekEnd, SeekCurrent:
	default:
		return 0, errors.New("kafka: Seek: whence must be SeekStart, SeekAbsolute, SeekEnd or SeekCurrent, got " + strconv.Itoa(whence))
	}
	if dontCheck && (whence == SeekAbsolute || whence == SeekCurrent) {
		c.offMu.Lock()
		if whence == SeekCurrent {
			offset += c.offset
		}
		c.offset = offset
		c.offMu.Unlock()
		return offset, nil
	}
	c.offMu.Lock()
	cur := c.offset
	c.offMu.Unlock()
	if whence == SeekAbsolute && offset == cur {
		return offset, nil
	}
	if whence == SeekCurrent {
		offset += cur
	}
	first, last, err := c.ReadOffsets()
	if err != nil {
		return 0, err
	}
	switch whence {
	case SeekStart:
		offset += first
	case SeekEnd:
		offset = last - offset
	}
	if offset < first || offset > last {
		return 0, OffsetOutOfRange
	}
	c.offMu.Lock()
	c.offset = offset
	c.offMu.Unlock()
	return offset, nil
}

// ReadOffset returns the offset of the first record whose timestamp is at
// or after t, or -1 when the partition holds no such record (the broker's
// answer, passed on as kafka-go does).
func (c *Conn) ReadOffset(t time.Time) (int64, error) {
	var ms int64
	if !t.IsZero() {
		ms = t.UnixMilli()
	}
	return c.readOffset(ms)
}

// ReadFirstOffset returns the first offset the partition holds.
func (c *Conn) ReadFirstOffset() (int64, error) { return c.readOffset(FirstOffset) }

// ReadLastOffset returns the partition's last offset: the offset the next
// record written will get (the high watermark).
func (c *Conn) ReadLastOffset() (int64, error) { return c.readOffset(LastOffset) }

func (c *Conn) readOffset(ts int64) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listReq.Topics[0].Partitions[0].Timestamp = ts
	if err := c.exchange(&c.listReq, &c.listResp[0]); err != nil {
		return 0, err
	}
	return c.listOffsetsResult(&c.listResp[0])
}

// ReadOffsets returns the partition's first and last offsets. Kafka takes
// one timestamp per partition per request, so it sends two ListOffsets
// requests, back to back before reading either answer.
func (c *Conn) ReadOffsets() (first, last int64, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.version(wire.KeyListOffsets)
	if err != nil {
		return 0, 0, err
	}
	p := &c.listReq.Topics[0].Partitions[0]
	var corr [2]int32
	for i, ts := range [2]int64{FirstOffset, LastOffset} {
		p.Timestamp = ts
		if corr[i], err = c.bc.Send(wire.KeyListOffsets, v, &c.listReq); err != nil {
			return 0, 0, c.failed(err)
		}
	}
	var offs [2]int64
	for i := range corr {
		if err := c.bc.ReceiveInto(corr[i], v, &c.listResp[i]); err != nil {
			return 0, 0, c.failed(err)
		}
	}
	for i := range offs {
		if offs[i], err = c.listOffsetsResult(&c.listResp[i]); err != nil {
			return 0, 0, err
		}
	}
	return offs[0], offs[1], nil
}

// errShortListOffsets is a ListOffsets answer without the one partition
// asked for.
var errShortListOffsets = errors.New("kafka: ListOffsets answer lacks the partition asked for")

// listOffsetsResult returns the offset of the Conn's partition in resp.
func (c *Conn) listOffsetsResult(resp *wire.ListOffsetsResponse) (int64, error) {
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return 0, errShortListOffsets
	}
	p := &resp.Topics[0].Partitions[0]
	if p.ErrorCode != 0 {
		return 0, wire.Error(p.ErrorCode)
	}
	return p.Offset, nil
}

// SetRequiredAcks sets the acknowledgements that writes on this Conn ask
// for: -1 (all in-sync replicas, the default) or 1 (the leader only). Other
// values fail with InvalidRequiredAcks.
func (c *Conn) SetRequiredAcks(n int) error {
	if n != -1 && n != 1 {
		return InvalidRequiredAcks
	}
	c.requiredAcks.Store(int32(n))
	return nil
}

// ApiVersions returns the API version ranges the broker announced when the
// connection negotiated them (asking it now if it has not yet). The slice
// is the caller's.
func (c *Conn) ApiVersions() ([]ApiVersion, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.version(wire.KeyApiVersions); err != nil {
		return nil, err
	}
	keys := c.bc.APIVersions().ApiKeys
	out := make([]ApiVersion, len(keys))
	for i, k := range keys {
		out[i] = ApiVersion{ApiKey: k.ApiKey, MinVersion: k.MinVersion, MaxVersion: k.MaxVersion}
	}
	return out, nil
}
