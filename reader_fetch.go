package kafka

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/zeroalloc/kafka/internal/fetcher"
	"github.com/zeroalloc/kafka/wire"
)

// The Reader's side of fetching: starting and stopping partitions in its
// fetcher (internal/fetcher, which fetches them ahead of the application
// and queues their records as items), Lags, and decoding an item's
// records into the caller's Message.

// startPartition starts reading tp at offset (an absolute offset, or
// FirstOffset or LastOffset, resolved by the fetcher).
func (r *Reader) startPartition(tp topicPartition, offset int64) *fetcher.Partition {
	pr := r.fetch.Start(tp.topic, tp.partition, offset)
	r.mu.Lock()
	r.parts[tp] = pr
	r.mu.Unlock()
	return pr
}

// stopPartition ends reading pr: no message of it is delivered once it
// returns. A Fetch in flight may still bring its records; they are
// dropped.
func (r *Reader) stopPartition(pr *fetcher.Partition) {
	r.deliverMu.Lock()
	pr.Stop()
	r.deliverMu.Unlock()
	r.fetch.Remove(pr)
}

// giveBack keeps m, which ReadMessage read and failed to commit, for the
// next read call, which returns it first (takeBack): the partition's
// position moves back to m, so a program that goes on after the error
// loses nothing. When the commit was refused (a rebalance, the generation
// over, the coordinator unreachable), m is returned only after a backoff
// (ReadBackoffMin, doubling up to ReadBackoffMax while commits keep being
// refused): a program that retries at once would otherwise send a commit
// storm to the coordinator for as long as the rebalance lasts. The caller
// holds the read turn, so no read call has returned a later message of the
// partition. A partition stopped since m was read (revoked or lost: its
// next reader starts at the committed offset, which is not past m) is left
// alone. m's slices become the Reader's.
func (r *Reader) giveBack(tp topicPartition, m *Message, refused bool) {
	r.mu.Lock()
	pr := r.parts[tp]
	r.mu.Unlock()
	if pr == nil {
		return
	}
	r.deliverMu.Lock()
	if !pr.Stopped() && pr.Next == m.Offset+1 {
		pr.Next = m.Offset
		r.back, r.backPart, r.backAt = *m, pr, time.Time{}
		if refused {
			r.backFails++
			r.backAt = time.Now().Add(min(r.config.ReadBackoffMin<<min(r.backFails-1, 20), r.config.ReadBackoffMax))
		}
	}
	r.deliverMu.Unlock()
}

// takeBack fills m with the message given back, if its partition is still
// read from it, once its backoff is over; it returns ctx's error, keeping
// the message, when ctx ends first. The caller holds the read turn.
func (r *Reader) takeBack(ctx context.Context, m *Message) (bool, error) {
	if wait := time.Until(r.backAt); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-r.ctx.Done():
			t.Stop()
			return false, io.EOF
		}
	}
	pr := r.backPart
	r.backPart = nil
	r.deliverMu.Lock()
	ok := !pr.Stopped() && pr.Next == r.back.Offset
	if ok {
		copyMessage(m, &r.back)
		pr.Next = m.Offset + 1
	}
	r.deliverMu.Unlock()
	r.back = Message{} // keeps no reference to the caller's slices
	if ok {
		r.stats.messages.Add(1)
		r.stats.bytes.Add(int64(len(m.Key) + len(m.Value)))
	}
	return ok, nil
}

// copyMessage fills dst with src as fillMessage fills it from a record:
// key, value and header values appended to dst's slices.
func copyMessage(dst, src *Message) {
	dst.Topic, dst.Partition, dst.Offset, dst.HighWaterMark, dst.Time = src.Topic, src.Partition, src.Offset, src.HighWaterMark, src.Time
	dst.Key = appendNullable(dst.Key, src.Key)
	dst.Value = appendNullable(dst.Value, src.Value)
	if len(src.Headers) == 0 {
		if dst.Headers != nil {
			dst.Headers = dst.Headers[:0]
		}
		return
	}
	dst.Headers = growHeaders(dst.Headers, len(src.Headers))
	for i := range src.Headers {
		dst.Headers[i].Key = src.Headers[i].Key
		dst.Headers[i].Value = appendNullable(dst.Headers[i].Value, src.Headers[i].Value)
	}
}

// appendNullable returns src appended to dst's memory, or nil for a nil
// src (a null key or value).
func appendNullable(dst, src []byte) []byte {
	if src == nil {
		return nil
	}
	return append(reuse(dst), src...)
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
	prs := make([]*fetcher.Partition, 0, len(r.parts))
	for _, pr := range r.parts {
		prs = append(prs, pr)
	}
	r.mu.Unlock()
	out := make([]PartitionLag, 0, len(prs))
	for _, pr := range prs {
		r.deliverMu.Lock()
		next := pr.Next
		r.deliverMu.Unlock()
		begin, hw := pr.Snapshot()
		if next < 0 {
			next = begin
		}
		l := PartitionLag{Topic: pr.Topic, Partition: pr.Partition, Offset: next, HighWaterMark: hw, Lag: -1}
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

// nextRecord reads the next record of it into m; false at the item's end
// (err says why when it ended early). Called with deliverMu held; r.iter
// was reset to it.Records when the item was taken.
func (r *Reader) nextRecord(it *fetcher.Item, m *Message) (bool, error) {
	iter := &r.iter
	skip := false // the current batch is dropped whole
	for {
		if !skip && iter.NextRecord() {
			rec := iter.Record()
			if rec.Offset >= it.End {
				// Past the whole batches the fetch position moved over: a
				// damaged answer. The next fetch starts at End.
				return false, nil
			}
			if rec.Offset < it.From || rec.Offset < it.Part.Next {
				// The batch began before the fetch offset, or (a damaged
				// batch) goes back below what was delivered.
				continue
			}
			fillMessage(m, it, rec)
			return true, nil
		}
		if !iter.NextBatch() {
			return false, iter.Err()
		}
		b := iter.Batch()
		skip = b.LastOffset() < it.From
		if skip {
			continue
		}
		if len(it.Aborted) > 0 || len(r.abortedPIDs) > 0 {
			// read_committed: a transaction's records are dropped from the
			// first offset the broker lists for its abort up to its abort
			// marker (the broker lists them in offset order).
			for r.abortIdx < len(it.Aborted) && it.Aborted[r.abortIdx].FirstOffset <= b.LastOffset() {
				r.abortedPIDs = append(r.abortedPIDs, it.Aborted[r.abortIdx].ProducerId)
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
func fillMessage(m *Message, it *fetcher.Item, rec *wire.Record) {
	m.Topic, m.Partition, m.Offset, m.HighWaterMark = it.Part.Topic, it.Part.Partition, rec.Offset, it.HighWaterMark
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

// corruptError names the partition and offset of a batch that failed its
// checks.
func corruptError(pr *fetcher.Partition, err error) error {
	return fmt.Errorf("kafka: reading %s/%d: %w", pr.Topic, pr.Partition, err)
}
