//go:build !linux || !amd64 || purego

package producer

// ticks is the safe twin of ticks_linux_amd64.go: there is no counter, and
// every timestamp is read from the monotonic clock.
func ticks() int64 { return 0 }

func tscClocksource() bool { return false }
