package producer

import (
	"sync/atomic"
	"time"
)

// clock gives record timestamps (wall-clock milliseconds) for one monotonic
// clock read each. time.Now reads two clocks, the wall clock and the
// monotonic one, and on the VMs this was measured on (2-core EPYC,
// Firecracker kernel) each read costs 35 to 50 ns: the two were 15 to 19% of
// an asynchronous Writer's CPU at one message per call. The wall time is
// the monotonic time plus an offset; the offset is taken again from a full
// time.Now whenever the engine reads one anyway (a batch opened, a request
// collected), so that a step of the wall clock shows within one batch or
// request; between two syncs both clocks run at the rate NTP gives them.
type clock struct {
	base time.Time    // carries the monotonic reading the offsets are from
	off  atomic.Int64 // wall clock in ns at base's monotonic reading
}

func (c *clock) init() {
	c.base = time.Now()
	c.off.Store(c.base.UnixNano())
}

// sync takes the offset from now, a time.Now reading.
func (c *clock) sync(now time.Time) { c.set(now.UnixNano() - int64(now.Sub(c.base))) }

// set stores the offset off. The two clocks of one time.Now are read tens
// of ns apart, so the offset jitters by that much: it is stored only when
// it moved by a millisecond or more, which keeps its cache line shared.
func (c *clock) set(off int64) {
	if d := off - c.off.Load(); d >= int64(time.Millisecond) || d <= -int64(time.Millisecond) {
		c.off.Store(off)
	}
}

// milli returns the wall clock in Unix milliseconds.
func (c *clock) milli() int64 {
	return (c.off.Load() + int64(time.Since(c.base))) / int64(time.Millisecond)
}
