package producer

import (
	"sync"
	"sync/atomic"
	"time"
)

// clock gives record timestamps (wall-clock milliseconds), which an
// asynchronous Writer reads once per call, for as little as it can.
//
// time.Now reads two clocks, the wall clock and the monotonic one, and on
// the VMs this was measured on (2-core EPYC, Firecracker kernel) each read
// costs 32 to 50 ns: the two were 15 to 19% of an asynchronous Writer's CPU
// at one message per call. So the wall time is the monotonic time plus an
// offset; the offset is taken again from a full time.Now whenever the
// engine reads one anyway (a batch opened, a request collected), so that a
// step of the wall clock shows within one batch or request; between two
// syncs both clocks run at the rate NTP gives them.
//
// Where the CPU's time-stamp counter is the kernel's clocksource (see
// tscClocksource), even the monotonic read is mostly saved: a read opens a
// window, the counter value up to which the wall clock is surely still in
// the millisecond it read, and every read in the window returns that
// millisecond for a counter read (12 ns). The window ends at the counter
// value of the next millisecond's start computed with the counter's rate
// lowered by 0.1%, so it closes early, never late: a timestamp read in a
// window is the one the monotonic read would have given at the counter
// read, which the processor may move a few ns (see ticks). At a million
// messages a second that is one monotonic read per thousand.
type clock struct {
	base time.Time    // carries the monotonic reading the offsets are from
	off  atomic.Int64 // wall clock in ns at base's monotonic reading

	// The window: while ticks() < until, the wall clock is in millisecond
	// ms. until is 0 while there is none. A reader loads until, then ms,
	// then reads the counter and loads until again: the same value means
	// ms belongs to it (a window is closed by storing 0 before ms changes).
	until atomic.Int64
	ms    atomic.Int64

	tsc      bool       // the counter is the kernel's clocksource: windows are used
	mu       sync.Mutex // held to open a window (TryLock) or store an offset
	calTicks int64      // a counter reading and the monotonic time before it,
	calMono  int64      // the start of the rate's measurement
	perNs    float64    // counter ticks per ns, lowered by 0.1%; 0: not yet measured
	broken   bool       // the counter's rate made no sense: windows are off
}

func (c *clock) init() {
	c.base = time.Now()
	c.off.Store(c.base.UnixNano())
	c.tsc = tscClocksource()
	if c.tsc {
		c.calMono = int64(time.Since(c.base))
		c.calTicks = ticks() // after the clock, so that the rate is not high
	}
}

// sync takes the offset from now, a time.Now reading.
func (c *clock) sync(now time.Time) { c.set(now.UnixNano() - int64(now.Sub(c.base))) }

// set stores the offset off. The two clocks of one time.Now are read tens
// of ns apart, so the offset jitters by that much: it is stored only when
// it moved by a millisecond or more, which keeps its cache line shared. A
// new offset closes the window; c.mu keeps a read that loaded the old
// offset from opening a window after that (see open).
func (c *clock) set(off int64) {
	if d := off - c.off.Load(); d >= int64(time.Millisecond) || d <= -int64(time.Millisecond) {
		c.mu.Lock()
		c.off.Store(off)
		c.until.Store(0)
		c.mu.Unlock()
	}
}

// milli returns the wall clock in Unix milliseconds.
func (c *clock) milli() int64 {
	if c.tsc {
		u := c.until.Load()
		ms := c.ms.Load()
		if ticks() < u && c.until.Load() == u {
			return ms
		}
	}
	return c.read()
}

// read reads the monotonic clock, and opens a window when it can.
func (c *clock) read() int64 {
	var t int64
	if c.tsc {
		t = ticks() // before the clock, so that the window is not late
	}
	mono := int64(time.Since(c.base))
	ns := c.off.Load() + mono
	ms := ns / int64(time.Millisecond)
	if c.tsc && ns > 0 && c.mu.TryLock() {
		c.open(t, mono, ns, ms)
		c.mu.Unlock()
	}
	return ms
}

// open measures the counter's rate and opens a window (c.mu held): t is
// the counter read just before the monotonic time mono, when the wall
// clock was ns, in millisecond ms. It opens none when the offset changed
// since ns was taken: the window would hide the step set stored.
//
// The rate is measured over at least 10 ms (the two clocks are read tens
// of ns apart: an error of a few parts per million, far inside the 0.1%
// taken off), and measured again every second, so a counter whose rate
// changes (a VM moved to another host) is followed. A measurement's end is
// a counter read before the monotonic one, its start one after, so that a
// goroutine stopped between the two (preempted, descheduled) makes the
// rate low, windows shorter, never high.
func (c *clock) open(t, mono, ns, ms int64) {
	if c.broken || c.off.Load()+mono != ns {
		return
	}
	if d := mono - c.calMono; d >= int64(10*time.Millisecond) && (c.perNs == 0 || d >= int64(time.Second)) {
		k := float64(t-c.calTicks) / float64(d)
		if k < 0.05 || k > 50 { // not a counter of 50 MHz to 50 GHz
			c.broken = true
			c.until.Store(0)
			return
		}
		c.perNs = k * 0.999
		c.calTicks, c.calMono = ticks(), mono
	}
	if c.perNs == 0 {
		return
	}
	left := (ms+1)*int64(time.Millisecond) - ns
	c.until.Store(0)
	c.ms.Store(ms)
	c.until.Store(t + int64(float64(left)*c.perNs))
}
