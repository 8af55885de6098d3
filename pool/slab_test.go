package pool

import (
	"testing"
	"unsafe"
)

type header struct {
	Key   string
	Value []byte
}

func TestSlabAlloc(t *testing.T) {
	s := NewSlab[header](1024)
	if s.Alloc(0) != nil {
		t.Fatal("Alloc(0) != nil")
	}
	a := s.Alloc(3)
	b := s.Alloc(2)
	if len(a) != 3 || cap(a) != 3 || len(b) != 2 || cap(b) != 2 {
		t.Fatalf("a len %d cap %d, b len %d cap %d; want 3/3 and 2/2", len(a), cap(a), len(b), cap(b))
	}
	// a and b are neighbours in one backing array.
	if uintptr(unsafe.Pointer(&b[0]))-uintptr(unsafe.Pointer(&a[0])) != 3*unsafe.Sizeof(header{}) {
		t.Fatal("consecutive Allocs are not adjacent in the backing array")
	}
	a[0] = header{Key: "k", Value: []byte("v")}
	b[0] = header{Key: "b0"}
	a2 := append(a, header{Key: "appended"}) // must copy, not overwrite b[0]
	if b[0].Key != "b0" || &a2[0] == &a[0] || a2[0].Key != "k" {
		t.Fatalf("append to a did not copy: b[0] = %+v", b[0])
	}
	if s.Len() != 5 {
		t.Fatalf("Len %d, want 5", s.Len())
	}
}

func TestSlabResetZeroesAndReuses(t *testing.T) {
	s := NewSlab[header](1024)
	a := s.Alloc(4)
	for i := range a {
		a[i] = header{Key: "x", Value: []byte{1}}
	}
	s.Reset()
	if s.Len() != 0 {
		t.Fatalf("Len after Reset %d", s.Len())
	}
	b := s.Alloc(4)
	if &a[0] != &b[0] {
		t.Fatal("Alloc after Reset did not reuse the backing array")
	}
	for i, h := range b {
		if h.Key != "" || h.Value != nil {
			t.Fatalf("element %d after Reset = %+v, want zero", i, h)
		}
	}
}

func TestSlabGrowthConverges(t *testing.T) {
	s := NewSlab[header](1 << 10)
	const batch = 100 // records per batch, three headers each
	for range 3 {
		for range batch {
			if h := s.Alloc(3); len(h) != 3 {
				t.Fatalf("len %d", len(h))
			}
		}
		s.Reset()
	}
	// One array now holds a whole batch: the next batch fits without growing.
	c := s.Cap()
	if c < 3*batch || c > 4*3*batch {
		t.Fatalf("Cap %d after three batches of %d elements", c, 3*batch)
	}
	for range batch {
		s.Alloc(3)
	}
	if s.Cap() != c || s.Len() != 3*batch {
		t.Fatalf("steady-state batch grew the slab: Cap %d (was %d), Len %d", s.Cap(), c, s.Len())
	}
}

func TestSlabBounded(t *testing.T) {
	s := NewSlab[int](64)
	// Growth stops doubling at maxLen.
	for range 10 {
		s.Alloc(10)
	}
	if s.Cap() > 64 {
		t.Fatalf("Cap %d above maxLen 64 for small Allocs", s.Cap())
	}
	// A request above maxLen is served exactly, then dropped by Reset.
	big := s.Alloc(1000)
	if len(big) != 1000 || s.Cap() != 1000 {
		t.Fatalf("Alloc(1000): len %d, slab Cap %d", len(big), s.Cap())
	}
	s.Reset()
	if s.Cap() != 0 {
		t.Fatalf("Reset kept an array of %d above maxLen 64", s.Cap())
	}
	// maxLen below the first array's size is respected too.
	tiny := NewSlab[int](4)
	tiny.Alloc(1)
	if tiny.Cap() != 4 {
		t.Fatalf("first array %d, want maxLen 4", tiny.Cap())
	}
}

func TestSlabNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Alloc(-1) did not panic")
		}
	}()
	NewSlab[int](8).Alloc(-1)
}
