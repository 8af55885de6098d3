package kafka

import "testing"

// BenchmarkConnReadOffsets measures ReadOffsets (two pipelined ListOffsets
// round trips) on a warm connection to the test broker.
func BenchmarkConnReadOffsets(b *testing.B) {
	c := dialLeader(b, createTopic(b, 1))
	if _, _, err := c.ReadOffsets(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ReadOffsets(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnReadLastOffset measures one ListOffsets round trip.
func BenchmarkConnReadLastOffset(b *testing.B) {
	c := dialLeader(b, createTopic(b, 1))
	if _, err := c.ReadLastOffset(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ReadLastOffset(); err != nil {
			b.Fatal(err)
		}
	}
}
