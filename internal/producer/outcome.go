package producer

import (
	"errors"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// finish handles the answer for batch b: err nil is success (base is the
// offset of its first record), otherwise code says what to do: settle,
// retry, split or fail.
func (p *Producer[M]) finish(s *sink[M], b *Batch[M], code wire.Error, base int64, err error) {
	part := b.part
	part.mu.Lock()
	part.sent--
	if part.sent == 0 {
		part.busy = nil
	}
	switch {
	case err == nil, code == wire.DuplicateSequenceNumber:
		// A duplicate was written by an earlier attempt whose answer was
		// lost; its offset is not known.
		if err != nil {
			base = -1
		}
		p.dequeue(part, b)
		if p.cfg.Idempotent {
			part.ackSeq = addSeq(b.baseSeq, b.n)
			part.confirmed = true
		}
		part.mu.Unlock()
		b.BaseOffset = base
		p.settle(b, nil)
		return

	case code == wire.OutOfOrderSequenceNumber && (part.blocked || part.reseq):
		// An earlier batch of the partition failed: this one was refused
		// for the gap, not written, and goes again after it. Nor did an
		// earlier attempt write it: the broker checks for a duplicate
		// before the sequence.
		b.unknown = false
		b.tries--
		part.mu.Unlock()
		return

	case code == wire.OutOfOrderSequenceNumber, code == wire.UnknownProducerId:
		// The broker lost the producer's state (KIP-360): bump the epoch
		// and number every partition again from 0. The broker does not
		// hold this batch under these numbers (it would have answered
		// DUPLICATE_SEQUENCE_NUMBER): its outcome is known.
		b.unknown = false
		if p.cfg.Idempotent && b.tries < p.cfg.MaxAttempts {
			p.needBump.Store(true)
			p.block(part, b.tries)
			part.mu.Unlock()
			p.kickMeta()
			return
		}

	case code == wire.MessageTooLarge, code == wire.RecordListTooLarge:
		b.unknown = false // the same bytes were refused before too
		if b.n > 1 {
			if p.split(part, b) {
				p.block(part, 0)
				part.mu.Unlock()
				p.freeBatch(b)
				return
			}
		}
		err = tooLarge{err}

	case code.Retriable():
		if mayAppend(code) {
			b.unknown = true
		}
		if b.tries < p.cfg.MaxAttempts {
			p.block(part, b.tries)
			part.mu.Unlock()
			if refreshes(code) {
				p.kickMeta()
			}
			return
		}
	}
	bump := p.fail(part, b)
	part.mu.Unlock()
	if bump {
		p.kickMeta()
	}
	p.settle(b, outcome(b, err))
}

// mayAppend reports whether a retriable error may come after the broker
// appended the batch: most do (a leader that appended and then lost its
// leadership or timed out waiting for its followers answers
// NOT_LEADER_OR_FOLLOWER or REQUEST_TIMED_OUT); NOT_ENOUGH_REPLICAS and
// CORRUPT_MESSAGE are checked before the append.
func mayAppend(code wire.Error) bool {
	return code != wire.NotEnoughReplicas && code != wire.CorruptMessage
}

// ErrOutcomeUnknown is found (errors.Is) in the error of a batch that
// failed for good after an attempt whose outcome is unknown: the broker
// may have written it.
var ErrOutcomeUnknown = errors.New("kafka: the messages may have been written (the outcome of an attempt is unknown)")

// ErrDeliveryTimeout is the error of a batch that waited longer than the
// delivery timeout without being sent (its partition without a leader, or
// held behind an epoch bump that waits for such a partition).
var ErrDeliveryTimeout = errors.New("kafka: not written within the delivery timeout")

// outcomeUnknown wraps the error of such a batch.
type outcomeUnknown struct{ error }

func (e outcomeUnknown) Error() string {
	return ErrOutcomeUnknown.Error() + ": " + e.error.Error()
}

func (e outcomeUnknown) Unwrap() []error { return []error{ErrOutcomeUnknown, e.error} }

// outcome is the error to report for b failing with err: wrapped when the
// broker may have written b.
func outcome[M any](b *Batch[M], err error) error {
	if b.unknown && err != nil {
		return outcomeUnknown{err}
	}
	return err
}

// tooLarge marks a record the broker refused for its size, alone in its
// batch; errors.Is finds MESSAGE_TOO_LARGE inside.
type tooLarge struct{ error }

func (e tooLarge) Unwrap() error { return e.error }

// IsTooLarge reports whether err is a record refused alone for its size.
func IsTooLarge(err error) bool {
	var t tooLarge
	return errors.As(err, &t)
}

// refreshes reports whether an error means the metadata is stale.
func refreshes(code wire.Error) bool {
	switch code {
	case wire.NotLeaderOrFollower, wire.UnknownTopicOrPartition, wire.LeaderNotAvailable,
		wire.FencedLeaderEpoch, wire.UnknownLeaderEpoch, wire.KafkaStorageError, wire.NotController:
		return true
	}
	return false
}

// retry puts b back after a send or connection failure.
func (p *Producer[M]) retry(s *sink[M], b *Batch[M], err error, sent bool) {
	part := b.part
	part.mu.Lock()
	part.sent--
	if part.sent == 0 {
		part.busy = nil
	}
	if sent {
		b.unknown = true
	}
	if b.tries < p.cfg.MaxAttempts {
		p.block(part, b.tries)
		part.mu.Unlock()
		p.kickMeta()
		return
	}
	bump := p.fail(part, b)
	part.mu.Unlock()
	if bump {
		p.kickMeta()
	}
	p.settle(b, outcome(b, err))
}

// block stops part's sends until what is in flight is answered and a
// backoff after attempt tries has passed (part.mu held).
func (p *Producer[M]) block(part *Partition[M], tries int) {
	part.blocked = true
	at := time.Now()
	if tries > 0 {
		at = at.Add(p.backoff(tries))
	}
	if at.After(part.retryAt) || part.sent == 0 {
		part.retryAt = at
	}
}

// fail takes b out of part's queue for good (part.mu held). With
// idempotence, the batches behind it are numbered again from where the
// broker stands: any of them already sent was refused for the gap. But
// when the broker may have written b, where it stands is not known (a
// follower renumbered into b's sequences would be taken for b's
// duplicate and dropped): the epoch is bumped instead, and fail returns
// true for the caller to kick the metadata manager once it has let go of
// the lock.
func (p *Producer[M]) fail(part *Partition[M], b *Batch[M]) (bump bool) {
	p.dequeue(part, b)
	if !p.cfg.Idempotent {
		return false
	}
	part.blocked = true
	if b.unknown {
		p.needBump.Store(true)
		return true
	}
	part.reseq = true
	return false
}

// unresolved reports whether a batch of part's queue from i on may have
// been written by an attempt whose answer was lost (part.mu held).
func (part *Partition[M]) unresolved(i int) bool {
	for _, b := range part.queue[i:] {
		if b.unknown {
			return true
		}
	}
	return false
}

// dequeue removes b from part's queue (part.mu held).
func (p *Producer[M]) dequeue(part *Partition[M], b *Batch[M]) {
	for i, q := range part.queue {
		if q == b {
			copy(part.queue[i:], part.queue[i+1:])
			part.queue[len(part.queue)-1] = nil
			part.queue = part.queue[:len(part.queue)-1]
			return
		}
	}
}

// split replaces b in part's queue by one batch per record, so that a
// record too large for the broker fails alone and its neighbours are
// written (part.mu held). The new batches are numbered later (reseq).
func (p *Producer[M]) split(part *Partition[M], b *Batch[M]) bool {
	var it wire.RecordIter
	src := b.buf
	if len(b.ext) > 0 {
		// Put the external values in place (the new batches copy them).
		src = make([]byte, 0, b.wireLen)
		from := 0
		for _, e := range b.ext {
			src = append(append(src, b.buf[from:e.At]...), e.B...)
			from = e.At
		}
		src = append(src, b.buf[from:]...)
	}
	it.Reset(src)
	singles := make([]*Batch[M], 0, b.n)
	var hdrs []wire.RecordHeader
	for i := 0; it.Next(); i++ {
		if i >= b.n {
			break
		}
		r := it.Record()
		nb := p.newBatch(part)
		nb.created = b.created
		nb.tries = b.tries
		hdrs = r.AppendHeaders(hdrs[:0])
		nb.b.Append(r.Timestamp, r.Key, r.Value, hdrs)
		nb.n = 1
		nb.bytes = len(r.Key) + len(r.Value)
		nb.size = b.size / int64(b.n)
		if i == b.n-1 {
			nb.size = b.size - nb.size*int64(b.n-1)
		}
		if i < len(b.refs) {
			nb.refs = append(nb.refs, b.refs[i])
		}
		if len(b.Msgs) > i {
			nb.Msgs = append(nb.Msgs, b.Msgs[i])
		}
		nb.b.SetProducer(p.pid.Load(), int16(p.epoch.Load()), -1)
		if err := nb.finish(); err != nil {
			singles = append(singles, nb)
			for _, x := range singles {
				p.freeBatch(x)
			}
			return false
		}
		singles = append(singles, nb)
	}
	if it.Err() != nil || len(singles) != b.n {
		for _, x := range singles {
			p.freeBatch(x)
		}
		return false
	}
	for i, q := range part.queue {
		if q == b {
			part.queue = append(part.queue[:i], append(singles, part.queue[i+1:]...)...)
			break
		}
	}
	part.reseq = true
	if !p.cfg.Idempotent {
		part.reseq = false
	}
	return true
}
