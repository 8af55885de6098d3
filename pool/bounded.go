package pool

import "sync/atomic"

// Bounded is a fixed-capacity pool of reusable items, for state that is
// expensive to build or that owns resources a garbage collector cannot free
// (codec encoders and decoders that run goroutines, large tables). Unlike
// sync.Pool it never drops items behind the caller's back, and an item it
// cannot keep is handed to the drop function (for example a Close method)
// instead of being left to the garbage collector.
//
// T should be a pointer type so that Get and Put copy no large values and
// allocate nothing. A Bounded is safe for concurrent use.
type Bounded[T any] struct {
	items  chan T
	newFn  func() T
	dropFn func(T)
	closed atomic.Bool
}

// NewBounded returns a pool that keeps at most size idle items. newFn makes
// an item when the pool is empty; drop, which may be nil, releases an item
// that the pool does not keep (the pool is full or closed).
func NewBounded[T any](size int, newFn func() T, drop func(T)) *Bounded[T] {
	if size < 0 {
		size = 0
	}
	return &Bounded[T]{items: make(chan T, size), newFn: newFn, dropFn: drop}
}

// Get returns an idle item, or a new one when none is idle. It never blocks.
// After Close it still returns new items, which Put will then drop.
func (p *Bounded[T]) Get() T {
	select {
	case x := <-p.items:
		return x
	default:
		return p.newFn()
	}
}

// Put returns x to the pool. When the pool is full or closed, x is passed to
// the drop function instead. The caller must not use x after Put.
func (p *Bounded[T]) Put(x T) {
	if p.closed.Load() {
		p.drop(x)
		return
	}
	select {
	case p.items <- x:
	default:
		p.drop(x)
		return
	}
	// A Close that ran between the check above and the send has already
	// drained the channel; drain again so that no item outlives Close.
	if p.closed.Load() {
		p.drain()
	}
}

// Len returns how many idle items the pool holds.
func (p *Bounded[T]) Len() int { return len(p.items) }

// Close drops every idle item, and makes every later Put drop its item. It
// may be called more than once.
func (p *Bounded[T]) Close() {
	p.closed.Store(true)
	p.drain()
}

func (p *Bounded[T]) drain() {
	for {
		select {
		case x := <-p.items:
			p.drop(x)
		default:
			return
		}
	}
}

func (p *Bounded[T]) drop(x T) {
	if p.dropFn != nil {
		p.dropFn(x)
	}
}
