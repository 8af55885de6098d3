package producer

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// Call is one synchronous write waiting for its records. Calls are
// recycled: the zero allocation path takes one with NewCall and gives it
// back with Free.
//
// A caller whose context ends stops waiting (Wait): its records stay in
// their batches, to be written or to fail on their own terms, and the call
// belongs to them from then on; the record that settles last frees it.
type Call[M any] struct {
	// pending counts the records added and not settled, plus one for the
	// caller until it waits; abandoned is added to it when the caller
	// stops waiting before they are all settled.
	pending atomic.Int32
	done    chan struct{}
	p       *Producer[M]
	mu      sync.Mutex
	// Errs is nil unless a record failed; then it has one entry per
	// record of the call.
	Errs []error
	// ok marks, one bit per record, the records written, for calls of
	// more than one record: a caller that stops waiting tells them from
	// those not settled (with one record, pending tells).
	ok []uint64
	n  int
	// Extern says that the caller waits until every record is settled
	// whatever happens (its context cannot end): its large values may be
	// sent from its memory (see Append).
	Extern bool
	// Deadline is the caller's context's deadline (zero: none): a request
	// the caller writes itself is bounded by it.
	Deadline time.Time
	// Hdrs and Keys are scratch for the caller's header conversion.
	Hdrs []wire.RecordHeader
	Keys []byte
	// Sinks lists the brokers the call wrote to, for Wake.
	Sinks []Sink[M]
	// own is the request whose answer the caller reads itself.
	own owned[M]
}

// abandoned is added to Call.pending when its caller stops waiting.
const abandoned = 1 << 30

// NewCall returns a Call for n records.
func (p *Producer[M]) NewCall(n int) *Call[M] {
	c, _ := p.calls.Get().(*Call[M])
	if c == nil {
		c = &Call[M]{done: make(chan struct{}, 1), p: p}
	}
	c.n = n
	if n > 1 {
		w := (n + 63) / 64
		if cap(c.ok) < w {
			c.ok = make([]uint64, w)
		}
		c.ok = c.ok[:w]
		clear(c.ok)
	}
	c.pending.Store(1) // the caller's own reference, dropped by Wait
	return c
}

// Add counts one more record of the call in flight.
func (c *Call[M]) Add() { c.pending.Add(1) }

// Fail records err for record i without it having been accepted.
func (c *Call[M]) Fail(i int, err error) {
	c.mu.Lock()
	c.fail(i, err)
	c.mu.Unlock()
}

// fail records err for record i (c.mu held).
func (c *Call[M]) fail(i int, err error) {
	if c.Errs == nil {
		c.Errs = make([]error, c.n)
	}
	c.Errs[i] = err
}

// settle settles the call's records refs (all of c), failed with err or
// written.
func (c *Call[M]) settle(refs []Ref[M], err error) {
	if err != nil || c.n > 1 {
		c.mu.Lock()
		if c.pending.Load() < abandoned { // else no one reads them
			for _, r := range refs {
				if err != nil {
					c.fail(int(r.I), err)
				} else {
					c.ok[r.I>>6] |= 1 << (r.I & 63)
				}
			}
		}
		c.mu.Unlock()
	}
	switch c.pending.Add(-int32(len(refs))) {
	case 0:
		c.done <- struct{}{}
	case abandoned:
		c.p.Free(c) // the caller has gone: the last record frees it
	}
}

// Wait waits until every record added is settled, or ctx ends. An
// accepted record is always settled, bounded by the writer's attempts and
// timeouts (or Close); the caller need not wait for that. If ctx ends
// first, Wait returns the call's outcome as it stands, one entry per
// record (nil for those written, their error for those failed, and for
// those not settled ErrOutcomeUnknown with ctx's error), and the call
// belongs to its records from then on: the caller must neither use nor
// Free it. Otherwise it returns nil and the outcome is in Errs.
func (c *Call[M]) Wait(ctx context.Context) (gaveUp []error) {
	if c.pending.Add(-1) == 0 {
		return nil
	}
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
	}
	return c.abandon(ctx.Err())
}

