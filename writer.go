package kafka

import (
	"context"
	"errors"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zeroalloc/kafka/internal/produce"
	"github.com/zeroalloc/kafka/internal/producer"
	"github.com/zeroalloc/kafka/wire"
)

// keptMessageSize is what a Message kept for Completion costs the buffer
// budget: the struct itself (its Key, Value and Headers are the caller's
// slices, not copies).
var keptMessageSize = int64(reflect.TypeFor[Message]().Size())

// Writer writes messages to Kafka: the high-level producer. It is
// source-compatible with segmentio/kafka-go's Writer (same fields, same
// methods), and its engine is built for speed and safety:
//
//   - Each message is encoded once, into its partition's batch, when
//     WriteMessages accepts it; the caller may reuse the message's Key,
//     Value and header slices as soon as WriteMessages returns, even with
//     Async set.
//   - One connection per broker carries, in one Produce request, a batch
//     of every partition the broker leads that has records waiting, with up
//     to 5 requests in flight; batches are written with a vectored write,
//     never copied again.
//   - A batch a synchronous call waits for goes out as soon as its
//     broker's connection is idle: a synchronous write of one message
//     returns after one round trip, not after BatchTimeout. Asynchronous
//     records, and every record while requests are in flight, gather until
//     a batch is full or BatchTimeout has passed (Flush and Close send at
//     once).
//   - Idempotence is on with RequiredAcks = RequireAll (the default):
//     retries never duplicate nor reorder records of a partition.
//   - Buffering is bounded (MaxBufferedBytes): WriteMessages waits for
//     room, within its context, instead of queueing without limit.
//   - Waiting is bounded (DeliveryTimeout): a message that cannot be sent,
//     its partition without a leader, fails after it instead of waiting
//     for the leader to come back.
//
// Defaults that differ from kafka-go, and why:
//   - RequiredAcks: the zero value means RequireAll (kafka-go: none), so
//     that a Writer does not lose acknowledged messages by default; ask for
//     RequireOne or RequireNone explicitly.
//   - BatchSize: 10,000 messages (kafka-go: 100). A batch goes when
//     BatchTimeout ends (or at once, for a synchronous call on an idle
//     connection), so a large limit adds no latency; it only lets batches
//     grow under load. BatchBytes stays 1 MiB.
//   - BatchTimeout: 5 ms (kafka-go: 1 s; the Java producer's linger.ms
//     is 5 ms too). A synchronous call on an idle connection does not wait
//     for it.
//   - MaxBufferedBytes: 16 MiB (kafka-go has no bound; the Java
//     producer's buffer.memory is 32 MiB, of 16 KiB batches). Batches
//     queued behind the requests in flight go cold in the cache before
//     they are sent: 32 MiB cost 15 to 20% more CPU per 1 KB message.
//
// A Writer must not be copied after first use. Its methods are safe for
// concurrent use.
type Writer struct {
	// Addr is the address of the cluster: kafka.TCP("host:port", ...).
	Addr net.Addr

	// Topic is the topic every message is written to. When it is empty,
	// each message names its topic in Message.Topic; setting both is an
	// error for that message.
	Topic string

	// Balancer chooses each message's partition (RoundRobin if nil). To
	// write to a chosen partition, use the Manual balancer: it takes
	// Message.Partition.
	Balancer Balancer

	// MaxAttempts bounds the sends of a batch (default 10).
	MaxAttempts int

	// WriteBackoffMin and WriteBackoffMax bound the wait between attempts
	// (defaults 100 ms and 1 s).
	WriteBackoffMin time.Duration
	WriteBackoffMax time.Duration

	// BatchSize bounds the messages of one partition's batch (default
	// 10,000).
	BatchSize int

	// BatchBytes bounds the size of one partition's batch in bytes
	// (default 1 MiB). A message larger than that fails alone with
	// MessageTooLargeError.
	BatchBytes int64

	// BatchTimeout is how long records wait for more before their batch is
	// sent (default 5 ms): always for asynchronous records, only while
	// their broker's connection is busy for a synchronous call's.
	BatchTimeout time.Duration

	// ReadTimeout bounds the wait for a broker's answer beyond WriteTimeout
	// (default 10 s); WriteTimeout bounds a send and is the time the broker
	// is given to replicate (default 10 s). Their sum bounds Close's flush.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration

	// DeliveryTimeout bounds how long a message may wait to be sent
	// (default 2 minutes, as the Java client's delivery.timeout.ms; a
	// negative value waits without end). A partition without a leader
	// uses no attempts: without this bound its messages, and with
	// idempotence every partition's while an epoch bump waits for one of
	// them, would wait until a leader comes back. Messages that waited
	// longer fail with ErrDeliveryTimeout (wrapped in ErrOutcomeUnknown
	// when an earlier attempt's answer was lost). Not in kafka-go.
	DeliveryTimeout time.Duration

	// RequiredAcks is the acknowledgement the broker waits for before it
	// answers. Its zero value means RequireAll.
	RequiredAcks RequiredAcks

	// Async makes WriteMessages return once its messages are accepted
	// (encoded into their batches); their outcome goes to Completion, or
	// to ErrorLogger on failure.
	Async bool

	// Completion, if set, is called with each batch written or failed
	// (err), in both modes. The messages carry their Topic, Partition and,
	// when written, Offset; their Key, Value and Headers are the slices
	// given to WriteMessages, valid only if the caller has not reused them.
	// The slice is valid during the call only. Completion runs on the
	// goroutine that read the broker's answer (the writer's reader for
	// that connection, or a synchronous caller of WriteMessages reading
	// its own answer), one call at a time per broker: keep it short.
	Completion func(messages []Message, err error)

	// Compression compresses every batch, once (none by default).
	Compression Compression

	// Logger and ErrorLogger receive the writer's logs and errors.
	Logger      Logger
	ErrorLogger Logger

	// Transport sets how the Writer connects (TLS, SASL, client id,
	// metadata refresh); nil means DefaultTransport's settings.
	Transport RoundTripper

	// AllowAutoTopicCreation lets the broker create a missing topic when
	// its auto.create.topics.enable allows it.
	AllowAutoTopicCreation bool

	// MaxBufferedBytes bounds the bytes of messages accepted and not yet
	// settled (default 16 MiB; see the Writer's defaults above; a writer
	// to many partitions with large batches may want more):
	// WriteMessages waits, within its context, when it is reached. It
	// counts each message's encoded record and, with Completion set, the
	// copy of its Message kept for the callback. It is never less than two
	// BatchBytes.
	MaxBufferedBytes int64

	// DisableIdempotence turns idempotence off with RequireAll (it is
	// always off with RequireOne and RequireNone).
	DisableIdempotence bool

	once   sync.Once
	cfg    producer.Config[Message] // the fields with defaults applied
	eng    *producer.Producer[Message]
	err    error
	bal    Balancer
	rr     *RoundRobin // bal, when it is one: called directly
	sticky interface{ OnBatchSent(int) }
}

