package bench

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the user+system CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op b.N times and reports the client's CPU time and the wall
// time per message, op handling perOp messages. The broker runs in another
// process, so the CPU figure is the client's alone.
func measure(b *testing.B, perOp int, op func()) {
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		op()
	}
	msgs := float64(b.N * perOp)
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/msgs, "cpu-ns/msg")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
}
