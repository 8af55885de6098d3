package main

import (
	"runtime"
	"slices"
	"syscall"
	"time"
)

// Result is one client's run of one scenario. The worker fills the
// measured fields and prints it as JSON; the runner adds the child process's
// rusage and the verification.
type Result struct {
	Client   string `json:"client"`
	Scenario string `json:"scenario"`
	Config   config `json:"config"`
	// Settings says how the client was configured, in its own terms.
	Settings string `json:"settings"`

	// Sent counts the messages handed to the client (warm-up included);
	// Delivered those it reported acknowledged (produce, latency, e2e) or
	// read in order (consume), warm-up included; Failed those it reported
	// failed; Bad those read out of order, twice or with a wrong size.
	Sent      int64 `json:"sent"`
	Delivered int64 `json:"delivered"`
	Failed    int64 `json:"failed"`
	Bad       int64 `json:"bad"`

	// The measured section (warm-up excluded): its messages, wall time,
	// the process's CPU time (user+sys of all threads, C threads
	// included), and Go heap allocations (runtime.MemStats; memory that
	// C code allocates is not seen).
	Messages int64         `json:"messages"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	CPU      time.Duration `json:"cpu_ns"`
	// SysCPU is the part of CPU spent in the kernel (system calls, and on
	// loopback the receiving side of the TCP stack too).
	SysCPU     time.Duration `json:"sys_cpu_ns"`
	Allocs     uint64        `json:"allocs"`
	AllocBytes uint64        `json:"alloc_bytes"`
	MsgsPerSec float64       `json:"msgs_per_sec"`
	MBPerSec   float64       `json:"mb_per_sec"`
	CPUPerMsg  float64       `json:"cpu_ns_per_msg"`
	AllocsMsg  float64       `json:"allocs_per_msg"`
	BytesMsg   float64       `json:"bytes_per_msg"`

	// Latencies (latency, e2e), in nanoseconds.
	P50  time.Duration `json:"p50_ns,omitempty"`
	P99  time.Duration `json:"p99_ns,omitempty"`
	P999 time.Duration `json:"p999_ns,omitempty"`
	// The latency scenario's floor, timed in the client's process just
	// before each of its sends (see floor.go); the section's wall and CPU
	// time above leave the floor's round trips out.
	FloorP50  time.Duration `json:"floor_p50_ns,omitempty"`
	FloorP99  time.Duration `json:"floor_p99_ns,omitempty"`
	FloorP999 time.Duration `json:"floor_p999_ns,omitempty"`

	// Set by the runner: the worker process's whole CPU time (start-up,
	// connecting and closing included) and peak RSS, from its rusage; the
	// topic's end offsets summed over partitions; Verified when they and
	// the worker's counts agree with what was asked.
	ProcessCPU time.Duration `json:"process_cpu_ns"`
	MaxRSSKB   int64         `json:"max_rss_kb"`
	EndOffsets int64         `json:"end_offsets"`
	// PartitionEnds are the topic's end offsets by partition (set by the
	// runner); PartitionReads the messages the consumer read from each
	// (consume, e2e; set by the worker).
	PartitionEnds  []int64 `json:"partition_ends"`
	PartitionReads []int64 `json:"partition_reads,omitempty"`
	Verified       bool    `json:"verified"`
	// RoundsCPU is the CPU ns/msg of every round, in order, when the
	// client ran the scenario several times (-repeat) and this is its
	// median round.
	RoundsCPU []float64 `json:"rounds_cpu_ns_per_msg,omitempty"`
	Problem   string    `json:"problem,omitempty"`
	Err       string    `json:"error,omitempty"`
}

// meter measures one section of a worker.
type meter struct {
	t0         time.Time
	cpu0, sys0 time.Duration
	ms0        runtime.MemStats
	// wall, cpu and sys are left out of the section (exclude).
	wall, cpu, sys time.Duration
}

// exclude leaves wall and cpu, spent in the section on something other
// than the client (the latency floor), out of its measurement.
func (m *meter) exclude(wall, cpu, sys time.Duration) {
	m.wall += wall
	m.cpu += cpu
	m.sys += sys
}

// start begins the measured section after a GC, so that the heap of the
// set-up does not count.
func (m *meter) start() {
	runtime.GC()
	runtime.ReadMemStats(&m.ms0)
	m.cpu0, m.sys0 = processCPU()
	m.t0 = time.Now()
	prof.start()
}

// stop ends the section and fills r's measured fields for msgs messages of
// size bytes.
func (m *meter) stop(r *Result, msgs int64, size int) {
	r.Elapsed = time.Since(m.t0) - m.wall
	cpu, sys := processCPU()
	r.CPU = cpu - m.cpu0 - m.cpu
	r.SysCPU = sys - m.sys0 - m.sys
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	prof.stop()
	r.Allocs = ms.Mallocs - m.ms0.Mallocs
	r.AllocBytes = ms.TotalAlloc - m.ms0.TotalAlloc
	r.Messages = msgs
	if msgs > 0 {
		n := float64(msgs)
		r.MsgsPerSec = n / r.Elapsed.Seconds()
		r.MBPerSec = n * float64(size) / 1e6 / r.Elapsed.Seconds()
		r.CPUPerMsg = float64(r.CPU.Nanoseconds()) / n
		r.AllocsMsg = float64(r.Allocs) / n
		r.BytesMsg = float64(r.AllocBytes) / n
	}
}

// processCPU returns the user+system CPU time of this process so far, all
// threads included, and the system part of it.
func processCPU() (cpu, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), time.Duration(ru.Stime.Nano())
}

// setFloor sorts lat and sets r's floor percentiles.
func (r *Result) setFloor(lat []time.Duration) {
	r.FloorP50, r.FloorP99, r.FloorP999 = percentiles(lat)
}

// setPercentiles sorts lat and sets r's p50, p99 and p99.9.
func setPercentiles(r *Result, lat []time.Duration) {
	r.P50, r.P99, r.P999 = percentiles(lat)
}

// percentiles sorts lat and returns its p50, p99 and p99.9 (nearest rank),
// zeros when it is empty.
func percentiles(lat []time.Duration) (p50, p99, p999 time.Duration) {
	if len(lat) == 0 {
		return 0, 0, 0
	}
	slices.Sort(lat)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(lat))+0.999999) - 1
		return lat[max(0, min(i, len(lat)-1))]
	}
	return at(0.50), at(0.99), at(0.999)
}