// ErrWriterClosed is returned by WriteMessages after Close.
var ErrWriterClosed = producer.ErrClosed

// ErrOutcomeUnknown is found (errors.Is) in the error of a message that
// failed after an attempt whose answer was lost (a connection cut, a
// timeout): the broker may have written it. The error it wraps is the last
// attempt's.
var ErrOutcomeUnknown = producer.ErrOutcomeUnknown

// ErrDeliveryTimeout is found (errors.Is) in the error of a message that
// waited longer than the Writer's DeliveryTimeout without being sent.
var ErrDeliveryTimeout = producer.ErrDeliveryTimeout

// RequiredAcks is the acknowledgement a Writer asks of the broker.
type RequiredAcks int

// The acknowledgements. RequireAll is the zero value's meaning too.
const (
	// RequireNone asks for no answer at all: messages may be lost.
	RequireNone RequiredAcks = -2
	// RequireOne waits for the partition leader only.
	RequireOne RequiredAcks = 1
	// RequireAll waits for every in-sync replica.
	RequireAll RequiredAcks = -1
)

// String returns "none", "one" or "all".
func (acks RequiredAcks) String() string {
	switch acks {
	case RequireNone:
		return "none"
	case RequireOne:
		return "one"
	case RequireAll, 0:
		return "all"
	}
	return "unknown"
}

// MarshalText returns String's text.
func (acks RequiredAcks) MarshalText() ([]byte, error) { return []byte(acks.String()), nil }

// UnmarshalText reads "none", "one" or "all" (or -1, 0, 1).
func (acks *RequiredAcks) UnmarshalText(b []byte) error {
	switch string(b) {
	case "none", "0":
		*acks = RequireNone
	case "one", "1":
		*acks = RequireOne
	case "all", "-1":
		*acks = RequireAll
	default:
		return errors.New("kafka: required acks must be none, one or all, not " + string(b))
	}
	return nil
}

