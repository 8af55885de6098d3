package producer

import (
	"context"
	"sync"
	"sync/atomic"
)

// budget bounds the bytes of accepted, unsettled records. acquire blocks
// (context-aware) until enough is free; release gives bytes back. Waiters
// share a one-slot wake-up channel, passed on while room is left, so
// neither side allocates.
type budget struct {
	mu    sync.Mutex
	limit int64
	used  atomic.Int64
	wake  chan struct{}
	// Waiting counts acquire calls that had to wait (stats).
	waits atomic.Int64
}

func (b *budget) init(limit int64) {
	b.limit = limit
	b.wake = make(chan struct{}, 1)
}

// acquire takes n bytes. A waiter always has a release to wait for: it
// waits only while bytes are held, and held bytes belong to records that
// will be settled. A record larger than the whole budget is let
// through when nothing else is buffered, so that it cannot wait forever.
func (b *budget) acquire(ctx context.Context, n int64, quit <-chan struct{}) error {
	// The fast path: room without waiting, one atomic add.
	if u := b.used.Add(n); u <= b.limit || u == n {
		return nil
	} else {
		b.used.Add(-n)
	}
	waited := false
	for {
		b.mu.Lock()
		if u := b.used.Load(); u+n <= b.limit || u == 0 {
			room := b.used.Add(n) < b.limit
			b.mu.Unlock()
			if waited && room {
				b.signal()
			}
			return nil
		}
		b.mu.Unlock()
		if !waited {
			waited = true
			b.waits.Add(1)
		}
		select {
		case <-b.wake:
		case <-ctx.Done():
			b.signal() // the wake-up may have been meant for another waiter
			return ctx.Err()
		case <-quit:
			return ErrClosed
		}
	}
}

func (b *budget) release(n int64) {
	b.used.Add(-n)
	b.signal()
}

func (b *budget) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Used returns the bytes held.
func (b *budget) Used() int64 { return b.used.Load() }
