package pool

// Slab hands out short []T slices (a record's headers, say) carved from one
// larger backing array, so that decoding a batch of records costs no
// allocation per record once the slab has grown to the batch's size. All
// slices it hands out stay valid until Reset, the one point where the slab
// is recycled; after Reset they must not be used, since the next Alloc hands
// the same elements out again.
//
// Growth is bounded: when the backing array is full, Alloc starts a new one
// twice as large (16 elements at first; at most maxLen, or exactly the
// request if that is larger), leaving the old one to the slices already handed out. Reset keeps
// only the current array, and only if it holds no more than maxLen elements,
// so a single huge batch does not pin memory.
//
// A Slab is not safe for concurrent use; use one per decoder or per batch.
// Create it with NewSlab (the zero value works but retains nothing).
type Slab[T any] struct {
	noCopy noCopy
	buf    []T // current backing array; buf[used:] is all zero values
	used   int
	maxLen int
}

// slabMinLen is the length of the first backing array: enough for the
// headers of a few records before the slab has learned the batch size.
const slabMinLen = 16

// NewSlab returns an empty slab that retains at most maxLen elements across
// Reset. It allocates nothing until the first Alloc.
func NewSlab[T any](maxLen int) *Slab[T] {
	return &Slab[T]{maxLen: maxLen}
}

// Alloc returns a slice of n zero-valued elements. Its capacity is n (a full
// slice expression), so appending to it copies rather than overwriting the
// next slice handed out. It is valid until Reset. Alloc(0) returns nil; a
// negative n panics.
func (s *Slab[T]) Alloc(n int) []T {
	if n <= 0 {
		if n < 0 {
			panic("pool: Slab.Alloc with negative length")
		}
		return nil
	}
	if n > len(s.buf)-s.used {
		s.grow(n)
	}
	out := s.buf[s.used : s.used+n : s.used+n]
	s.used += n
	return out
}

// grow starts a new backing array with room for n more elements.
func (s *Slab[T]) grow(n int) {
	size := max(min(max(2*len(s.buf), slabMinLen), s.maxLen), n)
	s.buf = make([]T, size)
	s.used = 0
}

// Reset recycles the slab: every slice handed out since the last Reset
// becomes invalid. It zeroes the elements handed out from the current array
// (so they hold no references for the garbage collector and the next Alloc
// returns zero values), and drops the array if it holds more than maxLen.
func (s *Slab[T]) Reset() {
	if len(s.buf) > s.maxLen {
		s.buf = nil
	} else {
		clear(s.buf[:s.used])
	}
	s.used = 0
}

// Len returns how many elements of the current backing array are handed out
// since it was started or the slab was Reset.
func (s *Slab[T]) Len() int { return s.used }

// Cap returns the size of the current backing array.
func (s *Slab[T]) Cap() int { return len(s.buf) }