// wireAcks is the acks field of Produce requests.
func (acks RequiredAcks) wireAcks() int16 {
	switch acks {
	case RequireNone:
		return 0
	case RequireOne:
		return 1
	}
	return -1
}

// TCP returns the address of a cluster reached over TCP at addrs (one or
// more bootstrap brokers).
func TCP(addrs ...string) net.Addr { return tcpAddrs(addrs) }

type tcpAddrs []string

func (a tcpAddrs) Network() string { return "tcp" }
func (a tcpAddrs) String() string  { return strings.Join(a, ",") }

// bootstrap lists the addresses of addr (a TCP(...) value, or any net.Addr
// whose String is host:port, or a comma-separated list of them).
func bootstrap(addr net.Addr) []string {
	if a, ok := addr.(tcpAddrs); ok {
		return a
	}
	if addr == nil {
		return nil
	}
	return strings.Split(addr.String(), ",")
}

// WriteErrors is the error of a WriteMessages call in which some messages
// failed: one entry per message given, in order, nil for the messages
// written.
type WriteErrors []error

// Count counts the messages that failed.
func (err WriteErrors) Count() int {
	n := 0
	for _, e := range err {
		if e != nil {
			n++
		}
	}
	return n
}

// Error summarizes the failures.
func (err WriteErrors) Error() string {
	var first error
	for _, e := range err {
		if e != nil {
			first = e
			break
		}
	}
	s := "kafka write errors (" + strconv.Itoa(err.Count()) + "/" + strconv.Itoa(len(err)) + ")"
	if first != nil {
		s += ": " + first.Error()
	}
	return s
}

