//go:build !race

package kafka

import "testing"

// TestAllocsConnOffsets checks that offset lookups on a warm connection
// allocate nothing: the request and response bodies, the request buffer and
// the frame buffer are all reused.
func TestAllocsConnOffsets(t *testing.T) {
	c := dialLeader(t, createTopic(t, 1))
	if _, _, err := c.ReadOffsets(); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"ReadOffsets": func() {
			if _, _, err := c.ReadOffsets(); err != nil {
				t.Fatal(err)
			}
		},
		"ReadLastOffset": func() {
			if _, err := c.ReadLastOffset(); err != nil {
				t.Fatal(err)
			}
		},
		"Offset": func() { c.Offset() },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, n)
		}
	}
}
