//go:build !race

package kafka

import (
	"slices"
	"testing"
)

// TestAllocsBalancers asserts that Balance allocates nothing for every
// balancer once warmed up (LeastBytes builds its counters on the first call
// with a partitions list; AllocsPerRun's warm-up run covers that).
func TestAllocsBalancers(t *testing.T) {
	parts := identity(12)
	for _, c := range balancerCases() {
		allocs := testing.AllocsPerRun(1000, func() {
			c.b.Balance(c.msg, parts...)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per Balance, want 0", c.name, allocs)
		}
	}
	// LeastBytes given the same partitions in alternating orders re-sorts
	// into its own buffers.
	lb := &LeastBytes{}
	reversed := identity(12)
	slices.Reverse(reversed)
	keyed := Message{Key: []byte("k"), Value: make([]byte, 10)}
	if allocs := testing.AllocsPerRun(1000, func() {
		lb.Balance(keyed, parts...)
		lb.Balance(keyed, reversed...)
	}); allocs != 0 {
		t.Errorf("LeastBytes with reordered lists: %v allocations, want 0", allocs)
	}
	s := &Sticky{BatchBytes: 500}
	msg := Message{Value: make([]byte, 100)}
	if allocs := testing.AllocsPerRun(1000, func() {
		s.OnBatchSent(s.Balance(msg, parts...))
	}); allocs != 0 {
		t.Errorf("Sticky with OnBatchSent: %v allocations, want 0", allocs)
	}
}
