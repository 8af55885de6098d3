package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// profiler captures a CPU and an allocation profile of a worker's measured
// section (between meter.start and meter.stop), nothing before or after:
// the CPU profile runs only during the section, and allocations are
// recorded only then, every one of them (runtime.MemProfileRate 1 during
// the section, 0 outside it), so the allocation profile counts exactly the
// section's allocations. Recording every allocation slows a client that
// allocates per message; the figures of a profiled run are for reading the
// profiles, not for comparing clients.
type profiler struct {
	cpuFile, memFile string
	cpu              *os.File
	running          bool
	err              error
}

// prof is the worker's profiler; nil when neither profile was asked for.
var prof *profiler

// newProfiler returns a profiler writing to the named files ("" for a
// profile not wanted), or nil when both are empty.
func newProfiler(cpuFile, memFile string) *profiler {
	if cpuFile == "" && memFile == "" {
		return nil
	}
	if memFile != "" {
		// Nothing before the measured section is recorded.
		runtime.MemProfileRate = 0
	}
	return &profiler{cpuFile: cpuFile, memFile: memFile}
}

// start begins both profiles.
func (p *profiler) start() {
	if p == nil {
		return
	}
	p.running = true
	if p.cpuFile != "" {
		f, err := create(p.cpuFile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
			if err != nil {
				f.Close()
			}
		}
		if err != nil {
			p.err = fmt.Errorf("CPU profile: %w", err)
		} else {
			p.cpu = f
		}
	}
	if p.memFile != "" {
		runtime.MemProfileRate = 1
	}
}

// stop ends both profiles and writes them; the first failure is kept for
// finish.
func (p *profiler) stop() {
	if p == nil || !p.running {
		return
	}
	p.running = false
	if p.memFile != "" {
		runtime.MemProfileRate = 0
	}
	if p.cpu != nil {
		pprof.StopCPUProfile()
		if err := p.cpu.Close(); err != nil && p.err == nil {
			p.err = fmt.Errorf("CPU profile: %w", err)
		}
		p.cpu = nil
	}
	if p.memFile != "" {
		// The allocation profile is as of the last GC: one more makes it
		// hold every allocation of the section.
		runtime.GC()
		if err := writeProfile("allocs", p.memFile); err != nil && p.err == nil {
			p.err = fmt.Errorf("allocation profile: %w", err)
		}
	}
}

// finish returns the first failure to profile, or an error if the measured
// section never ended (so no profile was written).
func (p *profiler) finish() error {
	if p == nil {
		return nil
	}
	if p.running {
		p.stop()
		return errors.Join(p.err, errors.New("the measured section did not end: the profiles cover what ran of it"))
	}
	return p.err
}

func create(name string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, err
	}
	return os.Create(name)
}

func writeProfile(kind, name string) error {
	f, err := create(name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(kind).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
