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
