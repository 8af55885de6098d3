//go:build race

package wire

// raceEnabled is set under the race detector, which makes sync.Pool drop
// objects on purpose: allocation bounds that count on pooled state hold
// only without it.
const raceEnabled = true
