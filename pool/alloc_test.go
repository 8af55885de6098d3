//go:build !race

package pool

import (
	"runtime/debug"
	"testing"
)

// The race detector makes sync.Pool drop Puts at random, so these
// allocation tests run only without it.

func TestAllocsBuffersGetPut(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // GC empties pools
	p := NewBuffers(1 << 20)
	for _, n := range []int{0, 100, 4096, 100_000, 1 << 20} {
		p.Put(p.Get(n)) // warm the class
		allocs := testing.AllocsPerRun(100, func() {
			b := p.Get(n)
			b.B = append(b.B, "payload"...)
			p.Put(b)
		})
		if allocs != 0 {
			t.Errorf("Get(%d)/Put: %v allocs per cycle, want 0", n, allocs)
		}
	}
}

func TestAllocsSlab(t *testing.T) {
	s := NewSlab[header](4096)
	batch := func() {
		for i := range 200 {
			h := s.Alloc(1 + i%4)
			h[0].Key = "k"
		}
		s.Reset()
	}
	batch() // grow to the batch's size
	batch()
	if allocs := testing.AllocsPerRun(100, batch); allocs != 0 {
		t.Errorf("warm slab: %v allocs per batch, want 0", allocs)
	}
}
