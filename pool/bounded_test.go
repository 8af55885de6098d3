package pool

import (
	"sync"
	"sync/atomic"
	"testing"
)

type item struct{ id int }

func TestBoundedReuseAndDrop(t *testing.T) {
	var made, dropped int
	p := NewBounded(2, func() *item { made++; return &item{id: made} }, func(*item) { dropped++ })
	a, b, c := p.Get(), p.Get(), p.Get()
	if made != 3 {
		t.Fatalf("made %d items, want 3", made)
	}
	p.Put(a)
	p.Put(b)
	p.Put(c) // pool full: dropped
	if dropped != 1 || p.Len() != 2 {
		t.Fatalf("dropped %d, idle %d; want 1 and 2", dropped, p.Len())
	}
	if x := p.Get(); x != a {
		t.Fatalf("Get returned item %d, want the first one put (%d)", x.id, a.id)
	}
	if made != 3 {
		t.Fatalf("Get made a new item while one was idle")
	}
	p.Close()
	if dropped != 2 || p.Len() != 0 {
		t.Fatalf("after Close: dropped %d, idle %d; want 2 and 0", dropped, p.Len())
	}
	p.Put(a)
	if dropped != 3 || p.Len() != 0 {
		t.Fatalf("Put after Close kept the item")
	}
	if x := p.Get(); x == nil || made != 4 {
		t.Fatalf("Get after Close must make a new item")
	}
	p.Close() // idempotent
}

func TestBoundedNilDrop(t *testing.T) {
	p := NewBounded(0, func() *item { return new(item) }, nil)
	p.Put(p.Get()) // size 0: always dropped, nil drop is fine
	if p.Len() != 0 {
		t.Fatal("a size-0 pool kept an item")
	}
}

// TestBoundedConcurrentClose checks that every item made is either idle in
// the pool or dropped once Close and all Puts have returned: nothing leaks.
func TestBoundedConcurrentClose(t *testing.T) {
	var made, dropped atomic.Int64
	p := NewBounded(4, func() *item { made.Add(1); return new(item) }, func(*item) { dropped.Add(1) })
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				p.Put(p.Get())
			}
		}()
	}
	p.Close()
	wg.Wait()
	p.Close()
	if p.Len() != 0 || made.Load() != dropped.Load() {
		t.Fatalf("made %d, dropped %d, idle %d", made.Load(), dropped.Load(), p.Len())
	}
}