// abandon gives the call's unsettled records up to their batches, for
// cause (the caller's context ended), and returns the call's outcome; nil
// when every record was settled meanwhile.
func (c *Call[M]) abandon(cause error) []error {
	c.mu.Lock()
	if c.pending.Add(abandoned) == abandoned {
		// All settled after all: the last one signals done.
		c.mu.Unlock()
		c.pending.Add(-abandoned)
		<-c.done
		return nil
	}
	errs := c.Errs
	c.Errs = nil
	if errs == nil {
		errs = make([]error, c.n)
	}
	unknown := outcomeUnknown{cause}
	for i := range errs {
		if errs[i] == nil && (c.n == 1 || c.ok[i>>6]&(1<<(i&63)) == 0) {
			errs[i] = unknown
		}
	}
	c.mu.Unlock()
	return errs
}

// Free gives c back for reuse; c and its Errs must not be used after.
func (p *Producer[M]) Free(c *Call[M]) {
	c.Errs = nil
	clear(c.Hdrs)
	c.Hdrs = c.Hdrs[:0]
	c.Keys = c.Keys[:0]
	clear(c.Sinks)
	c.Sinks = c.Sinks[:0]
	c.Extern = false
	c.Deadline = time.Time{}
	p.calls.Put(c)
}

// owned is a request whose answer a synchronous caller reads itself.
type owned[M any] struct {
	s   *sink[M]
	c   *sinkConn[M]
	req *request[M]
}

// ownPoll is how often a caller reading its own answer looks at its
// context when the context may be cancelled before its deadline: a socket
// read cannot wait on a channel, and a goroutine or context.AfterFunc per
// call would allocate.
const ownPoll = 10 * time.Millisecond

// ReadOwn reads the answer to the request c sent on an idle connection
// (see send), if any, before c waits: the answer wakes the caller, which
// settles the records it carries. If ctx ends first, the answer is left to
// the connection's reader (nothing of it consumed), and ReadOwn returns.
func (c *Call[M]) ReadOwn(ctx context.Context) {
	o := c.own
	if o.c == nil {
		return
	}
	c.own = owned[M]{}
	n := len(o.req.batches)
	p := o.s.p
	until := time.Now().Add(p.cfg.ReadTimeout + p.cfg.WriteTimeout)
	arrived, ended := o.s.awaitOwn(o.c, ctx, until)
	if ended {
		o.s.handOver(o.c, o.req)
		return
	}
	if arrived {
		until = time.Time{} // buffered whole: no deadline to set again
	}
	o.s.receive(o.c, o.req, until)
	o.c.rmu.Unlock()
	o.s.answered(o.c, o.req, n, nil)
}

// awaitOwn waits, c.rmu held, until the answer to a caller's own request
// has arrived (whole, or as much as the buffer holds: arrived says
// whole), the connection fails or until passes (receive then reads the
// answer or fails as it would have); or, having consumed none of it, until
// ctx ends: it then reports ended.
func (s *sink[M]) awaitOwn(c *sinkConn[M], ctx context.Context, until time.Time) (arrived, ended bool) {
	done := ctx.Done()
	if done == nil {
		return false, false // nothing to give up on: receive waits
	}
	nc := c.bc.NetConn()
	dl, hasDL := ctx.Deadline()
	for {
		now := time.Now()
		if hasDL && !now.Before(dl) {
			return false, true // done closes at any moment, if it has not
		}
		next := now.Add(ownPoll)
		if until.Before(next) {
			next = until
		}
		if hasDL && dl.Before(next) {
			next = dl
		}
		_ = nc.SetReadDeadline(next)
		whole, err := c.bc.AwaitFrame()
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || !time.Now().Before(until) {
			return whole, false
		}
		select {
		case <-done:
			return false, true
		default:
		}
	}
}

// handOver leaves the answer to req, which a caller was to read itself
// (c.rmu held, nothing of it consumed), to c's reader goroutine: req is
// the oldest request in flight on c, so the reader takes it before any
// other (see read).
func (s *sink[M]) handOver(c *sinkConn[M], req *request[M]) {
	c.orphan.Store(req)
	c.rmu.Unlock()
	select {
	case c.handed <- struct{}{}:
	default:
	}
}
