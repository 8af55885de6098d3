package producer

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	var c clock
	c.init()
	for range 1000 {
		before := time.Now().UnixMilli()
		got := c.milli()
		after := time.Now().UnixMilli()
		if got < before-1 || got > after+1 {
			t.Fatalf("milli %d outside [%d, %d]", got, before, after)
		}
	}
	// Jitter under a millisecond is not stored; a step of the wall clock is.
	off := c.off.Load()
	c.sync(time.Now())
	c.set(off + int64(100*time.Microsecond))
	if c.off.Load() != off {
		t.Fatal("an offset change under 1 ms was stored")
	}
	c.set(off + int64(time.Hour))
	if d := c.milli() - time.Now().UnixMilli(); d < int64(time.Hour/time.Millisecond)-5 || d > int64(time.Hour/time.Millisecond)+5 {
		t.Fatalf("after a step of 1h: %d ms ahead", d)
	}
}

// TestClockWindow reads the clock in a tight loop for 200 ms, each read
// between two reads of the monotonic clock it stands for: a read served by
// a window (see clock) must give the millisecond the monotonic clock gives,
// never a later one, and the one before only when the unfenced counter
// read (see ticks) was taken a few ns before the millisecond began: at
// most a couple of times in a run, where a window that closes late would
// give the old millisecond to every read of its overshoot, thousands.
// Where the counter is used, most reads must be served by a window.
func TestClockWindow(t *testing.T) {
	var c clock
	c.init()
	exact := func() int64 { return (c.off.Load() + int64(time.Since(c.base))) / int64(time.Millisecond) }
	reads, served, early := 0, 0, 0
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); {
		for range 1000 {
			before := exact()
			u := c.until.Load()
			got := c.milli()
			after := exact()
			if got == before-1 {
				early++
			} else if got < before || got > after {
				t.Fatalf("read %d: milli %d outside [%d, %d]", reads, got, before, after)
			}
			reads++
			if u != 0 && c.until.Load() == u {
				served++
			}
		}
	}
	t.Logf("haveTicks %v, %.4f ticks/ns, %d reads, %d in a window, %d a millisecond early", haveTicks, c.perNs, reads, served, early)
	if early > 2 {
		t.Fatalf("%d reads gave the millisecond before: a window closes late", early)
	}
	if haveTicks && served < reads/2 {
		t.Fatalf("%d of %d reads in a window: want most", served, reads)
	}
	if !haveTicks && c.until.Load() != 0 {
		t.Fatal("a window opened without the counter")
	}
}

// TestClockWindowClosedByStep: a wall-clock step closes the window, so the
// next read shows it.
func TestClockWindowClosedByStep(t *testing.T) {
	var c clock
	c.init()
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
		c.milli()
	}
	before := c.milli()
	c.set(c.off.Load() + int64(time.Hour))
	if d := c.milli() - before; d < int64(time.Hour/time.Millisecond) {
		t.Fatalf("after a step of 1h: %d ms later", d)
	}
}

func BenchmarkClockMilli(b *testing.B) {
	var c clock
	c.init()
	b.ReportAllocs()
	var s int64
	for b.Loop() {
		s += c.milli()
	}
	_ = s
}
