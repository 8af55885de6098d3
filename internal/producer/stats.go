package producer

import (
	"sync/atomic"
	"time"
)

// Stats are the engine's counters, read and reset by the Writer's Stats.
type Stats struct {
	Writes   atomic.Int64 // requests sent
	Messages atomic.Int64 // records written
	Bytes    atomic.Int64 // key and value bytes written
	Errors   atomic.Int64 // batches failed
	Retries  atomic.Int64 // batches resent
	Dials    atomic.Int64
	Reauths  atomic.Int64 // SASL re-authentications (KIP-368)

	BatchTime Summary // batch opened to settled
	WriteTime Summary // request sent to answered
	DialTime  Summary
	BatchSize Summary // records per batch sent
	BatchByte Summary // bytes per batch sent
}

// Summary accumulates observations without locks.
type Summary struct {
	count, sum atomic.Int64
	min, max   atomic.Int64
}

func (s *Summary) observe(d time.Duration) { s.Observe(int64(d)) }

// Observe adds v.
func (s *Summary) Observe(v int64) {
	if s.count.Add(1) == 1 {
		s.min.Store(v)
	}
	s.sum.Add(v)
	for {
		m := s.min.Load()
		if v >= m || s.min.CompareAndSwap(m, v) {
			break
		}
	}
	for {
		m := s.max.Load()
		if v <= m || s.max.CompareAndSwap(m, v) {
			break
		}
	}
}

// Snapshot returns count, sum, min and max, and resets them.
func (s *Summary) Snapshot() (count, sum, min, max int64) {
	count, sum = s.count.Swap(0), s.sum.Swap(0)
	min, max = s.min.Swap(0), s.max.Swap(0)
	return
}
