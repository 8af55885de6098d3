package pool

import (
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"unsafe"
)

func TestClasses(t *testing.T) {
	for _, tc := range []struct{ n, ceil, floor int }{
		{0, 0, -1},
		{1, 0, -1},
		{63, 0, -1},
		{64, 0, 0},
		{65, 1, 0},
		{127, 1, 0},
		{128, 1, 1},
		{129, 2, 1},
		{4096, 6, 6},
		{5376, 7, 6},
		{1 << 30, 24, 24},
	} {
		if got := ceilClass(tc.n); got != tc.ceil {
			t.Errorf("ceilClass(%d) = %d, want %d", tc.n, got, tc.ceil)
		}
		if got := floorClass(tc.n); got != tc.floor {
			t.Errorf("floorClass(%d) = %d, want %d", tc.n, got, tc.floor)
		}
	}
}

func TestNewBuffersMaxCap(t *testing.T) {
	for _, tc := range []struct{ in, want int }{
		{0, 0},
		{MinCap - 1, 0},
		{MinCap, MinCap},
		{1000, 512},
		{1 << 20, 1 << 20},
		{1<<20 + 1, 1 << 20},
		{1 << 40, 1 << 30},
	} {
		if got := NewBuffers(tc.in).MaxCap(); got != tc.want {
			t.Errorf("NewBuffers(%d).MaxCap() = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestBuffersGetCapacity(t *testing.T) {
	p := NewBuffers(1 << 16)
	for _, n := range []int{-1, 0, 1, 64, 65, 1000, 1 << 16, 1<<16 + 1, 1 << 20} {
		b := p.Get(n)
		if len(b.B) != 0 || cap(b.B) < n {
			t.Errorf("Get(%d): len %d cap %d, want len 0 and cap >= %d", n, len(b.B), cap(b.B), n)
		}
		if n > p.MaxCap() && cap(b.B) != n {
			t.Errorf("Get(%d) above MaxCap: cap %d, want exactly %d", n, cap(b.B), n)
		}
		p.Put(b)
	}
}

// sameStorage reports whether a and b share their first byte of storage.
func sameStorage(a, b []byte) bool {
	return cap(a) > 0 && cap(b) > 0 && unsafe.SliceData(a) == unsafe.SliceData(b)
}

// TestBuffersReuse checks that a Get after a Put returns the same storage,
// with length 0 and the capacity it had grown to. sync.Pool may lose an
// item (the race detector drops a quarter of Puts on purpose, and a
// goroutine may move to another P between Put and Get), so the test allows
// several attempts; GC, which empties pools, is off meanwhile.
func TestBuffersReuse(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	p := NewBuffers(1 << 20)
	for attempt := 0; attempt < 20; attempt++ {
		b := p.Get(100)
		b.B = append(b.B, make([]byte, 3000)...) // grows into the 2 KiB class
		grown := b.B
		p.Put(b)
		got := p.Get(2048)
		if sameStorage(got.B, grown) {
			if len(got.B) != 0 || cap(got.B) != cap(grown) {
				t.Fatalf("reused buffer: len %d cap %d, want 0 and %d", len(got.B), cap(got.B), cap(grown))
			}
			if got != b {
				t.Fatal("reused storage came in a different *Buffer")
			}
			return
		}
		p.Put(got)
	}
	t.Fatal("Get after Put never returned the storage just put")
}

func TestBuffersDropAboveCap(t *testing.T) {
	p := NewBuffers(4096)
	big := &Buffer{B: make([]byte, 10, 4097)}
	p.Put(big)
	small := &Buffer{B: make([]byte, 0, MinCap-1)}
	p.Put(small)
	p.Put(nil)
	if s := p.Stats(); s.Puts != 2 || s.Drops != 2 {
		t.Fatalf("stats after two dropped Puts: %+v, want Puts 2 Drops 2", s)
	}
	// Neither dropped buffer can come back, whatever is asked for.
	for _, n := range []int{0, 2048, 4096} {
		if b := p.Get(n); b == big || b == small {
			t.Fatalf("Get(%d) returned a dropped buffer", n)
		}
	}
	// A buffer exactly at the cap is kept.
	p.Put(&Buffer{B: make([]byte, 0, 4096)})
	if s := p.Stats(); s.Drops != 2 {
		t.Fatalf("buffer at MaxCap was dropped: %+v", s)
	}
	// A Get above the cap is a miss and its buffer is dropped on Put.
	before := p.Stats()
	p.Put(p.Get(5000))
	after := p.Stats()
	if after.Misses != before.Misses+1 || after.Drops != before.Drops+1 {
		t.Fatalf("Get/Put above cap: before %+v after %+v, want one more miss and drop", before, after)
	}
}

func TestBuffersZeroValueKeepsNothing(t *testing.T) {
	var p Buffers
	b := p.Get(10)
	if cap(b.B) < 10 {
		t.Fatalf("cap %d < 10", cap(b.B))
	}
	p.Put(b)
	if s := p.Stats(); s.Drops != 1 {
		t.Fatalf("zero-value pool kept a buffer: %+v", s)
	}
}

// TestBuffersConcurrent has goroutines fill buffers with their own pattern,
// yield, and check the pattern survived: two owners of one buffer would show
// up here (and under -race). Every fourth buffer grows above the cap, so the
// drop count is exact.
func TestBuffersConcurrent(t *testing.T) {
	const (
		workers = 8
		rounds  = 2000
		maxCap  = 8192
	)
	p := NewBuffers(maxCap)
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pattern := byte(w + 1)
			for i := range rounds {
				size := 100 + (i*37)%4000
				if i%4 == 3 {
					size = maxCap + 1
				}
				b := p.Get(size)
				for range size {
					b.B = append(b.B, pattern)
				}
				if i%16 == 0 {
					runtime.Gosched()
				}
				for _, c := range b.B {
					if c != pattern {
						errs <- "buffer shared by two goroutines"
						return
					}
				}
				p.Put(b)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	s := p.Stats()
	const total = workers * rounds
	if s.Gets != total || s.Puts != total {
		t.Errorf("Gets %d Puts %d, want %d each", s.Gets, s.Puts, total)
	}
	if s.Drops != total/4 {
		t.Errorf("Drops %d, want %d (one Put in four above the cap)", s.Drops, total/4)
	}
	if s.Misses < total/4 || s.Misses == s.Gets {
		t.Errorf("Misses %d: want at least the %d Gets above the cap, and some reuse", s.Misses, total/4)
	}
}