// Unwrap returns the failures, so that errors.Is and errors.As look into
// them.
func (err WriteErrors) Unwrap() []error {
	out := make([]error, 0, len(err))
	for _, e := range err {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// MessageTooLargeError is the error of a message larger than the Writer's
// BatchBytes or than the broker accepts; it fails alone. errors.Is matches
// MessageSizeTooLarge.
type MessageTooLargeError struct {
	Message Message
	// Remaining is always nil here: the other messages of the call are
	// written (kafka-go listed them as not attempted).
	Remaining []Message
}

func (e MessageTooLargeError) Error() string { return MessageSizeTooLarge.Error() }
func (e MessageTooLargeError) Unwrap() error { return MessageSizeTooLarge }

// Manual is a Balancer that writes each message to the partition its
// Partition field names.
type Manual struct{}

// Balance returns msg.Partition.
func (Manual) Balance(msg Message, partitions ...int) int { return msg.Partition }

// errInvalidPartition fails a message whose balancer chose no partition of
// the topic.
var errInvalidPartition = errors.New("kafka: the balancer chose a partition the topic does not have")

var (
	errTopicBoth = errors.New("kafka: a message must not name a topic when the Writer has one")
	errTopicNone = errors.New("kafka: a message must name a topic when the Writer has none")
)

// start builds the engine from the fields, once.
func (w *Writer) start() {
	tr := w.transport()
	d := tr.dialer()
	acks := w.RequiredAcks.wireAcks()
	codec, level, codecErr := wireCodec(w.Compression.Codec())
	bal := w.Balancer
	if bal == nil {
		bal = &RoundRobin{}
	}
	w.bal = bal
	w.rr, _ = bal.(*RoundRobin)
	if s, ok := bal.(interface{ OnBatchSent(int) }); ok {
		w.sticky = s
	}
	cfg := producer.Config[Message]{
		Bootstrap:       bootstrap(w.Addr),
		Dial:            d.dialBroker,
		Acks:            acks,
		Idempotent:      acks == -1 && !w.DisableIdempotence,
		Codec:           codec,
		Level:           level,
		BatchSize:       or(w.BatchSize, 10000),
		BatchBytes:      int(or(w.BatchBytes, 1<<20)),
		Linger:          or(w.BatchTimeout, 5*time.Millisecond),
		MaxInFlight:     5,
		MaxAttempts:     or(w.MaxAttempts, 10),
		BackoffMin:      or(w.WriteBackoffMin, 100*time.Millisecond),
		BackoffMax:      or(w.WriteBackoffMax, time.Second),
		ReadTimeout:     or(w.ReadTimeout, 10*time.Second),
		WriteTimeout:    or(w.WriteTimeout, 10*time.Second),
		DeliveryTimeout: deliveryTimeout(w.DeliveryTimeout),
		AutoCreate:      w.AllowAutoTopicCreation,
		BufferBytes:     or(w.MaxBufferedBytes, 16<<20),
		KeepCost:        keptMessageSize,
		MetadataTTL:     or(tr.MetadataTTL, 6*time.Second),
	}
	if cfg.BufferBytes < 2*int64(cfg.BatchBytes) {
		cfg.BufferBytes = 2 * int64(cfg.BatchBytes)
	}
	w.cfg = cfg // the settings in effect (Stats reports them)
	if codecErr != nil {
		w.err = codecErr
		return
	}
	if len(cfg.Bootstrap) == 0 {
		w.err = errors.New("kafka: Writer.Addr is not set")
		return
	}
	if w.ErrorLogger != nil || w.Logger != nil {
		l := w.ErrorLogger
		if l == nil {
			l = w.Logger
		}
		cfg.Errorf = l.Printf
	}
	if w.Completion != nil {
		cfg.OnBatch = w.complete
	}
	if w.sticky != nil {
		cfg.OnSeal = func(_ string, partition int32) { w.sticky.OnBatchSent(int(partition)) }
	}
	w.eng = producer.New(cfg)
}

// complete hands a settled batch to Completion.
func (w *Writer) complete(b *producer.Batch[Message]) {
	for i := range b.Msgs {
		m := &b.Msgs[i]
		m.Topic = b.Topic()
		m.Partition = int(b.Partition())
		m.Offset = -1
		if b.Err == nil && b.BaseOffset >= 0 {
			m.Offset = b.BaseOffset + int64(i)
		}
	}
	w.Completion(b.Msgs, b.Err)
}

// or returns v when it is set (positive), else the default d.
func or[T int | int64 | time.Duration](v, d T) T {
	if v > 0 {
		return v
	}
	return d
}

// deliveryTimeout is the engine's DeliveryTimeout for the Writer's: 2
// minutes for 0, none (0) for a negative value.
func deliveryTimeout(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return or(d, 2*time.Minute)
}

func (w *Writer) engine() (*producer.Producer[Message], error) {
	w.once.Do(w.start)
	return w.eng, w.err
}

// WriteMessages writes msgs. Each message goes to its topic (the Writer's
// Topic, or its own) and to the partition the Balancer picks, and is
// encoded once, into that partition's batch.
//
// Synchronously (the default), it returns once every message is written
// or failed, or ctx ends (below): nil when all were written, otherwise
// WriteErrors with one entry per message (errors.Is sees the Kafka errors
// inside). A message larger than BatchBytes fails alone with
// MessageTooLargeError.
//
// With Async set, it returns once the messages are accepted; outcomes go
// to Completion.
//
// ctx bounds the call, in both modes:
//   - A message not accepted when ctx ends (the call waits for a new
//     topic's metadata, for room in the buffer) fails with ctx's error and
//     is never written. A call made with ctx already ended accepts nothing:
//     every message fails so.
//   - A synchronous call returns when ctx ends, whatever the brokers do,
//     even with messages accepted and not yet acknowledged. Each of those
//     is reported with an error that matches both ErrOutcomeUnknown and
//     ctx's error (context.DeadlineExceeded or context.Canceled), and
//     stays in the Writer: it is sent, retried, and written or failed on
//     the Writer's terms (MaxAttempts, DeliveryTimeout) as if the call had
//     waited, idempotence kept (never written twice, never out of order
//     with the partition's other messages). Its final outcome goes to
//     Completion when set, a failure to ErrorLogger otherwise; Flush and
//     Close wait for it.
//
// So each entry of WriteErrors says: nil, written; an error without
// ErrOutcomeUnknown, not written; an error with it, written or not (at
// most once, in order). The call notices ctx's end within milliseconds:
// it waits on ctx.Done() where it waits, and while it reads a broker's
// answer itself it sets the read deadline to ctx's deadline and looks for
// a cancel every 10 ms. One wait is bounded otherwise: a request the call
// writes into a connection whose broker has stopped reading (its socket
// buffer full) is bounded by ctx's deadline and WriteTimeout, not by a
// cancel.
//
// The messages' Key, Value and header slices are only read, during the
// call: they may be reused as soon as it returns, in both modes, ctx
// ended or not. (Values of 8 KiB and more of a synchronous call are sent
// from the caller's memory, without a copy, only when ctx cannot end, as
// context.Background(): the call then always waits until they are sent.)
func (w *Writer) WriteMessages(ctx context.Context, msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	eng, err := w.engine()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return ended(w.Async, len(msgs), err) // nothing accepted
	}
	if err := eng.BeginAccept(); err != nil {
		return err
	}
	// A synchronous call waits on a recycled Call; an asynchronous one
	// takes one only as scratch for headers.
	var call, scratch *producer.Call[Message]
	var hdrBuf []wire.RecordHeader
	var keyBuf []byte
	if !w.Async {
		call = eng.NewCall(len(msgs))
		// A call that cannot be given up lends its large values to the
		// requests (see ExternalMin); a request it writes is bound by its
		// deadline.
		call.Extern = ctx.Done() == nil
		call.Deadline, _ = ctx.Deadline()
		scratch = call
		hdrBuf, keyBuf = call.Hdrs[:0], call.Keys[:0]
	}
	var asyncErr error
	var lastSink producer.Sink[Message]
	var now int64 // read once, for the first message without a Time
	haveNow := false
	topic := w.Topic
	var parts []*producer.Partition[Message]
	var ids []int
	var lastTopic string
	var topicErr error
	for i := range msgs {
		m := &msgs[i]
		t := topic
		switch {
		case t != "" && m.Topic != "":
			failed(call, &asyncErr, i, errTopicBoth)
			continue
		case t == "":
			t = m.Topic
			if t == "" {
				failed(call, &asyncErr, i, errTopicNone)
				continue
			}
		}
		if parts == nil || t != lastTopic {
			parts, ids, topicErr = eng.Topic(ctx, t)
			lastTopic = t
		}
		if topicErr != nil {
			failed(call, &asyncErr, i, topicErr)
			parts = nil
			continue
		}
		var pi int
		if w.rr != nil {
			// RoundRobin ignores the message: the interface call would
			// copy it (152 bytes) for nothing.
			pi = w.rr.next(ids)
		} else {
			pi = w.bal.Balance(*m, ids...)
		}
		if pi < 0 || pi >= len(parts) {
			failed(call, &asyncErr, i, errInvalidPartition)
			continue
		}
		part := parts[pi]
		if len(m.Headers) > 0 && scratch == nil {
			scratch = eng.NewCall(0)
			hdrBuf, keyBuf = scratch.Hdrs[:0], scratch.Keys[:0]
		}
		hdrs := hdrBuf[:0]
		keys := keyBuf[:0]
		for j := range m.Headers {
			var kb []byte
			kb, keys = produce.StringBytes(keys, m.Headers[j].Key)
			hdrs = append(hdrs, wire.RecordHeader{Key: kb, Value: m.Headers[j].Value})
		}
		hdrBuf, keyBuf = hdrs, keys
		size := producer.RecordSize(m.Key, m.Value, hdrs)
		if !eng.Fits(size) {
			failed(call, &asyncErr, i, MessageTooLargeError{Message: *m})
			continue
		}
		// One read of Completion decides both the budget taken and the
		// copy kept, which Append adds to its batch's size: they must agree
		// (Flush waits for the budget to empty).
		var keep *Message
		cost := size
		if w.Completion != nil {
			keep = m
			cost += keptMessageSize // the copy kept for Completion
		}
		if err := eng.Acquire(ctx, cost); err != nil {
			failed(call, &asyncErr, i, err)
			continue
		}
		var ts int64
		if !m.Time.IsZero() {
			ts = m.Time.UnixMilli()
		} else {
			if !haveNow {
				now, haveNow = eng.NowMilli(), true
			}
			ts = now
		}
		var ref producer.Ref[Message]
		if !w.Async {
			ref = producer.Ref[Message]{C: call, I: int32(i)}
			call.Add()
		}
		sk := eng.Append(part, ts, m.Key, m.Value, hdrs, size, ref, keep)
		if call != nil {
			if !slices.Contains(call.Sinks, sk) {
				call.Sinks = append(call.Sinks, sk)
			}
		} else if sk != lastSink {
			lastSink.Nudge()
			lastSink = sk
		}
	}
	eng.EndAccept()
	clear(hdrBuf)
	if scratch != nil {
		scratch.Hdrs, scratch.Keys = hdrBuf[:0], keyBuf[:0]
	}
	if w.Async {
		lastSink.Nudge()
		if scratch != nil {
			eng.Free(scratch)
		}
		if asyncErr != nil && w.ErrorLogger != nil {
			w.ErrorLogger.Printf("kafka: writing messages: %v", asyncErr)
		}
		return asyncErr
	}
	// A call whose records all went to one broker reads that broker's
	// answer itself when the connection was idle (see Call.ReadOwn); with
	// more, each answer is left to its connection's reader, so that the
	// requests to all of them are sent before any answer is awaited.
	for _, sk := range call.Sinks {
		sk.Wake(call)
	}
	call.ReadOwn(ctx)
	gaveUp := call.Wait(ctx)
	var errs WriteErrors
	if gaveUp != nil {
		errs = WriteErrors(gaveUp) // call belongs to its records now
	} else if call.Errs != nil {
		errs = WriteErrors(call.Errs)
	}
	for i, e := range errs {
		if e != nil && producer.IsTooLarge(e) {
			if _, ok := e.(MessageTooLargeError); !ok {
				errs[i] = MessageTooLargeError{Message: msgs[i]}
			}
		}
	}
	if gaveUp == nil {
		eng.Free(call)
	}
	if errs != nil {
		return errs
	}
	return nil
}

// ended is the error of a call made with its context ended: err for each
// message of a synchronous call, err itself for an asynchronous one.
func ended(async bool, n int, err error) error {
	if async {
		return err
	}
	errs := make(WriteErrors, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// failed records err for message i: in the call's errors when
// synchronous, as the first error otherwise.
func failed(call *producer.Call[Message], first *error, i int, err error) {
	if call != nil {
		call.Fail(i, err)
	} else if *first == nil {
		*first = err
	}
}

// Flush sends every message accepted so far without waiting for
// BatchTimeout, and waits (bounded by ctx) until they are all written or
// failed. It waits for the messages other goroutines write meanwhile too
// (it returns when nothing accepted is left unsettled), so while writes
// never pause it returns only when ctx ends.
func (w *Writer) Flush(ctx context.Context) error {
	eng, err := w.engine()
	if err != nil {
		return err
	}
	return eng.Flush(ctx)
}

// Close flushes every message accepted, then closes the connections and
// stops the writer's goroutines. Writes after Close fail with
// ErrWriterClosed, and so do writes waiting to be accepted when it begins
// (for a new topic's metadata, for room in the buffer).
//
// Close returns within WriteTimeout + ReadTimeout (20 s by default: the
// time one request may take) plus a few milliseconds, whatever the
// brokers do. Within that bound it flushes: a batch is sent at once, and
// retried on the Writer's usual terms while the bound lasts, so with
// brokers that answer everything accepted is written. Messages not
// written when the bound passes fail with ErrWriterClosed (wrapped in
// ErrOutcomeUnknown when an attempt's answer was lost: the broker may have
// written them), reported as any failure is (WriteErrors of the
// synchronous calls waiting for them, Completion or ErrorLogger); Close
// then returns an error that says how many, which matches
// context.DeadlineExceeded. The connections are then closed under any
// exchange in progress (a Metadata request, a dial), so a stalled broker
// never holds Close beyond the bound. To wait longer, or less, call Flush
// with a context first.
func (w *Writer) Close() error {
	eng, err := w.engine()
	if err != nil || eng == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.WriteTimeout+w.cfg.ReadTimeout)
	defer cancel()
	return eng.Close(ctx)
}

// Stats returns the writer's statistics since the last call (counters are
// reset) and its configuration.
func (w *Writer) Stats() WriterStats {
	eng, err := w.engine()
	c := &w.cfg
	s := WriterStats{
		MaxAttempts:     int64(c.MaxAttempts),
		WriteBackoffMin: c.BackoffMin,
		WriteBackoffMax: c.BackoffMax,
		MaxBatchSize:    int64(c.BatchSize),
		BatchTimeout:    c.Linger,
		ReadTimeout:     c.ReadTimeout,
		WriteTimeout:    c.WriteTimeout,
		RequiredAcks:    int64(c.Acks),
		Async:           w.Async,
		Topic:           w.Topic,
	}
	if err != nil || eng == nil {
		return s
	}
	st := eng.Stats()
	s.Writes = st.Writes.Swap(0)
	s.Messages = st.Messages.Swap(0)
	s.Bytes = st.Bytes.Swap(0)
	s.Errors = st.Errors.Swap(0)
	s.Retries = st.Retries.Swap(0)
	s.Dials = st.Dials.Swap(0)
	s.Reauthentications = st.Reauths.Swap(0)
	s.BatchTime = durationStats(&st.BatchTime)
	s.WriteTime = durationStats(&st.WriteTime)
	s.DialTime = durationStats(&st.DialTime)
	s.BatchSize = summaryStats(&st.BatchSize)
	s.BatchBytes = summaryStats(&st.BatchByte)
	return s
}
