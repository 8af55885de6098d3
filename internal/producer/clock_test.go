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
	t.Logf("counter %v, %.4f ticks/ns, %d reads, %d in a window, %d a millisecond early", c.tsc, c.perNs, reads, served, early)
	if early > 2 {
		t.Fatalf("%d reads gave the millisecond before: a window closes late", early)
	}
	if c.tsc && served < reads/2 {
		t.Fatalf("%d of %d reads in a window: want most", served, reads)
	}
	if !c.tsc && c.until.Load() != 0 {
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

// TestClockStepDuringOpen: a step of the wall clock (set) that lands
// between a read's offset load and the window that read opens must not be
// hidden by that window: once set has returned, reads show the step. The
// test plays read's steps itself, with the step in between.
func TestClockStepDuringOpen(t *testing.T) {
	var c clock
	c.init()
	if !c.tsc {
		t.Skip("no counter (purego, or a clocksource other than tsc): no window opens; TestClockWindow checks that")
	}
	for end := time.Now().Add(20 * time.Millisecond); time.Now().Before(end); {
		c.milli()
	}
	if c.perNs == 0 {
		t.Fatal("the counter's rate was not measured in 20 ms")
	}
	const stepMs = int64(time.Hour / time.Millisecond)
	for i := range 100 {
		tk := ticks() // read, up to its offset load
		mono := int64(time.Since(c.base))
		ns := c.off.Load() + mono
		ms := ns / int64(time.Millisecond)
		c.set(c.off.Load() + stepMs*int64(time.Millisecond)) // the step
		// read opens its window
		if !c.mu.TryLock() {
			t.Fatal("mu held")
		}
		c.open(tk, mono, ns, ms)
		c.mu.Unlock()
		if d := c.milli() - ms; d < stepMs {
			t.Fatalf("try %d: %d ms after a step of 1h that set had stored", i, d)
		}
	}
}

// TestClockRateAfterPreemptedRead: a read preempted (here 20 ms) between
// its counter read and its monotonic read may measure the rate; the
// measurement after it, a second later, must not come out high because of
// it (a window closing late gives the millisecond before). The counter
// read of a measurement's start must follow its monotonic read.
func TestClockRateAfterPreemptedRead(t *testing.T) {
	var c clock
	c.init()
	if !c.tsc {
		t.Skip("no counter (purego, or a clocksource other than tsc): no window opens; TestClockWindow checks that")
	}
	time.Sleep(10 * time.Millisecond)
	tk := ticks() // read, preempted after its counter read
	time.Sleep(20 * time.Millisecond)
	mono := int64(time.Since(c.base))
	ns := c.off.Load() + mono
	if !c.mu.TryLock() {
		t.Fatal("mu held")
	}
	c.open(tk, mono, ns, ns/int64(time.Millisecond))
	c.mu.Unlock()
	if c.perNs == 0 {
		t.Fatal("the counter's rate was not measured")
	}
	time.Sleep(time.Second) // the next measurement is due
	exact := func() int64 { return (c.off.Load() + int64(time.Since(c.base))) / int64(time.Millisecond) }
	reads, early := 0, 0
	for end := time.Now().Add(100 * time.Millisecond); time.Now().Before(end); {
		for range 1000 {
			before := exact()
			if got := c.milli(); got < before {
				early++
			}
			reads++
		}
	}
	t.Logf("%.4f ticks/ns, %d reads, %d a millisecond early", c.perNs, reads, early)
	if early > 2 {
		t.Fatalf("%d of %d reads gave the millisecond before: the rate was measured high", early, reads)
	}
}
