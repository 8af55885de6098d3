package pool

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// Why our own size classes rather than github.com/valyala/bytebufferpool:
// bytebufferpool keeps one sync.Pool per pool and calibrates a hidden cap
// from recent sizes, so its drops and misses cannot be counted from outside,
// and a Get for a large buffer may return a small one that must be
// reallocated. Here each power-of-two class has its own sync.Pool holding
// *Buffer (a pointer fits in an interface without allocating, where a
// []byte would be boxed on every Put), Get(n) looks only in the class whose
// buffers all hold n bytes, and the cap is the caller's, so every drop and
// miss is visible in Stats.

const (
	minClassBits = 6  // 64 bytes: one cache line
	numClasses   = 25 // 64 B .. 1 GiB (and 1<<30 still fits a 32-bit int)
)

// MinCap is the smallest capacity Buffers keeps: Get never returns less, and
// Put drops a buffer whose capacity is below it.
const MinCap = 1 << minClassBits

// Buffer is a pooled byte buffer. Its B is owned by whoever got the Buffer
// from Get until it is passed to Put; after Put neither the Buffer nor any
// slice of B may be used, since the next Get hands the same storage out
// again. Copy bytes out of B to keep them beyond Put.
type Buffer struct {
	noCopy noCopy
	// B holds the data. Get returns it with length 0 and at least the
	// capacity asked for. Append to it freely: Put keeps whatever B has grown
	// to, so it can be reused at that size, unless it exceeds the pool's cap.
	B []byte
}

// Buffers is a bounded pool of byte buffers for one buffer role (request
// encoding, response reading, decompression, record batches): one pool per
// role keeps the size statistics of each role meaningful. Buffers are kept in
// power-of-two capacity classes; a buffer above MaxCap is dropped, not kept,
// so one huge response does not pin memory. As with sync.Pool, kept buffers
// are released by the garbage collector when idle.
//
// Create Buffers with NewBuffers (the zero value keeps nothing). All methods
// are safe for concurrent use.
type Buffers struct {
	noCopy   noCopy
	maxCap   int
	maxClass int // class of maxCap; -1 keeps nothing
	classes  [numClasses]sync.Pool

	gets, misses, puts, drops atomic.Uint64
}

// BufferStats counts a Buffers pool's traffic since it was created.
type BufferStats struct {
	Gets   uint64 // calls to Get
	Misses uint64 // Gets that found no pooled buffer and allocated one
	Puts   uint64 // calls to Put with a non-nil Buffer
	Drops  uint64 // Puts that discarded the buffer (capacity above MaxCap or below MinCap)
}

// NewBuffers returns a pool that keeps buffers with a capacity of at most
// maxCap bytes, rounded down to a power of two (and at most 1 GiB). With
// maxCap below MinCap it keeps nothing.
func NewBuffers(maxCap int) *Buffers {
	p := &Buffers{maxClass: min(floorClass(maxCap), numClasses-1)}
	if p.maxClass >= 0 {
		p.maxCap = MinCap << p.maxClass
	}
	return p
}

// MaxCap returns the largest capacity the pool keeps.
func (p *Buffers) MaxCap() int { return p.maxCap }

// Get returns a Buffer whose B has length 0 and capacity at least n. The
// caller owns it until it calls Put. When the size is not known in advance
// (an encoder appending), pass a typical size, such as the length of the
// last buffer of this role: Get looks only in n's class, while Put files a
// buffer under the class its capacity has grown to.
//
// A pooled Get does not allocate; a miss allocates n rounded up to a power
// of two (n itself when above MaxCap, since such a buffer will be dropped).
func (p *Buffers) Get(n int) *Buffer {
	p.gets.Add(1)
	c := ceilClass(n)
	if c <= p.maxClass {
		if v := p.classes[c].Get(); v != nil {
			return v.(*Buffer)
		}
		n = MinCap << c
	}
	p.misses.Add(1)
	return &Buffer{B: make([]byte, 0, max(n, 0))}
}

// Put returns b to the pool, or drops it if its capacity is above MaxCap or
// below MinCap. b and its B must not be used after Put. Put(nil) does
// nothing.
func (p *Buffers) Put(b *Buffer) {
	if b == nil {
		return
	}
	p.puts.Add(1)
	c := floorClass(cap(b.B))
	if c < 0 || cap(b.B) > p.maxCap {
		p.drops.Add(1)
		return
	}
	b.B = b.B[:0]
	p.classes[c].Put(b)
}

// Stats returns the pool's counters. They are read one by one, so under
// concurrent use they are close to, not exactly, a single instant.
func (p *Buffers) Stats() BufferStats {
	return BufferStats{
		Gets:   p.gets.Load(),
		Misses: p.misses.Load(),
		Puts:   p.puts.Load(),
		Drops:  p.drops.Load(),
	}
}

// ceilClass returns the smallest class whose buffers all hold n bytes
// (class c holds capacities from MinCap<<c up to, not including, twice that).
// A size past the last class maps beyond it, above any pool's maxClass.
func ceilClass(n int) int {
	if n <= MinCap {
		return 0
	}
	return bits.Len(uint(n-1)) - minClassBits
}

// floorClass returns the class a buffer of capacity n belongs in, or -1 when
// n is below MinCap.
func floorClass(n int) int {
	if n < MinCap {
		return -1
	}
	return bits.Len(uint(n)) - 1 - minClassBits
}
