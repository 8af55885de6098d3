// Package allocstest counts allocations exactly, for the allocation
// tests of every package (in files built with !race: the race detector
// makes sync.Pool drop objects on purpose).
package allocstest

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
)

// everyAlloc sets MemProfileRate to 1 once, so that the allocation profile
// Count logs from names every allocation.
var everyAlloc sync.Once

// Count counts the objects the process allocates (MemStats.Mallocs, not
// testing.AllocsPerRun's average rounded down) during runs calls of a warm
// f, and returns that count: a caller asserting 0 fails on a single
// allocation anywhere in the window, f's own or that of a goroutine f
// drives (a Writer's sinks, a Reader's fetcher).
//
// Each measurement runs with the collector off and on one P (GOMAXPROCS
// 1), after warm-up calls (warmUp), because two things outside the measured
// path allocate at random on a machine's whim:
//   - sync.Pool keeps an object per P, and a Get on another P than the Put
//     cannot steal that P's private object: a goroutine that moved between
//     the two misses and the pool's New allocates (4 objects for the
//     Writer's recycled Call; 0 to 8 per 1,000 codec round trips in the
//     compression libraries' pools). With one P no goroutine can move.
//   - a collection empties every sync.Pool's per-P cache (pinSlow makes it
//     again) and, at the second, the objects kept: 2 to 7 allocations on
//     the Writer's path, 20 with lz4.
//
// Neither is an allocation of the path, so neither may fail the test; with
// both ruled out, what is left is. One more kind is legitimate and rare: a
// one-off, such as a buffer kept for reuse growing to a new high-water
// mark, or a cache the runtime fills lazily (a type assertion's cache is
// built on about one miss in 1,024: one object, seen in net.Buffers.WriteTo
// under SendBuffers). So f is measured up to three times and the result is
// that of two measurements that agree: a one-off shows in one measurement
// and is logged (with the places that allocated), while an allocation on
// f's path shows in every measurement of 2 calls or more, and fails.
func Count(t testing.TB, runs int, limit uint64, f func()) uint64 {
	t.Helper()
	everyAlloc.Do(func() { runtime.MemProfileRate = 1 })
	var over, within int
	var n uint64
	for attempt := 1; over < 2 && within < 2; attempt++ {
		n = measure(t, attempt, runs, limit, f)
		if n > limit {
			over++
		} else {
			within++
		}
	}
	return n
}

// measure is one measurement of Count.
func measure(t testing.TB, attempt, runs int, limit uint64, f func()) uint64 {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	runtime.GC() // publishes the allocation profile so far
	before := allocProfile()
	var m0, m1, m2 runtime.MemStats
	runtime.ReadMemStats(&m0)
	warm := warmUp(runs, f)
	runtime.ReadMemStats(&m1)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&m2)
	n := m2.Mallocs - m1.Mallocs
	if n > limit {
		runtime.GC()
		t.Logf("measurement %d: %d objects allocated over %d calls (at most %d expected); by place, with the %d of the %d warm-up calls before them:\n%s",
			attempt, n, runs, limit, m1.Mallocs-m0.Mallocs, warm, allocsSince(before, allocProfile()))
	}
	return n
}

// warmUp calls f as many times as a measurement does, at least twice: the
// collection that begins a measurement empties every sync.Pool, and a
// path that cycles through several pooled objects refills them over a
// stretch of calls (a Reader's fetch buffers, once per fetch: two calls of
// 300 reads took none, ten took 7 objects). It returns the number of
// calls.
func warmUp(runs int, f func()) int {
	calls := max(runs, 2)
	for range calls {
		f()
	}
	return calls
}

// allocProfile returns the objects allocated so far per call stack, as the
// runtime's allocation profile has them (every allocation once
// MemProfileRate is 1).
func allocProfile() map[[32]uintptr]int64 {
	var recs []runtime.MemProfileRecord
	n, _ := runtime.MemProfile(nil, true)
	for {
		recs = make([]runtime.MemProfileRecord, n+64)
		var ok bool
		if n, ok = runtime.MemProfile(recs, true); ok {
			recs = recs[:n]
			break
		}
	}
	m := make(map[[32]uintptr]int64, len(recs))
	for _, r := range recs {
		m[r.Stack0] += r.AllocObjects
	}
	return m
}

// allocsSince formats the stacks that allocated between two profiles, the
// busiest first (at most 8, each cut to 12 frames, the runtime's included:
// they tell a pool's refill from a runtime cache).
func allocsSince(before, after map[[32]uintptr]int64) string {
	type site struct {
		stack [32]uintptr
		n     int64
	}
	var sites []site
	for st, n := range after {
		if d := n - before[st]; d > 0 {
			sites = append(sites, site{st, d})
		}
	}
	slices.SortFunc(sites, func(a, b site) int { return int(b.n - a.n) })
	var sb strings.Builder
	shownSites := 0
	for _, s := range sites {
		pcs := s.stack[:]
		if j := slices.Index(pcs, 0); j >= 0 {
			pcs = pcs[:j]
		}
		var lines []string
		own := false // allocProfile's own map, made after the first profile
		frames := runtime.CallersFrames(pcs)
		for {
			fr, more := frames.Next()
			own = own || strings.HasSuffix(fr.Function, ".allocProfile")
			if len(lines) < 12 {
				lines = append(lines, fmt.Sprintf("    %s (%s:%d)\n", fr.Function, fr.File, fr.Line))
			}
			if !more {
				break
			}
		}
		if own {
			continue
		}
		if shownSites == 8 {
			sb.WriteString("  ... and more places\n")
			break
		}
		shownSites++
		fmt.Fprintf(&sb, "  %d objects:\n%s", s.n, strings.Join(lines, ""))
	}
	if shownSites == 0 {
		sb.WriteString("  (none in the profile: the allocations were not sampled)\n")
	}
	return sb.String()
}

// Bytes returns the bytes the process allocated while fn ran
// (MemStats.TotalAlloc): the allocation bound of a fuzz target.
func Bytes(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// DecodeLimit bounds what decoding n bytes may allocate: a small multiple
// of the input (decoded structs are wider than their encoding) plus a
// constant, never what a forged length or count asks for.
func DecodeLimit(n int) uint64 { return 64*uint64(n) + 64<<10 }

// LZ4Block is the largest block buffer the lz4 library reads a frame
// into: a frame names its block size (64 KiB to 4 MiB), and the buffer
// comes from the library's pool, made again when the pool is empty.
const LZ4Block = 4 << 20
